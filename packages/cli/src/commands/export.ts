/** `unisequence export`: the provider's sequences written to a file in the neutral format. */
import { SequenceFile } from "@unisequence/core"
import { Effect, Option } from "effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { type Handler, out, outJson } from "../internal/context.js"
import { FileFailed } from "../internal/errors.js"
import type { ArgsOf, exportConfig } from "../internal/definitions.js"
import { collect, connectTo } from "../internal/work.js"

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

export const run = (args: ArgsOf<typeof exportConfig>): Handler =>
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
