/** Test wiring: a simulator on loopback and the adapter on it over real HTTP (fetch). */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { ApolloSimulator } from "@unisequence/testing"
import { Effect, Redacted, type Scope } from "effect"
import * as Apollo from "../src/Apollo.js"

export const masterKey = ApolloSimulator.defaultMasterKey

/** Four steps; the second has an A/B pair of touches, the third is a call with no touch. */
export const fourSteps: ReadonlyArray<ApolloSimulator.SeedStep> = [
  {
    type: "auto_email",
    wait_time: 0,
    wait_mode: "minute",
    emailer_touches: [
      { status: "approved", emailer_template: { subject: "Hello", body_html: "<p>Hello</p>" } }
    ]
  },
  {
    type: "auto_email",
    wait_time: 2,
    wait_mode: "day",
    emailer_touches: [
      {
        type: "reply_to_thread",
        status: "approved",
        emailer_template: { subject: "Ping", body_html: "<p>Ping A</p>" }
      },
      {
        type: "reply_to_thread",
        status: "to_be_reviewed",
        emailer_template: { subject: "B", body_html: "<p>Ping B</p>" }
      }
    ]
  },
  { type: "call", wait_time: 1, wait_mode: "day", priority: "high", note: "Call them" },
  {
    type: "manual_email",
    wait_time: 3,
    wait_mode: "hour",
    emailer_touches: [
      { status: "to_be_reviewed", emailer_template: { subject: "Last", body_html: "<p>Last</p>" } }
    ]
  }
]

export interface Harness {
  readonly sim: ApolloSimulator.ApolloSimulator
  readonly apollo: Apollo.Apollo
  /** Responses as the adapter received them, for contract checks. */
  readonly responses: Array<{ method: string; url: string; status: number; body: string }>
}

export const harness = (
  options: ApolloSimulator.Options = {},
  adapter: Partial<Apollo.Options> = {}
): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    // The documented profile, with the single-sequence read the adapter needs (not in the document).
    const sim = yield* ApolloSimulator.start({
      rateLimit: false,
      quirks: { readOneSequence: true },
      ...options
    })
    const responses: Harness["responses"] = []
    const apollo = yield* Apollo.make({
      apiKey: Redacted.make(masterKey),
      baseUrl: sim.url,
      retry: { baseDelay: "5 millis", maxDelay: "50 millis" },
      transformClient: HttpClient.tap((response) =>
        response.text.pipe(
          Effect.map((body) => {
            responses.push({
              method: response.request.method,
              url: response.request.url,
              status: response.status,
              body
            })
          }),
          Effect.ignore
        )
      ),
      ...adapter
    }).pipe(Effect.provide(FetchHttpClient.layer))
    return { sim, apollo, responses }
  })

/** The sequence id of the n-th seeded sequence. */
export const seededId = (sim: ApolloSimulator.ApolloSimulator, index = 0): string =>
  sim.state().sequences[index]!.id
