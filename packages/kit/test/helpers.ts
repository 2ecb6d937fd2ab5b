/** Test wiring: a Kit simulator on 127.0.0.1 and the adapter over real HTTP (fetch). */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { KitSimulator, OpenApiContract } from "@unisequence/testing"
import type { Sequences } from "@unisequence/core"
import { Effect, Redacted, type Scope } from "effect"
import * as Kit from "../src/Kit.js"
import type * as KitClient from "../src/KitClient.js"

export const KEY = "kit_test_key"

export interface Exchange {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
}

/** Every request the simulators logged, for contract checks. */
export const requests: Array<KitSimulator.LoggedRequest> = []

/** Every response the adapter received, for contract checks. */
export const exchanges: Array<Exchange> = []

export const recordResponses = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, (effect) =>
    Effect.tap(effect, (response) =>
      response.text.pipe(
        Effect.map((body) => {
          const url = new URL(response.request.url)
          exchanges.push({
            method: response.request.method,
            path: url.pathname,
            status: response.status,
            contentType: response.headers["content-type"],
            body
          })
        }),
        Effect.ignore
      )
    )
  )

export interface Setup {
  readonly sim: KitSimulator.KitSimulator
  readonly client: KitClient.Service
  readonly sequences: Sequences.Sequences
}

export const setup = (
  simulator: KitSimulator.Options = {},
  options: Partial<Kit.Options> = {}
): Effect.Effect<Setup, never, Scope.Scope> =>
  Effect.gen(function* () {
    const sim = yield* KitSimulator.start({ rateLimit: false, ...simulator })
    yield* Effect.addFinalizer(() => Effect.sync(() => requests.push(...sim.requests)))
    const made = yield* Kit.make({
      // An OAuth token given by the test replaces the default API key.
      ...(options.oauthToken === undefined ? { apiKey: Redacted.make(KEY) } : {}),
      baseUrl: sim.url,
      retry: { baseDelay: "5 millis", maxDelay: "50 millis" },
      transformClient: recordResponses,
      ...options
    }).pipe(Effect.provide(FetchHttpClient.layer))
    return { sim, ...made }
  })

/** The request log as `METHOD path?query` lines plus bodies, for exact assertions. */
export const calls = (sim: KitSimulator.KitSimulator) =>
  sim.requests.map((r) => {
    const query = new URLSearchParams(r.query).toString()
    return { call: `${r.method} ${r.path}${query === "" ? "" : `?${query}`}`, body: r.body }
  })

export const lines = (sim: KitSimulator.KitSimulator) => calls(sim).map((c) => c.call)

/** Five emails at positions 0..4, the first immediate. */
export const fiveEmails = (sequenceId = 1): KitSimulator.SeedSequence => ({
  id: sequenceId,
  name: "Welcome",
  emails: ["One", "Two", "Three", "Four", "Five"].map((subject, i) => ({
    id: sequenceId * 100 + i + 1,
    subject,
    content: `<p>${subject}</p>`,
    delay_value: i === 0 ? 0 : 1,
    delay_unit: "days" as const,
    published: true
  }))
})

/**
 * Validates every logged request body and every recorded response against Kit's documents. Returns
 * the failures; `undefined` when the documents are missing outside CI (the caller skips).
 */
/**
 * Where Kit's documents contradict themselves, the simulator follows the other page, and so must the
 * check: the create example answers `preview_text: null` (and `content: null`) while the list/get/update schemas say
 * string, and the create page says hour-based emails "always return send_days as null" while the
 * schemas say array.
 */
const DOCUMENTED_ELSEWHERE = [
  /\/preview_text must be string$/,
  /\/send_days must be array$/,
  // the create example answers `content: null` for an email without a body; the get schema says string
  /\/email\/content must be string$/,
  // The add-by-id page documents no 422, the add-by-email page does ("Sequence is inactive"); the
  // simulator answers both alike, as PROVIDERS.md says ("same 200/201 split").
  /subscribers\/\{id\}: status 422 is not documented$/
]

/** How many schema errors the check let through under `DOCUMENTED_ELSEWHERE`. */
export let tolerated = 0

export const contractFailures = (): ReadonlyArray<string> | undefined => {
  const sequences = OpenApiContract.loadForTest("kit-sequences.yml")
  const emails = OpenApiContract.loadForTest("kit-sequence-emails.yml")
  if (sequences.contract === undefined || emails.contract === undefined) return undefined
  const pick = (path: string) => (/\/emails(\/|$)/.test(path) ? emails.contract : sequences.contract)
  const failures: Array<string> = []
  for (const r of requests) {
    if (r.method !== "POST" && r.method !== "PUT") continue
    if (r.status === 401 || r.status === 429) continue
    const v = pick(r.path).validateRequest(r.method, r.path, r.body)
    if (v.errors.length > 0)
      failures.push(`request ${r.method} ${r.path} ${JSON.stringify(r.body)}: ${v.errors.join("; ")}`)
  }
  for (const x of exchanges) {
    const v = pick(x.path).validateResponse(
      x.method,
      x.path,
      x.status,
      x.body === "" ? undefined : safeJson(x.body),
      x.contentType === undefined ? {} : { contentType: x.contentType }
    )
    const errors = v.errors.filter((e) => !DOCUMENTED_ELSEWHERE.some((pattern) => pattern.test(e)))
    tolerated += v.errors.length - errors.length
    if (errors.length > 0) failures.push(`response ${x.status} ${x.method} ${x.path}: ${errors.join("; ")}`)
  }
  return failures
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
