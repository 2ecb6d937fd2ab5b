/** Test wiring: a Kit simulator on 127.0.0.1 and the adapter over real HTTP (fetch). */
import { FetchHttpClient } from "@effect/platform"
import { KitSimulator, OpenApiContract } from "@unisequence/testing"
import type { Sequences } from "@unisequence/core"
import { Effect, Redacted, type Scope } from "effect"
import * as Kit from "../src/Kit.js"
import type * as KitClient from "../src/KitClient.js"

export const KEY = "kit_test_key"

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
    const made = yield* Kit.make({
      // An OAuth token given by the test replaces the default API key.
      ...(options.oauthToken === undefined ? { apiKey: Redacted.make(KEY) } : {}),
      baseUrl: sim.url,
      retry: { baseDelay: "5 millis", maxDelay: "50 millis" },
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
 * Checks one simulator's log against Kit's documents: every request body, and with `answers` every
 * whole answer (only meaningful for the documented profile). `undefined` when the documents are
 * missing outside CI (the caller skips).
 */
export const contractCheck = (
  sim: KitSimulator.KitSimulator,
  options: { readonly answers: boolean } = { answers: true }
): OpenApiContract.LogCheck | undefined => OpenApiContract.checkProvider("kit", sim.requests, options)
