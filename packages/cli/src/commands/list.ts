/** `unisequence list`: the provider's sequences, as a table or `--json`. */
import { Effect, Option } from "effect"
import { type Handler, out, outJson } from "../internal/context.js"
import type { ArgsOf, listConfig } from "../internal/definitions.js"
import * as Render from "../internal/render.js"
import { collect, connectTo } from "../internal/work.js"

export const run = (args: ArgsOf<typeof listConfig>): Handler =>
  Effect.gen(function* () {
    const connected = yield* connectTo(args.provider, args)
    const summaries = yield* collect(
      connected.sequences.list(Option.isSome(args.name) ? { nameContains: args.name.value } : {})
    )
    if (args.json)
      return yield* outJson({ provider: args.provider, sequences: summaries.map(Render.summaryJson) })
    yield* out(...Render.listLines(summaries))
  })
