/** `unisequence show ID`: one sequence with its steps. */
import { Effect } from "effect"
import { type Handler, out, outJson } from "../internal/context.js"
import type { ArgsOf, showConfig } from "../internal/definitions.js"
import * as Render from "../internal/render.js"
import { connectTo } from "../internal/work.js"

export const run = (args: ArgsOf<typeof showConfig>): Handler =>
  Effect.gen(function* () {
    const connected = yield* connectTo(args.provider, args)
    const sequence = yield* connected.sequences.get(args.id)
    if (args.json) return yield* outJson({ provider: args.provider, sequence: Render.sequenceJson(sequence) })
    yield* out(...Render.showLines(sequence))
  })
