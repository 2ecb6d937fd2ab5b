import { FetchHttpClient } from "@effect/platform"
import { Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { KitSimulator, OpenApiContract } from "@unisequence/testing"
import { Effect, Layer, Redacted } from "effect"
import { ConformanceProbe, conformance } from "./src/conformance.js"

/** A fresh Kit simulator per test, the adapter on it over real HTTP; writes = non-GET requests. */
const kit =
  (profile: KitSimulator.Profile) =>
  ({ pageSize }: { readonly pageSize: number }) =>
    Layer.unwrapScoped(
      Effect.gen(function* () {
        const sim = yield* KitSimulator.start({
          profile,
          rateLimit: false,
          seed: {
            subscribers: [
              { id: 1, email_address: "ada@example.com" },
              { id: 2, email_address: "grace@example.com" }
            ]
          }
        })
        const { sequences } = yield* Kit.make({
          apiKey: Redacted.make("kit_test_key"),
          baseUrl: sim.url,
          pageSize,
          retry: { baseDelay: "5 millis", maxDelay: "50 millis" }
        })
        return Layer.mergeAll(
          Layer.succeed(Sequences.Sequences, sequences),
          Layer.succeed(ConformanceProbe, {
            writes: Effect.sync(() => sim.requests.filter((r) => r.method !== "GET").length),
            contract: Effect.sync(() => {
              const check = OpenApiContract.checkProvider("kit", sim.requests, {
                answers: profile === "documented"
              })
              return check && { seen: sim.requests.length, failures: check.failures }
            }),
            // two different people: one by address, one by id
            enrollees: { emails: ["ada@example.com"], ids: ["2"] },
            fixtures: { templateId: "38", exclusions: [{ type: "tag", ids: ["2"] }], unknownId: "999999999" }
          })
        )
      })
    ).pipe(Layer.provide(FetchHttpClient.layer))

conformance("kit (documented)", kit("documented"))
conformance("kit (observed)", kit("observed"))
