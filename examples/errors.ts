/**
 * Every failure is a typed error: handle each kind by its tag with `Effect.catchTags`, and no
 * failure ever carries the key.
 *
 *   pnpm tsx examples/errors.ts
 */
import { FetchHttpClient } from "@effect/platform"
import type { SequenceError } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { Console, Effect, Redacted, Stream } from "effect"
import { kitOptions } from "./support.js"

/** One place that turns each error into what a user should read. */
const explain = <A, R>(label: string, effect: Effect.Effect<A, SequenceError.SequenceError, R>) =>
  effect.pipe(
    Effect.as(`${label}: ok`),
    Effect.catchTags({
      SequenceNotFound: (e) => Effect.succeed(`${label}: SequenceNotFound: no sequence ${e.sequenceId}`),
      StepNotFound: (e) => Effect.succeed(`${label}: StepNotFound: no step ${e.stepId}`),
      AuthenticationFailed: (e) =>
        Effect.succeed(`${label}: AuthenticationFailed: check the ${e.provider} key`),
      PermissionDenied: (e) => Effect.succeed(`${label}: PermissionDenied: ${e.reason}`),
      InvalidInput: (e) =>
        Effect.succeed(
          `${label}: InvalidInput: ${e.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`
        ),
      Unsupported: (e) => Effect.succeed(`${label}: Unsupported: ${e.feature} on ${e.provider}`),
      RateLimited: (e) => Effect.succeed(`${label}: RateLimited: retry later (retryable: ${e.isRetryable})`),
      Conflict: (e) => Effect.succeed(`${label}: Conflict: ${e.reason}`),
      ProviderUnavailable: (e) => Effect.succeed(`${label}: ProviderUnavailable: ${e.reason}`),
      MalformedResponse: (e) => Effect.succeed(`${label}: MalformedResponse: ${e.reason}`)
    }),
    Effect.flatMap(Console.log)
  )

const program = Effect.gen(function* () {
  const options = yield* kitOptions()
  const kit = yield* Kit.make({ ...options, retry: false })
  const wrongKey = yield* Kit.make({
    ...options,
    apiKey: Redacted.make("kit_not_a_real_key"),
    retry: false
  })

  yield* explain("get an unknown id", kit.sequences.get("987654321"))
  yield* explain("get with a wrong key", Effect.asVoid(wrongKey.sequences.get("1")))
  yield* explain(
    "create with an hour of 25",
    kit.sequences.create({
      name: "Bad schedule",
      schedule: { _tag: "Weekly", days: ["monday"], hour: 25, timeZone: "Europe/Paris" }
    })
  )
  yield* explain(
    "a call step on Kit",
    kit.sequences.create({ name: "Calls", steps: [{ type: "call", delay: { value: 1, unit: "days" } }] })
  )
  yield* explain("list the first sequence", Stream.runDrain(Stream.take(kit.sequences.list(), 1)))
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
