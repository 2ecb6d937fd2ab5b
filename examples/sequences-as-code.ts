/**
 * Sequences as code: the desired sequences in `sequences.json`, planned against Kit (reads only) and
 * applied with the migration engine; a second plan finds nothing to do. Like `unisequence plan` /
 * `unisequence apply -f examples/sequences.json --provider kit`.
 *
 *   pnpm tsx examples/sequences-as-code.ts
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Apply, Journal, SequenceFile } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { Console, Effect } from "effect"
import * as NodePath from "node:path"
import { kitOptions } from "./support.js"

const program = Effect.gen(function* () {
  const file = yield* SequenceFile.load(NodePath.join(import.meta.dirname, "sequences.json"))
  const kit = yield* Kit.make(yield* kitOptions())

  const plan = yield* SequenceFile.plan({ file, target: kit.sequences })
  for (const s of plan.sequences) yield* Console.log(`plan: ${s.action} "${s.name}" (${s.calls} calls)`)

  const result = yield* Apply.apply(plan, { target: kit.sequences })
  for (const o of result.outcomes)
    yield* Console.log(`applied: "${o.name}" ${o.outcome} as ${o.targetId}, ${o.verification}`)

  const again = yield* SequenceFile.plan({ file, target: kit.sequences })
  yield* Console.log(`second plan: ${again.sequences.map((s) => `${s.name}: ${s.action}`).join("; ")}`)
})

// The journal in memory (a service: `Journal.layerFile` keeps it across runs).
Effect.runPromise(
  program.pipe(
    Effect.scoped,
    Effect.provide(Journal.layerMemory),
    Effect.provide(FetchHttpClient.layer),
    Effect.provide(NodeContext.layer)
  )
).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
