import { FetchHttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { Sequences } from "@unisequence/core"
import { ApolloSimulator, OpenApiContract } from "@unisequence/testing"
import { Effect, Layer, Redacted } from "effect"
import { ConformanceProbe, conformance } from "./src/conformance.js"

/** A fresh Apollo simulator per test, the adapter on it over real HTTP; writes = non-GET requests. */
const apollo =
  (profile: ApolloSimulator.Profile) =>
  ({ pageSize }: { readonly pageSize: number }) =>
    Layer.unwrapScoped(
      Effect.gen(function* () {
        const sim = yield* ApolloSimulator.start({
          profile,
          // The single-sequence read is not in Apollo's document; the adapter needs it to read a sequence.
          quirks: { readOneSequence: true },
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
            contract: Effect.sync(() => {
              const check = OpenApiContract.checkProvider("apollo", sim.requests, {
                answers: profile === "documented"
              })
              return check && { seen: sim.requests.length, failures: check.failures }
            }),
            enrollees: { ids: state.contacts.map((c) => c.id), sendFrom: state.emailAccounts[0]!.id },
            fixtures: { scheduleId: state.schedules[0]!.id, unknownId: "000000000000000000000000" }
          })
        )
      })
    ).pipe(Layer.provide(FetchHttpClient.layer))

// The document answers label ids only: labels are written, and read back by name only in `observed`.
conformance("apollo (documented)", apollo("documented"), { labelsByName: false })
conformance("apollo (observed)", apollo("observed"))
