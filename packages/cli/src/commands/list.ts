/** `unisequence list`: the provider's sequences, as a table or `--json`. */
import { Command } from "@effect/cli"
import { Effect, Option } from "effect"
import { type Handler, out, outJson } from "../internal/context.js"
import { common, nameFilter, provider } from "../internal/options.js"
import * as Render from "../internal/render.js"
import { collect, connectTo } from "../internal/work.js"

export const list = Command.make(
  "list",
  { ...common, provider, name: nameFilter },
  (args): Handler =>
    Effect.gen(function* () {
      const connected = yield* connectTo(args.provider, args)
      const summaries = yield* collect(
        connected.sequences.list(Option.isSome(args.name) ? { nameContains: args.name.value } : {})
      )
      if (args.json)
        return yield* outJson({ provider: args.provider, sequences: summaries.map(Render.summaryJson) })
      yield* out(...Render.listLines(summaries))
    })
).pipe(Command.withDescription("List the provider's sequences"))
