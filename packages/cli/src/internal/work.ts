/**
 * The steps commands share: connecting to a provider, reading a stream whole, carrying a plan out
 * with progress, and turning what was left undone into the `Incomplete` failure.
 */
import { Apply, Journal, type JournalLease, type Plan } from "@unisequence/core"
import { Chunk, Effect, Either, Layer, Option, Stream } from "effect"
import type { FileSystem, HttpClient, Path } from "@effect/platform"
import { type CallCounter, RunContext } from "./context.js"
import { type CommandError, Incomplete, UsageError } from "./errors.js"
import * as JournalSpec from "./journalSpec.js"
import type { Common } from "./options.js"
import * as Progress from "./progress.js"
import { type Connected, connect } from "./providers.js"
import { type ProviderName, settingsFor } from "./settings.js"

export const connectTo = (
  name: ProviderName,
  flags: Common
): Effect.Effect<Connected, CommandError, RunContext | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const settings = yield* settingsFor(name, flags)
    return yield* connect(settings, run.counter)
  })

export const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Stream.runCollect(stream).pipe(Effect.map(Chunk.toReadonlyArray))

/** `--journal`, parsed; a bad value is a usage error that does not repeat it (it may hold a password). */
export const parseJournal = (text: string): Effect.Effect<JournalSpec.JournalSpec, UsageError> =>
  Either.match(JournalSpec.parse(text), {
    onLeft: (message) => Effect.fail(new UsageError({ message })),
    onRight: Effect.succeed
  })

/** The journal `--journal` names, as journal `name` of a database, or one in memory without it. */
export const journalLayer = (
  journal: Option.Option<string>,
  name: string
): Layer.Layer<
  Journal.Journal,
  Journal.JournalError | JournalLease.JournalBusy | UsageError,
  FileSystem.FileSystem | Path.Path
> =>
  Option.isSome(journal)
    ? Layer.unwrapEffect(Effect.map(parseJournal(journal.value), (spec) => JournalSpec.layer(spec, name)))
    : Journal.layerMemory

/** The journal of a sequence file's plan/apply, in a database: by provider and file name. */
export const applyJournalName = (args: { readonly provider: ProviderName; readonly file: string }) =>
  `apply-${args.provider}-${args.file.split(/[\\/]/).pop() ?? args.file}`

export const callsLine = (counter: CallCounter, providers: ReadonlyArray<ProviderName>) =>
  `HTTP calls: ${providers.map((p) => `${p} ${counter.counts[p]}`).join(", ")}`

/** Carries a plan out with progress on stderr; fails with `Incomplete` when anything was left undone. */
export const applyPlan = (
  plan: Plan.Plan,
  target: Connected,
  options: { readonly activate?: boolean }
): Effect.Effect<Apply.Result, CommandError, RunContext | Journal.Journal> =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const progress = Progress.make(run.progress, plan.sequences.length)
    return yield* Apply.apply(plan, {
      target: target.sequences,
      ...(options.activate === undefined ? {} : { activate: options.activate }),
      onEvent: progress.onEvent
    }).pipe(Effect.ensuring(progress.done))
  })

export const incompleteIf = (blocked: number, differs: number) =>
  blocked === 0 && differs === 0
    ? Effect.void
    : Effect.fail(
        new Incomplete({
          message: [
            ...(blocked > 0
              ? [`${blocked} sequence(s) blocked or failed: they were not written to the target`]
              : []),
            ...(differs > 0 ? [`${differs} sequence(s) read back different from the plan`] : [])
          ].join("; ")
        })
      )
