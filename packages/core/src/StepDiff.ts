/**
 * The difference between the steps a sequence has and the steps it should have, by step id: which
 * to create, which to change (and only in the fields that differ), which to remove, and the order
 * they end in. Pure; every provider's `replaceSteps` and step edit starts from it.
 */
import { Equal, Data } from "effect"
import {
  type DesiredStep,
  type NewStep,
  Step,
  type StepEmail,
  type StepEmailPatch,
  type StepPatch
} from "./Sequence.js"

/** A place in the final order: a step that exists, or the `index`-th entry of `creates`. */
export type StepRef =
  | { readonly _tag: "Existing"; readonly id: string }
  | { readonly _tag: "New"; readonly index: number }

export interface StepDiff {
  /** Steps to create, in final order. */
  readonly creates: ReadonlyArray<NewStep>
  /** Kept steps whose fields change, with only the changed fields. */
  readonly updates: ReadonlyArray<{ readonly id: string; readonly patch: StepPatch }>
  /** Ids of steps that are gone from the desired list. */
  readonly removes: ReadonlyArray<string>
  /** The complete final order. */
  readonly order: ReadonlyArray<StepRef>
  /** Whether kept steps change their order relative to each other. */
  readonly reordered: boolean
}

export const isNoop = (diff: StepDiff): boolean =>
  diff.creates.length === 0 && diff.updates.length === 0 && diff.removes.length === 0 && !diff.reordered

// `undefined` and `null` both mean "none" in a declarative list.
const same = (a: unknown, b: unknown): boolean => Equal.equals(toData(a ?? null), toData(b ?? null))
const toData = (value: unknown): unknown =>
  Array.isArray(value)
    ? Data.array(value.map(toData))
    : value !== null && typeof value === "object"
      ? Data.struct(
          Object.fromEntries(
            Object.entries(value)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => [k, toData(v)])
          )
        )
      : value

const emailPatch = (current: StepEmail | undefined, desired: StepEmail): StepEmailPatch | undefined => {
  const patch: { -readonly [K in keyof StepEmailPatch]: StepEmailPatch[K] } = {}
  if (current?.subject !== desired.subject) patch.subject = desired.subject
  if (current?.html !== desired.html) patch.html = desired.html
  if (!same(current?.previewText, desired.previewText)) patch.previewText = desired.previewText ?? null
  if (!same(current?.templateId, desired.templateId)) patch.templateId = desired.templateId ?? null
  if (!same(current?.sender, desired.sender)) patch.sender = desired.sender ?? null
  if ((current?.thread ?? "new") !== (desired.thread ?? "new")) patch.thread = desired.thread ?? "new"
  return Object.keys(patch).length === 0 ? undefined : patch
}

/** The fields of `current` that must change to become `desired`; an empty object when none. */
export const stepPatch = (current: Step, desired: NewStep | DesiredStep): StepPatch => {
  const patch: { -readonly [K in keyof StepPatch]: StepPatch[K] } = {}
  if (!same(current.delay, desired.delay)) patch.delay = desired.delay
  if (!same(current.sendDays, desired.sendDays)) patch.sendDays = desired.sendDays ?? null
  if (current.type !== desired.type) patch.type = desired.type
  if (desired.email !== undefined) {
    const email = emailPatch(current.email, desired.email)
    if (email !== undefined) patch.email = email
  } else if (current.email !== undefined) {
    patch.email = null
  }
  if (!same(current.variants ?? [], desired.variants ?? [])) patch.variants = desired.variants ?? []
  if (current.published !== desired.published) patch.published = desired.published
  // Provider options are partly read-only bookkeeping: only what the caller names is compared.
  if (desired.providerOptions !== undefined) {
    const mine = current.providerOptions ?? {}
    const differs = (["kit", "apollo"] as const).some((p) => {
      const wanted = desired.providerOptions?.[p]
      if (wanted === undefined) return false
      const have: Readonly<Record<string, unknown>> = mine[p] ?? {}
      return Object.entries(wanted).some(([k, v]) => v !== undefined && !same(have[k], v))
    })
    if (differs) patch.providerOptions = desired.providerOptions
  }
  return patch
}

/** Applies a step patch to a step: what a partial-update provider does with it. */
export const applyStepPatch = (step: Step, patch: StepPatch): Step => {
  const { email, providerOptions, ...rest } = patch
  const next: { -readonly [K in keyof Step]: Step[K] } = { ...step }
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) Object.assign(next, { [key]: value })
  }
  if (email === null) {
    delete next.email
  } else if (email !== undefined) {
    const merged: Record<string, unknown> = { ...(step.email ?? { subject: "", html: "" }) }
    for (const [key, value] of Object.entries(email)) {
      if (value !== undefined) merged[key] = value
    }
    next.email = {
      subject: String(merged.subject ?? ""),
      html: String(merged.html ?? ""),
      ...pickEmailExtras(merged)
    }
  }
  if (providerOptions !== undefined) {
    next.providerOptions = {
      ...step.providerOptions,
      ...(providerOptions.kit === undefined
        ? {}
        : { kit: { ...step.providerOptions?.kit, ...providerOptions.kit } }),
      ...(providerOptions.apollo === undefined
        ? {}
        : { apollo: { ...step.providerOptions?.apollo, ...providerOptions.apollo } })
    }
  }
  if (next.sendDays === null) delete next.sendDays
  return new Step(next)
}

const pickEmailExtras = (merged: Record<string, unknown>): Partial<StepEmail> => {
  const out: { -readonly [K in keyof StepEmail]?: StepEmail[K] } = {}
  if (typeof merged.previewText === "string" || merged.previewText === null)
    out.previewText = merged.previewText
  if (typeof merged.templateId === "string" || merged.templateId === null) out.templateId = merged.templateId
  if (typeof merged.sender === "string" || merged.sender === null) out.sender = merged.sender
  if (merged.thread === "new" || merged.thread === "reply") out.thread = merged.thread
  return out
}

/**
 * Diffs by id. Desired steps with an `id` keep that step (updated where their fields differ);
 * without an `id` they are created; current steps whose id is not desired are removed — and only
 * those. Returns the unknown ids instead when the desired list names a step that does not exist.
 */
export const diffSteps = (
  current: ReadonlyArray<Step>,
  desired: ReadonlyArray<DesiredStep>
):
  | { readonly _tag: "Diff"; readonly diff: StepDiff }
  | { readonly _tag: "UnknownSteps"; readonly ids: ReadonlyArray<string> } => {
  const byId = new Map(current.map((step) => [step.id, step]))
  const unknown = desired.flatMap((step) => (step.id !== undefined && !byId.has(step.id) ? [step.id] : []))
  if (unknown.length > 0) return { _tag: "UnknownSteps", ids: unknown }

  const creates: Array<NewStep> = []
  const updates: Array<{ id: string; patch: StepPatch }> = []
  const order: Array<StepRef> = []
  const kept = new Set<string>()
  for (const step of desired) {
    if (step.id === undefined) {
      const { id: _id, ...fields } = step
      order.push({ _tag: "New", index: creates.length })
      creates.push(fields)
      continue
    }
    kept.add(step.id)
    order.push({ _tag: "Existing", id: step.id })
    const patch = stepPatch(byId.get(step.id)!, step)
    if (Object.keys(patch).length > 0) updates.push({ id: step.id, patch })
  }
  const removes = current.filter((step) => !kept.has(step.id)).map((step) => step.id)
  const keptInCurrentOrder = current.filter((step) => kept.has(step.id)).map((step) => step.id)
  const keptInDesiredOrder = order.flatMap((ref) => (ref._tag === "Existing" ? [ref.id] : []))
  const reordered = keptInCurrentOrder.some((id, i) => keptInDesiredOrder[i] !== id)
  return { _tag: "Diff", diff: { creates, updates, removes, order, reordered } }
}

/** The desired list that keeps every step as it is: the starting point of a step edit. */
export const asDesired = (steps: ReadonlyArray<Step>): Array<DesiredStep> =>
  steps.map((step) => {
    const { raw: _raw, ...fields } = step
    return { ...fields }
  })
