/**
 * The difference between two forms of a sequence, and the patches that close it. Pure.
 *
 * - `steps`: the steps a sequence has against the steps it should have, by step id — which to
 *   create, which to change (in the fields that differ only), which to remove, and the final order.
 *   Every provider's `replaceSteps` and step edit starts from it.
 * - `settings`: the settings patch that makes a sequence's settings the desired ones.
 * - `readBack`: how a sequence read back differs from what was written, in words (verification).
 * - `applyStepPatch`: a step patch applied to a step, the one place a patch is applied (step edits
 *   read-modify-write through it; replace-semantics providers build the list they send with it).
 */
import type { Capabilities } from "./Capabilities.js"
import {
  type DesiredStep,
  type NewSequence,
  type NewStep,
  type Sequence,
  type SequencePatch,
  Step,
  type StepEmail,
  type StepPatch
} from "./Sequence.js"
import { optionsPatch, sameValue, scheduleMatches, stepPatch } from "./internal/diff.js"

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

/**
 * Diffs by id. Desired steps with an `id` keep that step (updated where their fields differ);
 * without an `id` they are created; current steps whose id is not desired are removed — and only
 * those. Returns the unknown ids instead when the desired list names a step that does not exist.
 */
export const steps = (
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
export const asDesired = (current: ReadonlyArray<Step>): Array<DesiredStep> =>
  current.map((step) => {
    const { raw: _raw, ...fields } = step
    return { ...fields }
  })

/**
 * The settings of `desired` that `actual` does not have yet (steps and `active` are handled apart).
 * Given the target's capabilities, only fields it holds are compared: one it cannot hold is never
 * written, so it is never a change.
 */
export const settings = (
  actual: Sequence,
  desired: NewSequence,
  capabilities?: Capabilities
): SequencePatch => {
  const patch: { -readonly [K in keyof SequencePatch]: SequencePatch[K] } = {}
  const holds = (key: keyof NewSequence): boolean => {
    if (capabilities === undefined) return true
    switch (key) {
      case "sender":
        return capabilities.sender
      case "templateId":
        return capabilities.templates
      case "reentry":
        return capabilities.reentry
      case "holdAfterLastStep":
        return capabilities.holdAfterLastStep
      case "exclusions":
        return capabilities.exclusions
      case "limits":
        return capabilities.limits
      case "cc":
      case "bcc":
        return capabilities.ccBcc
      case "labels":
        return capabilities.labels
      default:
        return true
    }
  }
  if (actual.name !== desired.name) patch.name = desired.name
  if (desired.schedule !== undefined && !scheduleMatches(actual.schedule, desired.schedule))
    patch.schedule = desired.schedule
  for (const key of ["sender", "templateId", "reentry", "holdAfterLastStep"] as const) {
    if (holds(key) && desired[key] !== undefined && actual[key] !== desired[key])
      Object.assign(patch, { [key]: desired[key] })
  }
  for (const key of ["exclusions", "limits", "cc", "bcc", "labels"] as const) {
    if (holds(key) && desired[key] !== undefined && !sameValue(actual[key], desired[key]))
      Object.assign(patch, { [key]: desired[key] })
  }
  const options = providerOptions(actual, desired, capabilities)
  if (options !== undefined) patch.providerOptions = options
  return patch
}

/**
 * The provider options `desired` names that `actual` does not hold, field by field. Given the
 * target's capabilities, only the target's own entry is compared (another provider's is never
 * written there, unless the target keeps every entry), less its read-only and uncompared fields.
 */
const providerOptions = (
  actual: Sequence,
  desired: NewSequence,
  capabilities: Capabilities | undefined
): SequencePatch["providerOptions"] => {
  if (desired.providerOptions === undefined) return undefined
  const patch: Record<string, Record<string, unknown>> = {}
  let changed = false
  for (const [provider, wanted] of Object.entries(desired.providerOptions)) {
    const own = capabilities === undefined || provider === capabilities.provider
    if (!own && !capabilities?.keepsForeignOptions) continue
    const spec = own ? capabilities?.options : undefined
    const fields = optionsPatch(actual.providerOptions?.[provider], wanted, {
      skip: new Set([...(spec?.readOnly ?? []), ...(spec?.notCompared ?? [])]),
      same: spec?.sameOption
    })
    if (fields === undefined) continue
    patch[provider] = fields
    changed = true
  }
  return changed ? patch : undefined
}

const list = (values: ReadonlyArray<string> | null | undefined) => values?.join(", ") ?? ""

const shown = (value: unknown): string => JSON.stringify(value) ?? "none"

/**
 * How `actual`, read back, differs from `expected`, in the fields the target holds (its
 * capabilities say which), in words. Empty: verified.
 */
export const readBack = (
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
  if (
    capabilities.labels &&
    expected.labels !== undefined &&
    !sameValue(expected.labels, actual.labels ?? [])
  )
    found.push(`labels are [${list(actual.labels)}], expected [${expected.labels.join(", ")}]`)
  if (expected.schedule?._tag === "Weekly" && actual.schedule?._tag === "Weekly") {
    const e = expected.schedule
    const a = actual.schedule
    if (!scheduleMatches(a, e))
      found.push(
        `schedule is ${a.days.join(",")} ${a.hour}:00 ${a.timeZone}, expected ${e.days.join(",")} ${e.hour}:00 ${e.timeZone}`
      )
  }
  // The options a plan compares (`settings`), so a write the provider ignored is not verified.
  for (const [provider, fields] of Object.entries(providerOptions(actual, expected, capabilities) ?? {}))
    for (const [field, value] of Object.entries(fields))
      found.push(
        `providerOptions.${provider}.${field} is ${shown(actual.providerOptions?.[provider]?.[field])}, expected ${shown(value)}`
      )
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
    if (capabilities.perStepSendDays && !sameValue(want.sendDays ?? [], have.sendDays ?? []))
      found.push(`${at} send days are [${list(have.sendDays)}], expected [${list(want.sendDays)}]`)
    if (capabilities.variants && (want.variants?.length ?? 0) !== (have.variants?.length ?? 0))
      found.push(`${at} has ${have.variants?.length ?? 0} variants, expected ${want.variants?.length ?? 0}`)
  })
  return found
}

/**
 * `patch` applied to `step`: absent fields stay, `null` clears (the email, send days, an email's
 * preview text, template or sender); provider options merge per provider, since only the fields a
 * caller names are compared. Keeps the step's kind: a `Step` stays a `Step`, a desired step stays one.
 */
export function applyStepPatch(step: Step, patch: StepPatch): Step
export function applyStepPatch(step: DesiredStep, patch: StepPatch): DesiredStep
export function applyStepPatch(step: DesiredStep | Step, patch: StepPatch): DesiredStep | Step {
  const next: { -readonly [K in keyof DesiredStep]: DesiredStep[K] } = { ...step }
  if (patch.delay !== undefined) next.delay = patch.delay
  if (patch.sendDays === null) delete next.sendDays
  else if (patch.sendDays !== undefined) next.sendDays = patch.sendDays
  if (patch.type !== undefined) next.type = patch.type
  if (patch.variants !== undefined) next.variants = patch.variants
  if (patch.published !== undefined) next.published = patch.published
  if (patch.providerOptions !== undefined) {
    const have: Readonly<Record<string, object | undefined>> = step.providerOptions ?? {}
    next.providerOptions = {
      ...step.providerOptions,
      ...Object.fromEntries(
        Object.entries(patch.providerOptions).flatMap(([provider, fields]) =>
          fields === undefined ? [] : [[provider, { ...have[provider], ...fields }]]
        )
      )
    }
  }
  if (patch.email === null) {
    delete next.email
  } else if (patch.email !== undefined) {
    const { subject, html, thread, ...nullable } = patch.email
    const email: { -readonly [K in keyof StepEmail]: StepEmail[K] } = {
      ...(step.email ?? { subject: "", html: "" })
    }
    if (subject !== undefined) email.subject = subject
    if (html !== undefined) email.html = html
    if (thread !== undefined) email.thread = thread
    for (const key of ["previewText", "templateId", "sender"] as const) {
      const value = nullable[key]
      if (value === null) delete email[key]
      else if (value !== undefined) email[key] = value
    }
    next.email = email
  }
  if (next.sendDays === null) delete next.sendDays
  return step instanceof Step ? new Step({ ...next, id: step.id, raw: step.raw }) : next
}
