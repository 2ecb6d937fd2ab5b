/**
 * Carrying out a plan against its target: the journal's state machine, one sequence at a time.
 *
 * Each sequence goes `creating` → `created` → `settled` → (`activated`) → `verified` | `differs`,
 * each state journalled once reached, so a run killed at any point and started again with the
 * same journal resumes where it stopped, with no duplicate and nothing lost; a rerun after success
 * writes nothing. A create is marked with a run token until settled, so a create whose answer was
 * lost is found again, and a late one removed. Every target ends read back and compared with the plan.
 *
 * The journal comes from the context (`Journal.layerFile`, `Journal.layerMemory`, or another backend).
 */
import { Effect, Either } from "effect"
import * as Diff from "./Diff.js"
import * as Journal from "./Journal.js"
import type * as Plan from "./Plan.js"
import type { NewSequence } from "./Sequence.js"
import type { SequenceError } from "./SequenceError.js"
import * as Resilience from "./Resilience.js"
import type { Sequences } from "./Sequences.js"
import { advance, effectiveAction, rank, startingStage } from "./internal/applyState.js"
import { fingerprint, matchByIndex } from "./internal/planning.js"
import { safeDefaults } from "./internal/safeDefaults.js"
import { findByToken, markedName, newToken, sweep, sweepAll } from "./internal/strays.js"

/** Progress of `apply`, one event per sequence and operation. */
export type Event =
  | {
      readonly _tag: "Started"
      readonly key: string
      readonly name: string
      readonly index: number
      readonly total: number
    }
  | { readonly _tag: "Operation"; readonly key: string; readonly state: Journal.State }
  | {
      readonly _tag: "Finished"
      readonly key: string
      readonly name: string
      readonly outcome: Outcome["outcome"]
      readonly verification: Outcome["verification"]
    }

export interface Options {
  readonly target: Sequences
  /** Activate targets and keep the source's published flags (default: the plan's choice). */
  readonly activate?: boolean
  /** Sequences written at once (default 4). */
  readonly concurrency?: number
  readonly onEvent?: (event: Event) => Effect.Effect<void>
  /** Attempts per sequence when the provider fails retryably (default 8); each resumes from the journal. */
  readonly maxAttempts?: number
  /**
   * The retry policy of a sequence that failed retryably (default: the adapters' backoff, 8 attempts,
   * waits capped at 8 s); `schedule` replaces the backoff. Which errors are retried is not an option:
   * those `Resilience.retryableIfSafe` accepts, since every resume reads the target back first.
   */
  readonly retry?: Omit<Resilience.RetryOptions, "retryable">
}

export interface Outcome {
  readonly key: string
  readonly name: string
  readonly targetId?: string | undefined
  readonly outcome: "created" | "resumed" | "updated" | "unchanged" | "removed"
  readonly verification: "verified" | "differs" | "skipped"
  readonly differences: ReadonlyArray<string>
}

export interface Result {
  readonly outcomes: ReadonlyArray<Outcome>
  readonly blocked: ReadonlyArray<Plan.Blocked>
  /** Sequences the target refused while the others were written (each stopped at a journalled point). */
  readonly failed: ReadonlyArray<Plan.Blocked>
}

/** Errors that concern one sequence only: the run goes on with the others and reports it. */
const ofOneSequence = (error: SequenceError | Journal.JournalError): error is SequenceError =>
  error._tag === "InvalidInput" ||
  error._tag === "Unsupported" ||
  error._tag === "SequenceNotFound" ||
  error._tag === "StepNotFound" ||
  error._tag === "Conflict" ||
  error._tag === "MalformedResponse"

/**
 * Completes the target's steps. Without `activate`, the live state is taken from the target as read
 * now, so a user's activation, approval or publication since the plan survives the write.
 */
const reconcileSteps = (
  target: Sequences,
  targetId: string,
  planned: Plan.SequencePlan,
  activate: boolean
): Effect.Effect<
  { readonly stepIds: ReadonlyArray<string>; readonly sequence: NewSequence },
  SequenceError
> =>
  Effect.gen(function* () {
    const actual = yield* target.get(targetId)
    const desired = activate ? planned.target : safeDefaults(planned.translated, actual, false)
    const steps = yield* target.replaceSteps(targetId, matchByIndex(actual, desired))
    return { stepIds: steps.map((step) => step.id), sequence: desired }
  })

/** Carries out one sequence's plan from wherever its journal says it stands. */
const runOne = (
  planned: Plan.SequencePlan,
  entry: Journal.Entry | undefined,
  options: Options & { readonly activate: boolean; readonly journal: Journal.Journal }
): Effect.Effect<Outcome, SequenceError | Journal.JournalError> =>
  Effect.gen(function* () {
    const { target, journal } = options
    const key = planned.key
    let sequence = planned.target
    const emit = (state: Journal.State) => options.onEvent?.({ _tag: "Operation", key, state }) ?? Effect.void
    const record = (
      state: Journal.State,
      extra: Partial<Omit<Journal.Entry, "v" | "at" | "key" | "state">> = {}
    ) =>
      journal
        .append({ key, state, fingerprint: planned.fingerprint, ...extra })
        .pipe(Effect.zipRight(emit(state)))

    if (planned.action === "unchanged") {
      return {
        key,
        name: planned.name,
        targetId: planned.targetId,
        outcome: "unchanged",
        verification: "skipped",
        differences: []
      } satisfies Outcome
    }
    if (planned.action === "remove") {
      if (planned.targetId !== undefined) {
        yield* target.remove(planned.targetId).pipe(Effect.catchTag("SequenceNotFound", () => Effect.void))
      }
      yield* record("removed", planned.targetId === undefined ? {} : { targetId: planned.targetId })
      return {
        key,
        name: planned.name,
        targetId: planned.targetId,
        outcome: "removed",
        verification: "skipped",
        differences: []
      } satisfies Outcome
    }

    let stage = startingStage(planned.action, entry)
    let targetId = planned.action === "create" ? undefined : (entry?.targetId ?? planned.targetId)
    const outcome: Outcome["outcome"] =
      planned.action === "create" ? "created" : planned.action === "resume" ? "resumed" : "updated"

    // 1. The target exists with every planned step, created once.
    if (
      targetId === undefined &&
      entry?.state === "creating" &&
      entry.token !== undefined &&
      planned.action !== "create"
    ) {
      const found = yield* findByToken(target, entry.token)
      if (found._tag === "Some") targetId = found.value.id
    }
    if (targetId === undefined) {
      const token = entry?.state === "creating" && entry.token !== undefined ? entry.token : yield* newToken
      yield* record("creating", { token })
      const created = yield* target.create({
        ...sequence,
        name: markedName(sequence.name, token),
        active: false
      })
      targetId = created.id
      yield* record("created", { targetId, stepIds: created.steps.map((s) => s.id) })
      stage = rank.created
    } else if (stage < rank.created || planned.action === "update") {
      const reconciled = yield* reconcileSteps(target, targetId, planned, options.activate)
      sequence = reconciled.sequence
      yield* record("created", { targetId, stepIds: reconciled.stepIds })
      stage = rank.created
    }
    const id = targetId

    // 2. Final settings: the real name, and for an update every setting that drifted.
    if (stage < rank.settled) {
      const actualSettings = planned.action === "create" ? undefined : yield* target.get(id)
      const patch =
        actualSettings === undefined
          ? { name: sequence.name }
          : Diff.settings(actualSettings, sequence, target.capabilities)
      yield* target.update(id, patch)
      yield* record("settled", { targetId: id })
      stage = rank.settled
    }

    // 3. The live state changes only when asked for (`activate`), after every step is in place:
    // on as the source has it, and off too, since asking is the user's choice. Otherwise it stays.
    if (options.activate && sequence.active && stage < rank.activated) {
      yield* target.setActive(id, true)
      yield* record("activated", { targetId: id })
    } else if (options.activate && !sequence.active && planned.action !== "create") {
      const current = yield* target.get(id)
      if (current.active) yield* target.setActive(id, false)
    }

    // 4. A create whose answer was lost may still land after we created again: remove such strays,
    // which carry our token and nothing anyone else wrote, before reading back.
    if (entry?.state === "creating" && entry.token !== undefined) yield* sweep(target, entry.token, id)

    // 5. Read back and compare with the plan.
    const actual = yield* target.get(id)
    const found = Diff.readBack(sequence, actual, target.capabilities)
    yield* record(found.length === 0 ? "verified" : "differs", { targetId: id })
    return {
      key,
      name: planned.name,
      targetId: id,
      outcome,
      verification: found.length === 0 ? "verified" : "differs",
      differences: found
    } satisfies Outcome
  }).pipe(
    Effect.withSpan("Apply.sequence", {
      attributes: {
        "unisequence.provider": options.target.provider,
        "unisequence.operation": planned.action,
        "unisequence.key": planned.key
      }
    })
  )

/**
 * Carries out a plan against `target`. Safe to kill at any point and run again with the same
 * journal; a rerun after success writes nothing.
 */
export const apply = (
  plan: Plan.Plan,
  options: Options
): Effect.Effect<Result, SequenceError | Journal.JournalError, Journal.Journal> =>
  Effect.gen(function* () {
    const activate = options.activate ?? plan.activate
    // Nothing is written to a target that could not read back what is written (a plan made elsewhere
    // or before the account changed); a plan with nothing to write needs no check.
    if (plan.sequences.some((s) => s.action !== "unchanged")) yield* options.target.preflight ?? Effect.void
    const base = yield* Journal.Journal
    const latest = new Map(yield* Journal.readLatest)
    // The plan read the target and weighed the journal as it was then; only what this run journals
    // since (an earlier attempt of a retried sequence) changes its action.
    const initial = new Map(latest)
    // Keeps `latest` current, so a retried sequence resumes from its last journalled operation.
    const journal: Journal.Journal = {
      ...base,
      append: (entry) =>
        base.append(entry).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              latest.set(entry.key, advance(latest.get(entry.key), entry))
            })
          )
        )
    }
    const total = plan.sequences.length
    /** Sequences whose create was attempted with an unknown outcome, by key: their token. */
    const ambiguous = new Map<string, string>()
    const attempt = (
      planned: Plan.SequencePlan
    ): Effect.Effect<Outcome, SequenceError | Journal.JournalError> => {
      const entry = latest.get(planned.key)
      if (entry?.state === "creating" && entry.token !== undefined) ambiguous.set(planned.key, entry.token)
      return Effect.gen(function* () {
        // Asked to activate otherwise than planned: the target is the translation with that choice.
        const target = safeDefaults(planned.translated, undefined, activate)
        const current =
          activate === plan.activate
            ? planned
            : { ...planned, target, fingerprint: yield* fingerprint(target) }
        const action = entry === initial.get(planned.key) ? current.action : effectiveAction(current, entry)
        const effective: Plan.SequencePlan = { ...current, action }
        return yield* runOne(effective, entry, { ...options, journal, activate })
      })
    }

    // A failed write may or may not have happened: never repeat it blindly, resume from the journal.
    const retried = (planned: Plan.SequencePlan) =>
      Effect.suspend(() => attempt(planned)).pipe(
        Resilience.retry({
          maxAttempts: options.maxAttempts ?? 8,
          maxDelay: "8 seconds",
          ...options.retry,
          // A garbled answer is resumed from too: every resume reads the target back first.
          retryable: Resilience.retryableIfSafe,
          metric: false,
          onRetry: (error, delay) =>
            Effect.logWarning(`${planned.name}: ${error.message}; resuming from the journal`).pipe(
              Effect.zipRight(options.retry?.onRetry?.(error, delay) ?? Effect.void)
            )
        })
      )

    const outcomes = yield* Effect.forEach(
      plan.sequences.map((planned, index) => ({ planned, index })),
      ({ planned, index }) =>
        Effect.gen(function* () {
          if (options.onEvent)
            yield* options.onEvent({ _tag: "Started", key: planned.key, name: planned.name, index, total })
          const outcome = yield* retried(planned)
          if (options.onEvent)
            yield* options.onEvent({
              _tag: "Finished",
              key: planned.key,
              name: planned.name,
              outcome: outcome.outcome,
              verification: outcome.verification
            })
          return outcome
        }).pipe(Effect.either),
      { concurrency: options.concurrency ?? 4 }
    )
    // A lost create can land later still: one more look for strays once everything else is done,
    // in one listing of the target for all of them.
    const keep = new Map<string, string>()
    for (const [key, token] of ambiguous) {
      const id = latest.get(key)?.targetId
      if (id !== undefined) keep.set(token, id)
    }
    if (keep.size > 0)
      yield* sweepAll(options.target, keep).pipe(
        Effect.catchAll((error) => Effect.logWarning(`could not look for duplicates: ${error.message}`))
      )
    // One sequence failing does not interrupt the others: each finishes or stops at a journalled point.
    // A failure of that sequence alone is reported with the others; one of the run (credentials, the
    // provider down, the journal) fails the run.
    const failed: Array<Plan.Blocked> = []
    for (const [i, o] of outcomes.entries()) {
      if (Either.isRight(o)) continue
      if (!ofOneSequence(o.left)) return yield* Effect.fail(o.left)
      const planned = plan.sequences[i]!
      failed.push({ key: planned.key, name: planned.name, error: o.left })
    }
    return { outcomes: outcomes.filter(Either.isRight).map((o) => o.right), blocked: plan.blocked, failed }
  }).pipe(Effect.withSpan("Apply.apply", { attributes: { "unisequence.target": options.target.provider } }))
