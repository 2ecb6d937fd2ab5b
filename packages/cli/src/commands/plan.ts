/** `unisequence plan`: what `apply` would do to make the provider match a sequence file. */
import { Effect } from "effect"
import { type Handler, out, outJson } from "../internal/context.js"
import type { ArgsOf, planConfig } from "../internal/definitions.js"
import { planFile } from "../internal/planFile.js"
import * as Render from "../internal/render.js"
import { incompleteIf, journalLayer, applyJournalName } from "../internal/work.js"

export const run = (args: ArgsOf<typeof planConfig>): Handler =>
  Effect.gen(function* () {
    const { plan } = yield* planFile(args)
    if (args.json) yield* outJson({ command: "plan", file: args.file, plan: Render.planJson(plan) })
    else yield* out(...Render.planLines(plan, args.file))
    yield* incompleteIf(plan.blocked.length, 0)
  }).pipe(Effect.provide(journalLayer(args.journal, applyJournalName(args))))
