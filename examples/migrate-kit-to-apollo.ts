/**
 * A migration script: plan Kit → Apollo (reads only), print the warnings, apply with a journal,
 * then plan again to show that a rerun has nothing to do. Killed half-way, the same script started
 * again with the same journal finishes the work with no duplicate.
 *
 *   pnpm tsx examples/migrate-kit-to-apollo.ts
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Apollo } from "@unisequence/apollo"
import { Apply, Journal, Migration, type Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { Console, Effect } from "effect"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { apolloOptions, kitOptions } from "./support.js"

const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"] as const

const program = Effect.gen(function* () {
  const kit = yield* Kit.make(
    yield* kitOptions({
      sequences: [
        {
          name: "Welcome series",
          send_days: weekdays,
          send_hour: 9,
          time_zone: "America/New_York",
          emails: [
            {
              subject: "Welcome",
              content: "<p>Hi!</p>",
              published: true,
              delay_value: 0,
              delay_unit: "days"
            },
            {
              subject: "Tips",
              content: "<p>Tip 1</p>",
              published: true,
              delay_value: 2,
              delay_unit: "days",
              send_days: ["tuesday"]
            }
          ]
        }
      ]
    })
  )
  const apollo = yield* Apollo.make(yield* apolloOptions())

  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-example-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true })))
  // The journal is a service: here a file; `Journal.layerMemory` or another backend works the same.
  yield* migrate(kit.sequences, apollo.sequences).pipe(
    Effect.provide(Journal.layerFile(NodePath.join(dir, "kit-to-apollo.jsonl")))
  )
})

const migrate = (source: Sequences.Sequences, target: Sequences.Sequences) =>
  Effect.gen(function* () {
    const plan = yield* Migration.plan({ source, target })
    for (const s of plan.sequences) {
      yield* Console.log(`plan: ${s.action} "${s.name}" (${s.target.steps.length} steps, ${s.calls} calls)`)
      for (const w of s.warnings) yield* Console.log(`  warning: ${w.path} ${w.kind}: ${w.detail}`)
    }

    const result = yield* Apply.apply(plan, {
      target,
      onEvent: (event) =>
        event._tag === "Finished"
          ? Console.log(`applied: "${event.name}" ${event.outcome}, ${event.verification}`)
          : Effect.void
    })
    const verified = result.outcomes.filter((o) => o.verification === "verified").length
    yield* Console.log(`migrated ${result.outcomes.length}, verified ${verified}`)

    const again = yield* Migration.plan({ source, target })
    yield* Console.log(`rerun: ${again.sequences.map((s) => s.action).join(", ")}`)
  })

Effect.runPromise(
  program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer), Effect.provide(NodeContext.layer))
).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
