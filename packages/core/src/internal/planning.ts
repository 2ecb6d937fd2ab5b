/**
 * Planning one sequence, shared by the migration and the sequence-file planners: where it stands
 * (from the journal and, when read, the target), the operations that take it to the plan, their
 * HTTP calls (from the target's capabilities), and the fingerprint a rerun is compared by.
 */
import { Effect } from "effect"
import type { Capabilities, Warning } from "../Capabilities.js"
import * as Diff from "../Diff.js"
import type * as Journal from "../Journal.js"
import type * as Plan from "../Plan.js"
import type { DesiredStep, NewSequence, Sequence, SequencePatch } from "../Sequence.js"
import { type Issue, type SequenceError, Unsupported } from "../SequenceError.js"
import type { Sequences } from "../Sequences.js"
import { unsupportedInSequence } from "./support.js"
import { sequenceRangeIssues, validateNewSequence } from "./validation.js"

/** HTTP calls each write takes on a provider, from its capabilities (no network needed). */
export const callsOf = (capabilities: Capabilities) => ({
  // A provider that takes steps inline creates a sequence in one request; otherwise one per step.
  create: (steps: number) => (capabilities.stepsInline ? 1 : 1 + steps),
  get: capabilities.stepsInline ? 1 : 2,
  update: 1,
  activate: 1,
  remove: 1
})

/** All the calls of a plan: its sequences', plus the adapter's one-off reads (a schedule list). */
export const totalCalls = (
  sequences: ReadonlyArray<Plan.SequencePlan>,
  capabilities: Capabilities
): number => {
  const calls = sequences.reduce((n, s) => n + s.calls, 0)
  return calls > 0 && capabilities.readsSchedules ? calls + 1 : calls
}

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => [k, canonical(v)])
        )
      : value

const encoder = new TextEncoder()

/** A stable digest of what will be written (SHA-256, 16 hex digits): equal fingerprints mean nothing to do. */
export const fingerprint = (sequence: NewSequence): Effect.Effect<string> =>
  Effect.promise(() =>
    crypto.subtle.digest("SHA-256", encoder.encode(JSON.stringify(canonical(sequence))))
  ).pipe(
    Effect.map((digest) =>
      Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0"))
        .join("")
        .slice(0, 16)
    )
  )

/** Desired steps that keep the target's step at the same index: a partial write is completed, not redone. */
export const matchByIndex = (actual: Sequence, desired: NewSequence): ReadonlyArray<DesiredStep> =>
  desired.steps.map((step, i) => {
    const id = actual.steps[i]?.id
    return id === undefined ? step : { ...step, id }
  })

const stepWriteCalls = (diff: Diff.StepDiff, capabilities: Capabilities): number =>
  Diff.isNoop(diff)
    ? 0
    : capabilities.stepsInline
      ? 1
      : diff.creates.length +
        diff.updates.length +
        diff.removes.length +
        (diff.reordered ? diff.order.length : 0)

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** A step patch's fields, in words ("subject, published"). */
const patchFields = (patch: Record<string, unknown>): string =>
  Object.entries(patch)
    .flatMap(([key, value]) =>
      key === "email" && value !== null && typeof value === "object" ? Object.keys(value) : [key]
    )
    .join(", ")

/** Operations and calls for one sequence, given where it stands. */
export const operationsFor = (
  action: Plan.Action,
  sequence: NewSequence,
  capabilities: Capabilities,
  activate: boolean,
  actual?: Sequence
): ReadonlyArray<Plan.Operation> => {
  const calls = callsOf(capabilities)
  const finish: Array<Plan.Operation> = []
  // The live state changes only when asked (`activate`); otherwise the target keeps its own.
  if (activate && sequence.active && actual?.active !== true)
    finish.push({ kind: "activate", detail: "activate", calls: calls.activate })
  if (activate && !sequence.active && actual?.active === true)
    finish.push({ kind: "activate", detail: "deactivate (asked for)", calls: calls.activate })
  finish.push({ kind: "verify", detail: "read back and compare", calls: calls.get })
  switch (action) {
    case "create":
      return [
        {
          kind: "create",
          detail: `create with ${plural(sequence.steps.length, "step")}${activate ? "" : ", inactive, unpublished"}`,
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
        const fields = patchFieldNames(Diff.settings(actual, sequence, capabilities))
        if (fields.length > 0)
          ops.push({ kind: "update", detail: `change ${fields.join(", ")}`, calls: calls.update })
        const diff = Diff.steps(actual.steps, matchByIndex(actual, sequence))
        if (diff._tag === "Diff" && !Diff.isNoop(diff.diff)) {
          const d = diff.diff
          const index = new Map(actual.steps.map((step, i) => [step.id, i + 1]))
          const changed = d.updates.map((u) => `step ${index.get(u.id)}: ${patchFields(u.patch)}`)
          ops.push({
            kind: "replaceSteps",
            detail: `steps: ${d.creates.length} new, ${d.updates.length} changed, ${d.removes.length} removed${changed.length === 0 ? "" : ` (${changed.join("; ")})`}`,
            calls: stepWriteCalls(d, capabilities)
          })
        }
      }
      return [...ops, ...finish]
    }
    case "remove":
      return [removal(capabilities)]
    case "unchanged":
      return []
  }
}

/** Removing a target: an archive or a delete, as the provider does it. */
export const removal = (capabilities: Capabilities): Plan.Operation => ({
  kind: "remove",
  detail: capabilities.removal === "archive" ? "archive" : "delete",
  calls: callsOf(capabilities).remove
})

/** Where a journalled sequence stands, as a plan action. */
export const actionFrom = (entry: Journal.Entry | undefined, fingerprint: string): Plan.Action => {
  if (entry === undefined) return "create"
  if (entry.state === "verified" && entry.fingerprint === fingerprint) return "unchanged"
  if (entry.state === "verified" || entry.state === "differs") return "update"
  if (entry.state === "removed") return "create"
  return "resume"
}

/**
 * Where the target keeps schedules by id (`scheduleFor`), the team schedule a weekly schedule will
 * be written as, named in the plan's warning; `InvalidInput` (the sequence is blocked) when none
 * matches. Schedules that cannot be read leave the warning as it was, with the reason.
 */
export const scheduleWarnings = (
  target: Sequences,
  sequence: NewSequence,
  warnings: ReadonlyArray<Warning>
): Effect.Effect<ReadonlyArray<Warning>, SequenceError> => {
  const schedule = sequence.schedule
  const resolve = target.scheduleFor
  if (schedule?._tag !== "Weekly" || resolve === undefined) return Effect.succeed(warnings)
  const name = target.capabilities.displayName
  const reword = (detail: string) =>
    warnings.map((w) => (w.path === "schedule" && w.kind === "approximated" ? { ...w, detail } : w))
  return resolve(schedule).pipe(
    Effect.map((found) =>
      found._tag === "Named"
        ? reword(
            `${name} keeps schedules by id: ${schedule.days.join(", ")} at ${schedule.hour}:00 ${schedule.timeZone} is written as the team schedule "${found.name ?? found.scheduleId}" (${found.scheduleId})`
          )
        : warnings
    ),
    Effect.catchIf(
      (error) => error._tag !== "InvalidInput",
      (error) =>
        Effect.succeed(
          reword(
            `${name} keeps schedules by id, and the team's schedules could not be read to name the one used (${error.message})`
          )
        )
    )
  )
}

/** The fields a settings patch changes, provider options by their path (`providerOptions.apollo.userId`). */
export const patchFieldNames = (patch: SequencePatch): ReadonlyArray<string> =>
  Object.entries(patch).flatMap(([key, value]) =>
    key === "providerOptions" && patch.providerOptions !== undefined
      ? Object.entries(patch.providerOptions).flatMap(([provider, fields]) =>
          Object.keys(fields).map((field) => `providerOptions.${provider}.${field}`)
        )
      : value === undefined
        ? []
        : [key]
  )

/** A journal entry of a write left part-way (to resume rather than compare). */
export const inProgress = (entry: Journal.Entry | undefined): boolean =>
  entry !== undefined && entry.state !== "verified" && entry.state !== "differs" && entry.state !== "removed"

/**
 * What the target's service would refuse in `sequence` — the same validation and capability rules
 * it applies before any request — so a plan blocks it instead of promising a write that fails.
 */
export const refusals = (sequence: NewSequence, capabilities: Capabilities): ReadonlyArray<Issue> => [
  ...validateNewSequence(sequence, capabilities.rules),
  ...sequenceRangeIssues(sequence, capabilities.ranges, capabilities.displayName),
  ...unsupportedInSequence(sequence, capabilities).map((f) => ({ path: f.path, message: f.detail }))
]

/** The plan of one sequence, from its target form (safe defaults applied) and where it stands. */
export const planSequence = (args: {
  readonly key: string
  /** The source as the target can hold it, before the safe defaults. */
  readonly translated: NewSequence
  /** What will be written: `translated` with the safe defaults. */
  readonly target: NewSequence
  readonly warnings: ReadonlyArray<Warning>
  readonly to: Sequences
  readonly activate: boolean
  readonly entry: Journal.Entry | undefined
  /** The target as it is, when read (sequences-as-code reads it; a migration reads it on update). */
  readonly actual?: Sequence | undefined
}): Effect.Effect<Plan.SequencePlan, Unsupported> =>
  Effect.flatMap(fingerprint(args.target), (fingerprint) => {
    const capabilities = args.to.capabilities
    let action = actionFrom(args.entry, fingerprint)
    // The target, when read, is the truth: the journal only says whether a write was left part-way.
    const patch =
      args.actual === undefined ? undefined : Diff.settings(args.actual, args.target, capabilities)
    if (args.actual !== undefined && !inProgress(args.entry)) {
      const same =
        Diff.readBack(args.target, args.actual, capabilities).length === 0 &&
        Object.keys(patch ?? {}).length === 0
      action = same ? "unchanged" : "update"
    }
    // Checked on `unchanged` too: a change only to a field the update cannot write (which a read-back
    // compare does not see) is reported, not silently left out.
    if ((action === "update" || action === "unchanged") && args.actual !== undefined && patch !== undefined) {
      const refused = updateRefusals(args.to, args.actual, args.target, patch)
      if (refused.length > 0)
        return Effect.fail(
          new Unsupported({
            provider: args.to.provider,
            operation: "plan",
            feature: refused.map((issue) => issue.path).join(", "),
            detail: `${args.actual.id} ("${args.actual.name}") cannot be updated as planned: ${refused.map((issue) => issue.message).join("; ")}`
          })
        )
    }
    const operations = operationsFor(action, args.target, capabilities, args.activate, args.actual)
    return Effect.succeed({
      key: args.key,
      name: args.translated.name,
      action,
      targetId: args.entry?.targetId ?? args.actual?.id,
      translated: args.translated,
      target: args.target,
      warnings: args.warnings,
      operations,
      calls: operations.reduce((n, op) => n + op.calls, 0),
      fingerprint
    })
  })

/**
 * What the target would refuse in the writes an update of `actual` to `desired` makes (`patch`, the
 * settings patch of the two, and the step diff apply carries out), asked of the target's service
 * without a request.
 */
export const updateRefusals = (
  to: Sequences,
  actual: Sequence,
  desired: NewSequence,
  patch: SequencePatch
): ReadonlyArray<Issue> => {
  const settings =
    to.settingsWriteRefusals !== undefined && Object.keys(patch).length > 0
      ? to.settingsWriteRefusals(actual, patch)
      : []
  if (to.stepWriteRefusals === undefined) return settings
  const diff = Diff.steps(actual.steps, matchByIndex(actual, desired))
  return diff._tag === "Diff" && !Diff.isNoop(diff.diff)
    ? [...settings, ...to.stepWriteRefusals(actual, diff.diff)]
    : settings
}
