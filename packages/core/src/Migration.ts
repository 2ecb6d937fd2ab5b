/**
 * Planning a migration from one provider to another: reads the selected source sequences,
 * translates each to what the target can hold (every loss a warning; what cannot be carried over
 * blocked, with its reason), and says what will be written, without writing. `Apply.apply` carries
 * the plan out.
 *
 * @example
 * ```ts
 * import { Apply, Journal, Memory, Migration } from "@unisequence/core"
 * import { Effect } from "effect"
 *
 * const result = Effect.gen(function* () {
 *   const source = yield* Memory.make()
 *   const target = yield* Memory.make()
 *   yield* source.create({ name: "Welcome", steps: [] })
 *   const plan = yield* Migration.plan({ source, target })
 *   return yield* Apply.apply(plan, { target })
 * }).pipe(Effect.provide(Journal.layerMemory)) // or Journal.layerFile("run.jsonl") to resume after a crash
 * console.log((await Effect.runPromise(result)).outcomes.map((o) => o.outcome)) // [ 'created' ]
 * ```
 *
 * @module
 */
import { Effect, Stream } from "effect"
import { translate } from "./Capabilities.js"
import * as Journal from "./Journal.js"
import * as Plan from "./Plan.js"
import type { SequenceError } from "./SequenceError.js"
import type { Sequences } from "./Sequences.js"
import { planSequence, totalCalls } from "./internal/planning.js"
import { safeDefaults } from "./internal/safeDefaults.js"

export interface PlanOptions {
  readonly source: Sequences
  readonly target: Sequences
  readonly select?: Plan.Selection
  /** Plan the targets active and published as in the source (default: inactive, unpublished). */
  readonly activate?: boolean
  /** Source reads in flight at once (default 4). */
  readonly concurrency?: number
}

const selected = (
  source: Sequences,
  select: Plan.Selection
): Stream.Stream<{ readonly id: string }, SequenceError> => {
  switch (select._tag) {
    case "All":
      return source.list()
    case "NameContains":
      return source.list({ nameContains: select.text })
    case "Ids":
      return Stream.fromIterable(select.ids).pipe(Stream.map((id) => ({ id })))
  }
}

/** Reads the selected source sequences and plans their migration. Writes nothing. */
export const plan = (
  options: PlanOptions
): Effect.Effect<Plan.Plan, SequenceError | Journal.JournalError, Journal.Journal> =>
  Effect.gen(function* () {
    const { source, target } = options
    const activate = options.activate ?? false
    const journal = yield* Journal.readLatest
    const sequences: Array<Plan.SequencePlan> = []
    const blocked: Array<Plan.Blocked> = []
    yield* selected(source, options.select ?? Plan.all).pipe(
      Stream.mapEffect(({ id }) => source.get(id), { concurrency: options.concurrency ?? 4 }),
      Stream.mapEffect((sequence) =>
        translate(sequence, target.capabilities, { sources: [source.capabilities] }).pipe(
          Effect.flatMap((translation) =>
            Effect.gen(function* () {
              const entry = journal.get(sequence.id)
              const translated = translation.sequence
              const planned = {
                key: sequence.id,
                translated,
                target: safeDefaults(translated, undefined, activate),
                warnings: translation.warnings,
                to: target,
                activate,
                entry
              }
              const draft = yield* planSequence(planned)
              // A changed source is compared with what the target holds now.
              return draft.action === "update" && draft.targetId !== undefined
                ? yield* target
                    .get(draft.targetId)
                    .pipe(Effect.flatMap((actual) => planSequence({ ...planned, actual })))
                : draft
            })
          ),
          Effect.tap((planned) => Effect.sync(() => sequences.push(planned))),
          Effect.catchTag("Unsupported", (error) =>
            Effect.sync(() => blocked.push({ key: sequence.id, name: sequence.name, error }))
          )
        )
      ),
      Stream.runDrain
    )
    return {
      kind: "migration" as const,
      source: source.provider,
      target: target.provider,
      activate,
      sequences,
      blocked,
      calls: totalCalls(sequences, target.capabilities)
    }
  }).pipe(
    Effect.withSpan("Migration.plan", {
      attributes: {
        "unisequence.source": options.source.provider,
        "unisequence.target": options.target.provider
      }
    })
  )
