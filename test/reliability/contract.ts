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

/** Apollo's document has no entry for reading one sequence; public clients use it. */
const apolloUndocumented = /^GET \/api\/v1\/emailer_campaigns\/[0-9a-f]+$/

/**
 * Kit documents its rate limit for the whole API (a 429 with the plain-text body `Retry later`), not
 * on each operation's page: a 429's answer is not checked against the operation (its request still is).
 */
const withoutRateLimitAnswers = (
  log: ReadonlyArray<OpenApiContract.LoggedExchange>
): ReadonlyArray<OpenApiContract.LoggedExchange> =>
  log.map((exchange) => (exchange.status === 429 ? { ...exchange, response: null } : exchange))

export interface Checked {
  /** Requests matched to a documented operation, bodies and answers checked, over both simulators. */
  readonly exchanges: number
  readonly requests: number
  readonly responses: number
}

/**
 * Checks a test's own simulator logs and asserts: no failure, nothing undocumented but Apollo's
 * single-sequence read, and more than 0 requests in the log of each simulator given. Returns what was
 * checked, or `undefined` when the documents are missing (outside CI), after saying so.
 */
export const expectDocumented = (
  profile: Profile,
  logs: { readonly kit?: ReadonlyArray<Logged>; readonly apollo?: ReadonlyArray<Logged> },
  options: {
    /** Check the answers too (default: on the documented profile). */
    readonly answers?: boolean
  } = {}
): Checked | undefined => {
  let exchanges = 0
  let requests = 0
  let responses = 0
  for (const provider of ["kit", "apollo"] as const) {
    const sims = logs[provider]
    if (sims === undefined) continue
    const log = sims.flatMap((sim) => sim.requests)
    const check = OpenApiContract.checkProvider(
      provider,
      provider === "kit" ? withoutRateLimitAnswers(log) : log,
      { answers: options.answers ?? profile === "documented" }
    )
    if (check === undefined) {
      console.warn("[contract] skipped: the providers' documents are not in ../shared/specs")
      return undefined
    }
    // One line each, cut short: a diff of thousands of answers would say less.
    expect(
      check.failures.map((failure) => failure.slice(0, 400)).join("\n"),
      `${provider} (${profile}): exchanges the documents do not allow`
    ).toBe("")
    expect(
      check.undocumented.filter((call) => !(provider === "apollo" && apolloUndocumented.test(call))),
      `${provider}: calls no document lists`
    ).toEqual([])
    // The log is this test's own: a check of nothing proves nothing. Every request's method and path
    // was matched to a document above; bodies are checked where there are some (a source is only read).
    // (Answers a fault replaced — every answer, in a test that drips them all — are not the provider's.)
    expect(log.length, `${provider}: requests in this test's log`).toBeGreaterThan(0)
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
