/**
 * The providers' documents as a check inside each reliability test: every request the adapters sent
 * to this test's own simulators is valid under the documents, and, on the `documented` profile, so is
 * every whole answer (the `observed` profile answers with what the documents do not promise, by design).
 *
 * The documents live in `../shared/specs`: a plain clone skips the check with a message, and under
 * `CI=true` a missing document fails (`OpenApiContract.loadForTest`).
 */
import { OpenApiContract } from "@unisequence/testing"
import { expect } from "vitest"

export type Profile = "documented" | "observed"

/** What the contract check needs of a simulator: its own log. */
export interface Logged {
  readonly requests: ReadonlyArray<OpenApiContract.LoggedExchange>
}

/**
 * What Kit documents outside the operation pages, and so the check allows: its rate limit (429, a
 * plain-text `Retry later`) is described for the whole API, not per operation; and where the pages
 * contradict each other the simulator follows one (the add-by-id page lists no 422 where the
 * add-by-email page does).
 */
const kitDocumentedElsewhere = [
  /: status 429 is not documented$/,
  /subscribers\/\{id\}: status 422 is not documented$/
]

/** Apollo's document has no entry for reading one sequence; public clients use it. */
const apolloUndocumented = /^GET \/api\/v1\/emailer_campaigns\/[0-9a-f]+$/

let loaded:
  | { readonly kit: ReadonlyArray<OpenApiContract.Contract>; readonly apollo: OpenApiContract.Contract }
  | null
  | undefined

/** The documents, read once per test file; `null` when they are missing outside CI. */
const documents = () => {
  if (loaded !== undefined) return loaded
  const sequences = OpenApiContract.loadForTest("kit-sequences.yml")
  const emails = OpenApiContract.loadForTest("kit-sequence-emails.yml")
  const apollo = OpenApiContract.loadForTest("apollo-sequences-openapi.json")
  loaded =
    sequences.contract === undefined || emails.contract === undefined || apollo.contract === undefined
      ? null
      : { kit: [emails.contract, sequences.contract], apollo: apollo.contract }
  return loaded
}

export interface Checked {
  /** Requests matched to a documented operation, bodies and answers checked, over both simulators. */
  readonly exchanges: number
  readonly requests: number
  readonly responses: number
}

const checkOne = (
  contracts: ReadonlyArray<OpenApiContract.Contract>,
  log: ReadonlyArray<OpenApiContract.LoggedExchange>,
  profile: Profile,
  tolerate: (error: string) => boolean
) =>
  OpenApiContract.checkLog(
    contracts,
    profile === "documented" ? log : log.map((exchange) => ({ ...exchange, response: null })),
    { tolerate }
  )

/**
 * Checks a test's own simulator logs and asserts: no failure, nothing undocumented but Apollo's
 * single-sequence read, and more than 0 exchanges checked for each simulator given. Returns what was
 * checked, or `undefined` when the documents are missing (outside CI), after saying so.
 */
export const expectDocumented = (
  profile: Profile,
  logs: { readonly kit?: ReadonlyArray<Logged>; readonly apollo?: ReadonlyArray<Logged> }
): Checked | undefined => {
  const docs = documents()
  if (docs === null) {
    console.warn("[contract] skipped: the providers' documents are not in ../shared/specs")
    return undefined
  }
  let exchanges = 0
  let requests = 0
  let responses = 0
  const sides = [
    {
      name: "kit",
      sims: logs.kit,
      contracts: docs.kit,
      tolerate: (e: string) => kitDocumentedElsewhere.some((p) => p.test(e))
    },
    { name: "apollo", sims: logs.apollo, contracts: [docs.apollo], tolerate: () => false }
  ] as const
  for (const side of sides) {
    if (side.sims === undefined) continue
    const log = side.sims.flatMap((sim) => sim.requests)
    const check = checkOne(side.contracts, log, profile, side.tolerate)
    // One line each, cut short: a diff of thousands of answers would say less.
    expect(
      check.failures.map((failure) => failure.slice(0, 400)).join("\n"),
      `${side.name} (${profile}): exchanges the documents do not allow`
    ).toBe("")
    expect(
      check.undocumented.filter((call) => !(side.name === "apollo" && apolloUndocumented.test(call))),
      `${side.name}: calls no document lists`
    ).toEqual([])
    // The log is this test's own: a check of nothing proves nothing. Every request's method and path
    // was matched to a document above; bodies are checked where there are some (a source is only read).
    expect(log.length, `${side.name}: requests in this test's log`).toBeGreaterThan(0)
    if (profile === "documented") expect(check.responses, `${side.name}: answers checked`).toBeGreaterThan(0)
    exchanges += log.length
    requests += check.requests
    responses += check.responses
  }
  return { exchanges, requests, responses }
}

/** `N requests + M answers valid under the documents`, or why there was no check. */
export const contractLine = (checked: Checked | undefined): string =>
  checked === undefined
    ? "documents missing: contract not checked"
    : `${checked.exchanges} requests to documented operations, ${checked.requests} bodies + ${checked.responses} answers valid under the documents`
