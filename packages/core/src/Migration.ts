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
import { translate, type Warning } from "./Capabilities.js"
import * as Journal from "./Journal.js"
import type * as Plan from "./Plan.js"
import type { Sequence } from "./Sequence.js"
import { Conflict, InvalidInput, type SequenceError } from "./SequenceError.js"
import type { Sequences } from "./Sequences.js"
import { callsOf, planSequence, refusals, scheduleWarnings, totalCalls } from "./internal/planning.js"
import { safeDefaults } from "./internal/safeDefaults.js"

/** Which source sequences a migration plans: all of them, some by id, or those whose name contains a text. */
export type Selection =
  | { readonly _tag: "All" }
  | { readonly _tag: "Ids"; readonly ids: ReadonlyArray<string> }
  | { readonly _tag: "NameContains"; readonly text: string }

export const all: Selection = { _tag: "All" }
export const ids = (ids: ReadonlyArray<string>): Selection => ({ _tag: "Ids", ids })
export const nameContains = (text: string): Selection => ({ _tag: "NameContains", text })

export interface PlanOptions {
  readonly source: Sequences
  readonly target: Sequences
  readonly select?: Selection
  /** Plan the targets active and published as in the source (default: inactive, unpublished). */
  readonly activate?: boolean
  /** Source reads in flight at once (default 4). */
  readonly concurrency?: number
}

const selected = (
  source: Sequences,
  select: Selection
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

/**
 * Reads the selected source sequences and plans their migration. Writes nothing. The target is the
 * truth: every sequence the journal says was written is read again (gone: created again, with a
 * warning; archived: blocked), and the plan compares with what it holds, never with the journal.
 * What the target's service would refuse is blocked here, with its reasons, not found at apply.
 */
export const plan = (
  options: PlanOptions
): Effect.Effect<Plan.Plan, SequenceError | Journal.JournalError, Journal.Journal> =>
  Effect.gen(function* () {
    const { source, target } = options
    const capabilities = target.capabilities
    const activate = options.activate ?? false
    // Before anything else: a target that could not read back what a run writes fails the plan once.
    const preflightReads = yield* target.preflight ?? Effect.succeed(0)
    const journal = yield* Journal.readLatest
    const sequences: Array<Plan.SequencePlan> = []
    const blocked: Array<Plan.Blocked> = []
    const calls = callsOf(capabilities)
    // One list of the target, to say when a new sequence's name is already taken there.
    const existing = yield* Stream.runCollect(target.list())
    let reads = 1 + preflightReads
    let schedulesRead = false
    const names = new Map<string, Array<string>>()
    for (const s of existing) if (s.archived !== true) names.set(s.name, [...(names.get(s.name) ?? []), s.id])
    yield* selected(source, options.select ?? all).pipe(
      Stream.mapEffect(({ id }) => source.get(id), { concurrency: options.concurrency ?? 4 }),
      Stream.mapEffect((sequence) =>
        translate(sequence, capabilities, { sources: [source.capabilities] }).pipe(
          Effect.flatMap((translation) =>
            Effect.gen(function* () {
              const journalled = journal.get(sequence.id)
              const warnings: Array<Warning> = [...translation.warnings]
              let entry = journalled
              let actual: Sequence | undefined
              if (journalled?.targetId !== undefined && journalled.state !== "removed") {
                reads += calls.get
                const found = yield* target.get(journalled.targetId).pipe(
                  Effect.map((s): Sequence | undefined => s),
                  Effect.catchTag("SequenceNotFound", () => Effect.succeed(undefined))
                )
                if (found === undefined) {
                  warnings.push({
                    path: "",
                    kind: "notice",
                    detail: `${journalled.targetId}, written by an earlier run, is no longer in ${capabilities.displayName}: it is created again`
                  })
                  entry = undefined
                } else if (found.archived === true) {
                  return yield* new Conflict({
                    provider: target.provider,
                    operation: "plan",
                    reason: `${found.id} ("${found.name}"), written by an earlier run, is archived in ${capabilities.displayName}: nothing is written to it; unarchive it to update it`
                  })
                } else actual = found
              }
              const translated = translation.sequence
              if (
                translated.schedule?._tag === "Weekly" &&
                target.scheduleFor !== undefined &&
                !schedulesRead
              ) {
                schedulesRead = true
                reads += 1
              }
              const planned = yield* planSequence({
                key: sequence.id,
                translated,
                target: safeDefaults(translated, actual, activate),
                warnings: yield* scheduleWarnings(target, translated, warnings),
                to: target,
                activate,
                entry,
                actual
              })
              const taken = (names.get(translated.name) ?? []).filter((id) => id !== planned.targetId)
              const noticed =
                taken.length === 0 || planned.action !== "create"
                  ? planned
                  : {
                      ...planned,
                      warnings: [
                        ...planned.warnings,
                        {
                          path: "name",
                          kind: "notice" as const,
                          detail: `${capabilities.displayName} already has a sequence named "${translated.name}" (${taken.join(", ")}); another one is created beside it`
                        }
                      ]
                    }
              const refused = refusals(noticed.target, capabilities)
              if (refused.length > 0)
                return yield* new InvalidInput({
                  provider: target.provider,
                  operation: "plan",
                  issues: refused
                })
              return noticed
            })
          ),
          Effect.tap((planned) => Effect.sync(() => sequences.push(planned))),
          Effect.catchTags({
            Unsupported: (error) =>
              Effect.sync(() => blocked.push({ key: sequence.id, name: sequence.name, error })),
            InvalidInput: (error) =>
              Effect.sync(() => blocked.push({ key: sequence.id, name: sequence.name, error })),
            Conflict: (error) =>
              Effect.sync(() => blocked.push({ key: sequence.id, name: sequence.name, error }))
          })
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
      calls: totalCalls(sequences, capabilities),
      reads
    }
  }).pipe(
    Effect.withSpan("Migration.plan", {
      attributes: {
        "unisequence.source": options.source.provider,
        "unisequence.target": options.target.provider
      }
    })
  )
