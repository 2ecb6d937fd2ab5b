/**
 * What a migration or an apply will do, sequence by sequence, before it does anything: the target
 * as it will be written, every warning, the operations and the HTTP calls they take.
 */
import { Effect } from "effect"
import type { Capabilities, Warning } from "./Capabilities.js"
import type { NewSequence, ProviderId, Sequence, Step } from "./Sequence.js"
import type { SequenceError } from "./SequenceError.js"

export type Selection =
  | { readonly _tag: "All" }
  | { readonly _tag: "Ids"; readonly ids: ReadonlyArray<string> }
  | { readonly _tag: "NameContains"; readonly text: string }

export const all: Selection = { _tag: "All" }
export const ids = (ids: ReadonlyArray<string>): Selection => ({ _tag: "Ids", ids })
export const nameContains = (text: string): Selection => ({ _tag: "NameContains", text })

export type OperationKind =
  | "create"
  | "reconcile"
  | "settle"
  | "update"
  | "replaceSteps"
  | "activate"
  | "verify"
  | "remove"

export interface Operation {
  readonly kind: OperationKind
  /** In words, for the plan table. */
  readonly detail: string
  readonly calls: number
}

export type Action =
  /** Not in the target yet. */
  | "create"
  /** A previous run stopped part-way: finish it. */
  | "resume"
  /** In the target, but different from what it should be. */
  | "update"
  /** In the target exactly as planned: nothing is written. */
  | "unchanged"
  /** In the target, no longer wanted (sequences-as-code with prune). */
  | "remove"

export interface SequencePlan {
  /** Source sequence id (migration) or file key (apply). */
  readonly key: string
  readonly name: string
  readonly action: Action
  readonly targetId?: string | undefined
  /** The source as the target can hold it, before the safe defaults. */
  readonly translated: NewSequence
  /** The target as it will be written, safe defaults applied. */
  readonly target: NewSequence
  readonly warnings: ReadonlyArray<Warning>
  readonly operations: ReadonlyArray<Operation>
  readonly calls: number
  readonly fingerprint: string
}

/** A sequence that cannot be carried over (e.g. a call step to Kit): reported, never half-written. */
export interface Blocked {
  readonly key: string
  readonly name: string
  readonly error: SequenceError
}

export interface Plan {
  readonly kind: "migration" | "apply"
  readonly source: ProviderId | "file"
  readonly target: ProviderId
  readonly activate: boolean
  readonly sequences: ReadonlyArray<SequencePlan>
  readonly blocked: ReadonlyArray<Blocked>
  /** HTTP calls the writes and verification take, in all. */
  readonly calls: number
}

/** All the calls of a plan: its sequences', plus the adapter's one-off reads (Apollo's schedule list). */
export const totalCalls = (sequences: ReadonlyArray<SequencePlan>, capabilities: Capabilities): number => {
  const calls = sequences.reduce((n, s) => n + s.calls, 0)
  return calls > 0 && capabilities.readsSchedules ? calls + 1 : calls
}

/** HTTP calls each write takes on a provider, from its capabilities (no network needed). */
export const callsOf = (capabilities: Capabilities) => ({
  // Apollo creates a sequence with its steps in one request; Kit takes one per email.
  create: (steps: number) => (capabilities.stepsInline ? 1 : 1 + steps),
  get: capabilities.stepsInline ? 1 : 2,
  update: 1,
  activate: 1,
  remove: 1
})

/**
 * The safe defaults for writes that reach real people: unless asked to activate, the target is
 * inactive and none of its emails is published (Kit) or approved (Apollo).
 */
export const withSafeDefaults = (sequence: NewSequence, activate: boolean): NewSequence =>
  activate
    ? sequence
    : {
        ...sequence,
        active: false,
        steps: sequence.steps.map((step) => ({
          ...step,
          published: false,
          ...(step.variants === undefined
            ? {}
            : { variants: step.variants.map((variant) => ({ ...variant, published: false })) })
        }))
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

const sameList = (a: ReadonlyArray<unknown> | undefined, b: ReadonlyArray<unknown> | undefined) =>
  JSON.stringify(canonical(a ?? [])) === JSON.stringify(canonical(b ?? []))

/** How `actual` differs from what was planned, in the fields the target holds. Empty = verified. */
export const differences = (
  expected: NewSequence,
  actual: Sequence,
  capabilities: Capabilities
): ReadonlyArray<string> => {
  const found: Array<string> = []
  if (expected.name !== actual.name) found.push(`name is "${actual.name}", expected "${expected.name}"`)
  if (expected.active !== actual.active) found.push(`active is ${actual.active}, expected ${expected.active}`)
  if (capabilities.reentry && expected.reentry !== undefined && expected.reentry !== actual.reentry)
    found.push(`reentry is ${actual.reentry}, expected ${expected.reentry}`)
  if (
    capabilities.holdAfterLastStep &&
    expected.holdAfterLastStep !== undefined &&
    expected.holdAfterLastStep !== actual.holdAfterLastStep
  )
    found.push(`holdAfterLastStep is ${actual.holdAfterLastStep}, expected ${expected.holdAfterLastStep}`)
  if (capabilities.labels && expected.labels !== undefined && !sameList(expected.labels, actual.labels))
    found.push(`labels are [${actual.labels?.join(", ") ?? ""}], expected [${expected.labels.join(", ")}]`)
  if (expected.schedule?._tag === "Weekly" && actual.schedule?._tag === "Weekly") {
    const e = expected.schedule
    const a = actual.schedule
    if (e.hour !== a.hour || e.timeZone !== a.timeZone || !sameList([...e.days].sort(), [...a.days].sort()))
      found.push(
        `schedule is ${a.days.join(",")} ${a.hour}:00 ${a.timeZone}, expected ${e.days.join(",")} ${e.hour}:00 ${e.timeZone}`
      )
  }
  if (expected.steps.length !== actual.steps.length) {
    found.push(`has ${actual.steps.length} steps, expected ${expected.steps.length}`)
    return found
  }
  expected.steps.forEach((want, i) => {
    const have: Step = actual.steps[i]!
    const at = `step ${i + 1}`
    if (want.delay.value !== have.delay.value || want.delay.unit !== have.delay.unit)
      found.push(
        `${at} waits ${have.delay.value} ${have.delay.unit}, expected ${want.delay.value} ${want.delay.unit}`
      )
    if (want.type !== have.type) found.push(`${at} is a ${have.type} step, expected ${want.type}`)
    if (want.published !== have.published)
      found.push(`${at} published is ${have.published}, expected ${want.published}`)
    if (want.email !== undefined) {
      if (want.email.subject !== have.email?.subject)
        found.push(`${at} subject is "${have.email?.subject}", expected "${want.email.subject}"`)
      if (want.email.html !== have.email?.html) found.push(`${at} content differs`)
      if ((want.email.thread ?? "new") !== (have.email?.thread ?? "new"))
        found.push(`${at} threading differs`)
    }
    if (capabilities.perStepSendDays && !sameList(want.sendDays ?? [], have.sendDays ?? []))
      found.push(
        `${at} send days are [${have.sendDays?.join(", ") ?? ""}], expected [${want.sendDays?.join(", ") ?? ""}]`
      )
    if (capabilities.variants && (want.variants?.length ?? 0) !== (have.variants?.length ?? 0))
      found.push(`${at} has ${have.variants?.length ?? 0} variants, expected ${want.variants?.length ?? 0}`)
  })
  return found
}
