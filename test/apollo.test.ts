import { FetchHttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { Sequences } from "@unisequence/core"
import { ApolloSimulator } from "@unisequence/testing"
import { Effect, Layer, Redacted } from "effect"
import { ConformanceProbe, conformance } from "./src/conformance.js"

/** A fresh Apollo simulator per test, the adapter on it over real HTTP; writes = non-GET requests. */
const apollo = ({ pageSize }: { readonly pageSize: number }) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        // adapter not yet right against the documented profile
        profile: "observed",
        rateLimit: false
      })
      const { sequences } = yield* Apollo.make({
        apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
        baseUrl: sim.url,
        pageSize,
        retry: { baseDelay: "5 millis", maxDelay: "50 millis" }
      })
      const state = sim.state()
      return Layer.mergeAll(
        Layer.succeed(Sequences.Sequences, sequences),
        Layer.succeed(ConformanceProbe, {
          writes: Effect.sync(() => sim.requests.filter((r) => r.method !== "GET").length),
          enrollees: { ids: state.contacts.map((c) => c.id), sendFrom: state.emailAccounts[0]!.id },
          fixtures: { scheduleId: state.schedules[0]!.id, unknownId: "000000000000000000000000" }
        })
      )
    })
  ).pipe(Layer.provide(FetchHttpClient.layer))

conformance("apollo", apollo)
