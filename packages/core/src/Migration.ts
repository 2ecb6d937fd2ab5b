/**
 * Moving sequences from one provider to another: `plan` reads the source and says what will be
 * written (with every warning) without writing; `apply` carries a plan out against the target,
 * journalling every operation so that a run killed at any point resumes with no duplicate and
 * nothing lost, and ends by reading every target back.
 *
 * The same engine carries out sequences-as-code plans (`SequenceFile`).
 *
 * @example
 * ```ts
 * import { Journal, Memory, Migration } from "@unisequence/core"
 * import { Effect } from "effect"
 *
 * const result = Effect.gen(function* () {
 *   const source = yield* Memory.make()
 *   const target = yield* Memory.make()
 *   yield* source.create({ name: "Welcome", steps: [] })
 *   const plan = yield* Migration.plan({ source, target })
 *   return yield* Migration.apply(plan, { target })
 * }).pipe(Effect.provide(Journal.layerMemory)) // or Journal.layerFile("run.jsonl") to resume after a crash
 * console.log((await Effect.runPromise(result)).outcomes.map((o) => o.outcome)) // [ 'created' ]
 * ```
 *
 * @module
 */
import { Chunk, Effect, Either, Random, Stream } from "effect"
import { translate, type Warning } from "./Capabilities.js"
import * as Journal from "./Journal.js"
import * as Plan from "./Plan.js"
import type { DesiredStep, NewSequence, Sequence, SequencePatch } from "./Sequence.js"
import type { SequenceError } from "./SequenceError.js"
import { retryableIfSafe } from "./Resilience.js"
import type { Sequences } from "./Sequences.js"
import { diffSteps, isNoop, type StepDiff } from "./StepDiff.js"

export interface PlanOptions {
  readonly source: Sequences
  readonly target: Sequences
  readonly select?: Plan.Selection
  /** Plan the targets active and published as in the source (default: inactive, unpublished). */
  readonly activate?: boolean
  /** Source reads in flight at once (default 4). */
  readonly concurrency?: number
}

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

export interface ApplyOptions {
  readonly target: Sequences
  /** Activate targets and keep the source's published flags (default: the plan's choice). */
  readonly activate?: boolean
  /** Sequences written at once (default 4). */
  readonly concurrency?: number
  readonly onEvent?: (event: Event) => Effect.Effect<void>
  /** Attempts per sequence when the provider fails retryably (default 8); each resumes from the journal. */
  readonly maxAttempts?: number
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
}

/** Marks a target while it is being created, so a crash before the journal learns its id is reconciled. */
export const markedName = (name: string, token: string) => `${name} [unisequence ${token}]`

/** 12 random hex digits: enough that two runs' marks never meet. */
const newToken = Effect.map(
  Effect.all(Array.from({ length: 3 }, () => Random.nextIntBetween(0, 0x10000))),
  (parts) => parts.map((n) => n.toString(16).padStart(4, "0")).join("")
)

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

/** Desired steps that keep the target's step at the same index: a partial write is completed, not redone. */
export const matchByIndex = (actual: Sequence, desired: NewSequence): ReadonlyArray<DesiredStep> =>
  desired.steps.map((step, i) => {
    const id = actual.steps[i]?.id
    return id === undefined ? step : { ...step, id }
  })

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** The settings of `desired` that `actual` does not have yet (steps and `active` are handled apart). */
export const settingsPatch = (actual: Sequence, desired: NewSequence): SequencePatch => {
  const patch: { -readonly [K in keyof SequencePatch]: SequencePatch[K] } = {}
  if (actual.name !== desired.name) patch.name = desired.name
  if (desired.schedule !== undefined) {
    const a = actual.schedule
    const d = desired.schedule
    const same =
      a?._tag === d._tag &&
      (d._tag === "Named"
        ? a._tag === "Named" && a.scheduleId === d.scheduleId
        : a._tag === "Weekly" &&
          a.hour === d.hour &&
          a.timeZone === d.timeZone &&
          sameJson([...a.days].sort(), [...d.days].sort()))
    // A weekly schedule written to Apollo reads back as the named schedule it was matched to.
    const matched =
      a?._tag === "Named" &&
      d._tag === "Weekly" &&
      a.weekly !== undefined &&
      a.weekly.hour === d.hour &&
      a.weekly.timeZone === d.timeZone &&
      sameJson([...a.weekly.days].sort(), [...d.days].sort())
    if (!same && !matched) patch.schedule = d
  }
  for (const key of ["sender", "templateId", "reentry", "holdAfterLastStep"] as const) {
    if (desired[key] !== undefined && actual[key] !== desired[key])
      Object.assign(patch, { [key]: desired[key] })
  }
  for (const key of ["exclusions", "limits", "cc", "bcc", "labels"] as const) {
    if (desired[key] !== undefined && !sameJson(actual[key], desired[key]))
      Object.assign(patch, { [key]: desired[key] })
  }
  return patch
}

const stepWriteCalls = (diff: StepDiff, target: Sequences): number =>
  isNoop(diff)
    ? 0
    : target.capabilities.stepsInline
      ? 1
      : diff.creates.length +
        diff.updates.length +
        diff.removes.length +
        (diff.reordered ? diff.order.length : 0)

/** Operations and calls for one sequence, given where it stands. */
const operationsFor = (
  action: Plan.Action,
  sequence: NewSequence,
  target: Sequences,
  activate: boolean,
  actual?: Sequence
): ReadonlyArray<Plan.Operation> => {
  const calls = Plan.callsOf(target.capabilities)
  const finish: Array<Plan.Operation> = []
  if (activate && sequence.active)
    finish.push({ kind: "activate", detail: "activate", calls: calls.activate })
  finish.push({ kind: "verify", detail: "read back and compare", calls: calls.get })
  switch (action) {
    case "create":
      return [
        {
          kind: "create",
          detail: `create with ${sequence.steps.length} step${sequence.steps.length === 1 ? "" : "s"}${activate ? "" : ", inactive, unpublished"}`,
          calls: calls.create(sequence.steps.length)
        },
        { kind: "settle", detail: "set the final name", calls: calls.update },
        ...finish
      ]
    case "resume":
      return [
        { kind: "reconcile", detail: "find the partial target, complete its steps", calls: calls.get + 1 },
        { kind: "settle", detail: "set the final settings", calls: calls.update },
        ...finish
      ]
    case "update": {
      const ops: Array<Plan.Operation> = [{ kind: "reconcile", detail: "read the target", calls: calls.get }]
      if (actual !== undefined) {
        const patch = settingsPatch(actual, sequence)
        const fields = Object.keys(patch)
        if (fields.length > 0)
          ops.push({ kind: "update", detail: `change ${fields.join(", ")}`, calls: calls.update })
        const diff = diffSteps(actual.steps, matchByIndex(actual, sequence))
        if (diff._tag === "Diff" && !isNoop(diff.diff)) {
          const d = diff.diff
          ops.push({
            kind: "replaceSteps",
            detail: `steps: ${d.creates.length} new, ${d.updates.length} changed, ${d.removes.length} removed`,
            calls: stepWriteCalls(d, target)
          })
        }
      }
      return [...ops, ...finish]
    }
    case "remove":
      return [
        {
          kind: "remove",
          detail: target.capabilities.removal === "archive" ? "archive" : "delete",
          calls: calls.remove
        }
      ]
    case "unchanged":
      return []
  }
}

/** Where a journalled sequence stands, as a plan action. */
const actionFrom = (entry: Journal.Entry | undefined, fingerprint: string): Plan.Action => {
  if (entry === undefined) return "create"
  if (entry.state === "verified" && entry.fingerprint === fingerprint) return "unchanged"
  if (entry.state === "verified" || entry.state === "differs") return "update"
  if (entry.state === "removed") return "create"
  return "resume"
}

/** Builds the plan of one sequence from its desired target form. */
export const planSequence = (args: {
  readonly key: string
  readonly translated: NewSequence
  readonly warnings: ReadonlyArray<Warning>
  readonly target: Sequences
  readonly activate: boolean
  readonly entry: Journal.Entry | undefined
  /** The target as it is, when known (sequences-as-code reads it; a migration reads it on update). */
  readonly actual?: Sequence | undefined
}): Effect.Effect<Plan.SequencePlan> =>
  Effect.map(Plan.fingerprint(Plan.withSafeDefaults(args.translated, args.activate)), (fingerprint) => {
    const target = Plan.withSafeDefaults(args.translated, args.activate)
    let action = actionFrom(args.entry, fingerprint)
    if (args.actual !== undefined && args.entry === undefined) {
      const same =
        Plan.differences(target, args.actual, args.target.capabilities).length === 0 &&
        Object.keys(settingsPatch(args.actual, target)).length === 0
      action = same ? "unchanged" : "update"
    }
    const operations = operationsFor(action, target, args.target, args.activate, args.actual)
    return {
      key: args.key,
      name: args.translated.name,
      action,
      targetId: args.entry?.targetId ?? args.actual?.id,
      translated: args.translated,
      target,
      warnings: args.warnings,
      operations,
      calls: operations.reduce((n, op) => n + op.calls, 0),
      fingerprint
    }
  })

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
        translate(sequence, target.capabilities).pipe(
          Effect.flatMap((translation) =>
            Effect.gen(function* () {
              const entry = journal.get(sequence.id)
              const translated = translation.sequence
              const warnings = translation.warnings
              const draft = yield* planSequence({
                key: sequence.id,
                translated,
                warnings,
                target,
                activate,
                entry
              })
              // A changed source is compared with what the target holds now.
              return draft.action === "update" && draft.targetId !== undefined
                ? yield* target.get(draft.targetId).pipe(
                    Effect.flatMap((actual) =>
                      planSequence({
                        key: sequence.id,
                        translated,
                        warnings,
                        target,
                        activate,
                        entry,
                        actual
                      })
                    )
                  )
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
      calls: Plan.totalCalls(sequences, target.capabilities)
    }
  }).pipe(
    Effect.withSpan("Migration.plan", {
      attributes: {
        "unisequence.source": options.source.provider,
        "unisequence.target": options.target.provider
      }
    })
  )

const findByToken = (target: Sequences, token: string) =>
  target.list({ nameContains: token }).pipe(
    Stream.filter((summary) => summary.name.includes(token)),
    Stream.runCollect,
    Effect.map(Chunk.head)
  )

/** Removes every target sequence marked with `token` except `keep`: the strays of lost creates. */
export const sweep = (target: Sequences, token: string, keep: string) =>
  target.list({ nameContains: token }).pipe(
    Stream.filter(
      (summary) => summary.name.includes(token) && summary.id !== keep && summary.archived !== true
    ),
    Stream.runForEach((stray) =>
      Effect.logWarning(`removing ${stray.id}, a duplicate left by a create whose answer was lost`).pipe(
        Effect.zipRight(target.remove(stray.id)),
        Effect.catchTag("SequenceNotFound", () => Effect.void)
      )
    )
  )

/** Makes the target's steps exactly the planned ones, keeping what a previous run already wrote. */
const reconcileSteps = (target: Sequences, targetId: string, desired: NewSequence) =>
  target.get(targetId).pipe(
    Effect.flatMap((actual) => target.replaceSteps(targetId, matchByIndex(actual, desired))),
    Effect.map((steps) => steps.map((step) => step.id))
  )

const rank: Readonly<Record<Journal.State, number>> = {
  creating: 0,
  created: 1,
  settled: 2,
  activated: 3,
  verified: 4,
  differs: 4,
  removed: 5
}

/** Carries out one sequence's plan from wherever its journal says it stands. */
const runOne = (
  planned: Plan.SequencePlan,
  entry: Journal.Entry | undefined,
  options: ApplyOptions & { readonly activate: boolean; readonly journal: Journal.Journal }
): Effect.Effect<Outcome, SequenceError | Journal.JournalError> =>
  Effect.gen(function* () {
    const { target, journal } = options
    const key = planned.key
    const sequence = planned.target
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

    let stage = entry === undefined || planned.action === "create" ? -1 : rank[entry.state]
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
      const stepIds = yield* reconcileSteps(target, targetId, sequence)
      yield* record("created", { targetId, stepIds })
      stage = rank.created
    }
    const id = targetId

    // 2. Final settings: the real name, and for an update every setting that drifted.
    if (stage < rank.settled) {
      const actualSettings = planned.action === "create" ? undefined : yield* target.get(id)
      const patch =
        actualSettings === undefined ? { name: sequence.name } : settingsPatch(actualSettings, sequence)
      yield* target.update(id, patch)
      yield* record("settled", { targetId: id })
      stage = rank.settled
    }

    // 3. Activation only when asked for, after every step is in place.
    if (options.activate && sequence.active && stage < rank.activated) {
      yield* target.setActive(id, true)
      yield* record("activated", { targetId: id })
    } else if (!options.activate && planned.action !== "create") {
      // An update never leaves a target running that the plan wants inactive.
      const current = yield* target.get(id)
      if (current.active && !sequence.active) yield* target.setActive(id, false)
    }

    // 4. A create whose answer was lost may still land after we created again: remove such strays,
    // which carry our token and nothing anyone else wrote, before reading back.
    if (entry?.state === "creating" && entry.token !== undefined) yield* sweep(target, entry.token, id)

    // 5. Read back and compare with the plan.
    const actual = yield* target.get(id)
    const found = Plan.differences(sequence, actual, target.capabilities)
    yield* record(found.length === 0 ? "verified" : "differs", { targetId: id })
    return {
      key,
      name: planned.name,
      targetId: id,
      outcome,
      verification: found.length === 0 ? "verified" : "differs",
      differences: found
    } satisfies Outcome
  }).pipe(Effect.withSpan("Migration.applySequence", { attributes: { "unisequence.key": planned.key } }))

/**
 * Carries out a plan against `target`. Safe to kill at any point and run again with the same
 * journal; a rerun after success writes nothing.
 */
export const apply = (
  plan: Plan.Plan,
  options: ApplyOptions
): Effect.Effect<Result, SequenceError | Journal.JournalError, Journal.Journal> =>
  Effect.gen(function* () {
    const activate = options.activate ?? plan.activate
    const base = yield* Journal.Journal
    const latest = new Map(yield* Journal.readLatest)
    // Keeps `latest` current, so a retried sequence resumes from its last journalled operation.
    const journal: Journal.Journal = {
      ...base,
      append: (entry) =>
        base.append(entry).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              const previous = latest.get(entry.key)
              latest.set(
                entry.key,
                Journal.latest([
                  ...(previous === undefined ? [] : [previous]),
                  { v: 1, at: "", ...entry }
                ]).get(entry.key)!
              )
            })
          )
        )
    }
    const total = plan.sequences.length
    /** Sequences whose create was attempted with an unknown outcome, by key: their token. */
    const ambiguous = new Map<string, string>()
    const maxAttempts = Math.max(1, options.maxAttempts ?? 8)

    const attempt = (
      planned: Plan.SequencePlan,
      n: number
    ): Effect.Effect<Outcome, SequenceError | Journal.JournalError> => {
      const entry = latest.get(planned.key)
      if (entry?.state === "creating" && entry.token !== undefined) ambiguous.set(planned.key, entry.token)
      return Effect.gen(function* () {
        const target = Plan.withSafeDefaults(planned.translated, activate)
        const current =
          activate === plan.activate
            ? planned
            : { ...planned, target, fingerprint: yield* Plan.fingerprint(target) }
        // The journal may be newer than the plan (an earlier attempt, or a run after planning): trust it.
        const effective: Plan.SequencePlan =
          entry !== undefined && current.action !== "remove"
            ? {
                ...current,
                action:
                  actionFrom(entry, current.fingerprint) === "unchanged"
                    ? "unchanged"
                    : current.action === "create"
                      ? "resume"
                      : current.action
              }
            : current
        return yield* runOne(effective, entry, { ...options, journal, activate }).pipe(
          // A failed write may or may not have happened: never repeat it blindly, resume from the journal.
          Effect.catchIf(
            // A garbled answer is resumed from too: every resume reads the target back first.
            (error) => n < maxAttempts && error._tag !== "JournalError" && retryableIfSafe(error),
            (error) =>
              Effect.logWarning(`${planned.name}: ${error.message}; resuming from the journal`).pipe(
                Effect.zipRight(Effect.sleep(`${Math.min(8000, 250 * 2 ** n)} millis`)),
                Effect.zipRight(attempt(planned, n + 1))
              )
          )
        )
      })
    }

    const outcomes = yield* Effect.forEach(
      plan.sequences.map((planned, index) => ({ planned, index })),
      ({ planned, index }) =>
        Effect.gen(function* () {
          if (options.onEvent)
            yield* options.onEvent({ _tag: "Started", key: planned.key, name: planned.name, index, total })
          const outcome = yield* attempt(planned, 1)
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
    // A lost create can land later still: one more look for strays once everything else is done.
    yield* Effect.forEach(
      [...ambiguous].flatMap(([key, token]) => {
        const keep = latest.get(key)?.targetId
        return keep === undefined ? [] : [{ token, keep }]
      }),
      ({ token, keep }) =>
        sweep(options.target, token, keep).pipe(
          Effect.catchAll((error) => Effect.logWarning(`could not look for duplicates: ${error.message}`))
        ),
      { discard: true }
    )
    // One sequence failing does not interrupt the others: each finishes or stops at a journalled point.
    const failure = outcomes.find(Either.isLeft)
    if (failure !== undefined) return yield* Effect.fail(failure.left)
    return { outcomes: outcomes.filter(Either.isRight).map((o) => o.right), blocked: plan.blocked }
  }).pipe(
    Effect.withSpan("Migration.apply", { attributes: { "unisequence.target": options.target.provider } })
  )
