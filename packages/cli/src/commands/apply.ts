/** `unisequence apply`: makes the provider match a sequence file. */
import { Effect } from "effect"
import { type Handler, out, outJson, RunContext } from "../internal/context.js"
import type { ArgsOf, planConfig } from "../internal/definitions.js"
import { planFile } from "../internal/planFile.js"
import * as Render from "../internal/render.js"
import { applyPlan, callsLine, incompleteIf, journalLayer, applyJournalName } from "../internal/work.js"

export const run = (args: ArgsOf<typeof planConfig>): Handler =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const { plan, connected } = yield* planFile(args)
    if (!args.json) yield* out(...Render.planLines(plan, args.file), "")
    const result = Render.hasWork(plan)
      ? yield* applyPlan(plan, connected, {})
      : {
          outcomes: plan.sequences.map((s) => ({
            key: s.key,
            name: s.name,
            targetId: s.targetId,
            outcome: "unchanged" as const,
            verification: "skipped" as const,
            differences: []
          })),
          blocked: plan.blocked,
          failed: []
        }
    const counts = Render.resultCounts(result)
    if (args.json)
      yield* outJson({
        command: "apply",
        file: args.file,
        plan: Render.planJson(plan),
        result: Render.resultJson(result),
        calls: { [args.provider]: run.counter.counts[args.provider] }
      })
    else if (!Render.hasWork(plan)) yield* out("nothing to do: the provider already matches the file")
    else
      yield* out(
        "Applied:",
        ...Render.resultLines(result),
        "",
        `  ${Render.resultSummary(result)}; ${callsLine(run.counter, [args.provider])}`
      )
    yield* incompleteIf(counts.blocked + counts.failed, counts.differs)
  }).pipe(Effect.provide(journalLayer(args.journal, applyJournalName(args))))
