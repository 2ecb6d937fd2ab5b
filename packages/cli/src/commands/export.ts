/** `unisequence export`: the provider's sequences written to a file in the neutral format. */
import { Command, Options } from "@effect/cli"
import { SequenceFile } from "@unisequence/core"
import { Effect, Option } from "effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { type Handler, out, outJson } from "../internal/context.js"
import { FileFailed } from "../internal/errors.js"
import { common, nameFilter, provider } from "../internal/options.js"
import { collect, connectTo } from "../internal/work.js"

const output = Options.text("output").pipe(
  Options.withAlias("o"),
  Options.withDescription("Where to write the file (`-` for stdout)")
)
const format = Options.choice("format", ["yaml", "json"]).pipe(
  Options.optional,
  Options.withDescription("File format (default: from the file's extension, else yaml)")
)
const portable = Options.boolean("portable").pipe(
  Options.withDescription("Leave provider ids out, to plan the file against another provider or account")
)

const formatOf = (path: string, chosen: Option.Option<"yaml" | "json">): "yaml" | "json" =>
  Option.getOrElse(chosen, () => (path.toLowerCase().endsWith(".json") ? "json" : "yaml"))

const writeText = (path: string, text: string) =>
  Effect.try({
    try: () => {
      NodeFs.mkdirSync(NodePath.dirname(NodePath.resolve(path)), { recursive: true })
      NodeFs.writeFileSync(path, text)
    },
    catch: (e) => new FileFailed({ path, reason: e instanceof Error ? e.message : String(e) })
  })

export const exportCommand = Command.make(
  "export",
  { ...common, provider, output, format, portable, name: nameFilter },
  (args): Handler =>
    Effect.gen(function* () {
      const connected = yield* connectTo(args.provider, args)
      const summaries = yield* collect(
        connected.sequences.list(Option.isSome(args.name) ? { nameContains: args.name.value } : {})
      )
      const sequences = yield* Effect.forEach(summaries, (s) => connected.sequences.get(s.id), {
        concurrency: 4
      })
      const fileFormat = formatOf(args.output, args.format)
      const text = SequenceFile.stringify(
        SequenceFile.fromSequences(sequences, { ids: !args.portable }),
        fileFormat
      )
      if (args.output === "-") return yield* out(text.trimEnd())
      yield* writeText(args.output, text)
      if (args.json)
        return yield* outJson({
          provider: args.provider,
          path: args.output,
          format: fileFormat,
          sequences: sequences.map((s) => ({ id: s.id, name: s.name, steps: s.steps.length }))
        })
      yield* out(
        `exported ${sequences.length} sequence${sequences.length === 1 ? "" : "s"} from ${args.provider} to ${args.output} (${fileFormat})`
      )
    })
).pipe(Command.withDescription("Write the provider's sequences to a file in the neutral format"))
