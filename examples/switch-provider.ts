/**
 * App code written once against `Sequences`, run on three providers by swapping one layer:
 * in memory, then Kit, then Apollo (simulators unless KIT_API_KEY / APOLLO_API_KEY are set).
 *
 *   pnpm tsx examples/switch-provider.ts
 */
import { FetchHttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { Memory, Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { Console, Effect, Layer } from "effect"
import { apolloOptions, kitOptions } from "./support.js"

/** The app: create an onboarding sequence, add a step, read it back. It knows no provider. */
const onboarding = Effect.gen(function* () {
  const sequences = yield* Sequences.Sequences
  const created = yield* sequences.create({
    name: "Onboarding (switch-provider example)",
    steps: [
      { delay: { value: 0, unit: "days" }, email: { subject: "Welcome!", html: "<p>Glad you're here.</p>" } },
      {
        delay: { value: 2, unit: "days" },
        email: { subject: "Your first project", html: "<p>Start here.</p>" }
      }
    ]
  })
  yield* sequences.addStep(created.id, {
    delay: { value: 3, unit: "days" },
    email: { subject: "Tips from the team", html: "<p>Three tips.</p>" }
  })
  const read = yield* sequences.get(created.id)
  yield* Console.log(
    `[${sequences.provider}] "${read.name}" (id ${read.id}): ${read.steps.length} steps, ` +
      `active ${read.active}: ${read.steps.map((s) => `${s.delay.value} ${s.delay.unit} "${s.email?.subject}"`).join(", ")}`
  )
  return read.steps.length
})

const program = Effect.gen(function* () {
  // 1. In memory: no account needed.
  yield* onboarding.pipe(Effect.provide(Memory.layer()))
  // 2. Kit: the same code, another layer.
  const kit = yield* kitOptions()
  yield* onboarding.pipe(Effect.provide(Kit.layer(kit).pipe(Layer.provide(FetchHttpClient.layer))))
  // 3. Apollo.
  const apollo = yield* apolloOptions()
  yield* onboarding.pipe(Effect.provide(Apollo.layer(apollo).pipe(Layer.provide(FetchHttpClient.layer))))
  yield* Console.log("same code, three providers")
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
