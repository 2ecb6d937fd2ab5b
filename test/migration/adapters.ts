/** The adapters the migration tests drive over a simulator: quick retries, no client-side cap. */
import { FetchHttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { Kit } from "@unisequence/kit"
import { ApolloSimulator, type KitSimulator } from "@unisequence/testing"
import { Effect, Redacted } from "effect"

/** The production retry policy, with delays short enough for tests. */
export const fast = { baseDelay: "5 millis", maxDelay: "50 millis" } as const

export const kitOn = (sim: KitSimulator.KitSimulator) =>
  Kit.make({ apiKey: Redacted.make("kit_test_key"), baseUrl: sim.url, rateLimit: false, retry: fast }).pipe(
    Effect.map(({ sequences }) => sequences),
    Effect.provide(FetchHttpClient.layer)
  )

export const apolloOn = (sim: ApolloSimulator.ApolloSimulator) =>
  Apollo.make({
    apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
    baseUrl: sim.url,
    retry: fast
  }).pipe(
    Effect.map(({ sequences }) => sequences),
    Effect.provide(FetchHttpClient.layer)
  )
