/** `unisequence show ID`: one sequence with its steps. */
import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { type Handler, out, outJson } from "../internal/context.js"
import { common, provider } from "../internal/options.js"
import * as Render from "../internal/render.js"
import { connectTo } from "../internal/work.js"

export const show = Command.make(
  "show",
  { ...common, provider, id: Args.text({ name: "id" }).pipe(Args.withDescription("The sequence id")) },
  (args): Handler =>
    Effect.gen(function* () {
      const connected = yield* connectTo(args.provider, args)
      const sequence = yield* connected.sequences.get(args.id)
      if (args.json)
        return yield* outJson({ provider: args.provider, sequence: Render.sequenceJson(sequence) })
      yield* out(...Render.showLines(sequence))
    })
).pipe(Command.withDescription("Show one sequence with its steps"))
