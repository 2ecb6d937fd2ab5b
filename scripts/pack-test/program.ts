/**
 * A user's program, type-checked strictly and run by the pack test from the installed tarballs:
 * one piece of app code on the in-memory provider and on the Kit and Apollo simulators, through
 * both the package roots and the per-module subpaths; then the same through the Promise API.
 */
import { FetchHttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { apollo as apolloClient, type Client, memory as memoryClient } from "@unisequence/client"
import { Memory } from "@unisequence/core"
import * as Sequences from "@unisequence/core/Sequences"
import type * as KitClient from "@unisequence/kit/KitClient"
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

/** The same app on the Promise API, typed. */
const viaPromises = async (client: Client): Promise<string> => {
  try {
    const created = await client.create({
      name: "Packed onboarding (promises)",
      steps: [
        { delay: { value: 0, unit: "days" }, email: { subject: "Welcome", html: "<p>Hello</p>" } },
        { delay: { value: 2, unit: "days" }, email: { subject: "Next", html: "<p>Then</p>" } }
      ]
    })
    const read = await client.get(created.id)
    let found = false
    for await (const summary of client.list()) found ||= summary.id === created.id
    return `promise ${client.provider}: ${read.steps.length} steps, listed ${found}`
  } finally {
    await client.close()
  }
}

const main = Effect.gen(function* () {
  const kit = yield* KitSimulator.start()
  // The single-sequence read is not in Apollo's document; accounts that offer it are simulated so.
  const apollo = yield* ApolloSimulator.start({ quirks: { readOneSequence: true } })
  const kitOptions: KitClient.Options = { apiKey: Redacted.make("kit_test_key"), baseUrl: kit.url }
  const kitLayer = Kit.layer(kitOptions).pipe(Layer.provide(FetchHttpClient.layer))
  const apolloLayer = Apollo.layer({
    apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
    baseUrl: apollo.url
  }).pipe(Layer.provide(FetchHttpClient.layer))
  const lines = [
    yield* app.pipe(Effect.provide(Memory.layer())),
    yield* app.pipe(Effect.provide(kitLayer)),
    yield* app.pipe(Effect.provide(apolloLayer)),
    yield* Effect.promise(() => viaPromises(memoryClient())),
    yield* Effect.promise(() =>
      viaPromises(apolloClient({ apiKey: ApolloSimulator.defaultMasterKey, baseUrl: apollo.url }))
    )
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
