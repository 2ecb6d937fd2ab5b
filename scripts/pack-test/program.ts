/**
 * A user's program, type-checked strictly and run by the pack test from the installed tarballs:
 * one piece of app code on the in-memory provider and on the Kit and Apollo simulators, through
 * both the package roots and the per-module subpaths.
 */
import { FetchHttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { Memory } from "@unisequence/core"
import * as Sequences from "@unisequence/core/Sequences"
import * as KitClient from "@unisequence/kit/KitClient"
import { Kit } from "@unisequence/kit"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"

const app = Effect.gen(function* () {
  const sequences = yield* Sequences.Sequences
  const created = yield* sequences.create({
    name: "Packed onboarding",
    steps: [
      { delay: { value: 0, unit: "days" }, email: { subject: "Welcome", html: "<p>Hello</p>" } },
      { delay: { value: 2, unit: "days" }, email: { subject: "Next", html: "<p>Then</p>" } }
    ]
  })
  const read = yield* sequences.get(created.id)
  const listed = yield* Stream.runCollect(sequences.list())
  const found = Chunk.some(listed, (summary) => summary.id === created.id)
  return `${sequences.provider}: ${read.steps.length} steps, listed ${found}`
})

const main = Effect.gen(function* () {
  const kit = yield* KitSimulator.start()
  const apollo = yield* ApolloSimulator.start()
  const kitLayer = Kit.layer({
    credential: KitClient.apiKey(Redacted.make("kit_test_key")),
    baseUrl: kit.url
  }).pipe(Layer.provide(FetchHttpClient.layer))
  const apolloLayer = Apollo.layer({
    apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
    baseUrl: apollo.url
  }).pipe(Layer.provide(FetchHttpClient.layer))
  const lines = [
    yield* app.pipe(Effect.provide(Memory.layer())),
    yield* app.pipe(Effect.provide(kitLayer)),
    yield* app.pipe(Effect.provide(apolloLayer))
  ]
  for (const line of lines) console.log(line)
  if (!lines.every((line) => line.endsWith(": 2 steps, listed true"))) {
    return yield* Effect.die(new Error("a provider did not read back what was created"))
  }
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
