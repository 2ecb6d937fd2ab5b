// A user's Vitest test against a simulator, run by the pack test from the installed tarballs.
import { FetchHttpClient } from "@effect/platform"
import { Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { KitSimulator } from "@unisequence/testing"
import { Effect, Layer, Redacted } from "effect"
import { expect, it } from "vitest"

it("creates a sequence on the Kit simulator and reads it back", async () => {
  const program = Effect.gen(function* () {
    const sim = yield* KitSimulator.start()
    const layer = Kit.layer({
      apiKey: Redacted.make("kit_test_key"),
      baseUrl: sim.url
    }).pipe(Layer.provide(FetchHttpClient.layer))
    return yield* Effect.gen(function* () {
      const sequences = yield* Sequences.Sequences
      const created = yield* sequences.create({
        name: "From a user's test",
        steps: [{ delay: { value: 0, unit: "days" }, email: { subject: "Hi", html: "<p>Hi</p>" } }]
      })
      const read = yield* sequences.get(created.id)
      return { name: read.name, steps: read.steps.length, requests: sim.requests.length }
    }).pipe(Effect.provide(layer))
  })
  const result = await Effect.runPromise(Effect.scoped(program))
  expect(result.name).toBe("From a user's test")
  expect(result.steps).toBe(1)
  expect(result.requests).toBeGreaterThan(0)
})
