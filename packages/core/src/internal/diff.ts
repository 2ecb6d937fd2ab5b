/** The comparisons `Diff` is built from: one notion of "same value", schedules, one step's patch. */
import { Data, Equal, Predicate } from "effect"
import type {
  DesiredStep,
  NewStep,
  Schedule,
  Step,
  StepEmail,
  StepEmailPatch,
  StepPatch
} from "../Sequence.js"

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

/** Structural equality, key order aside; `undefined` and `null` both mean "none" in a declarative value. */
export const sameValue = (a: unknown, b: unknown): boolean =>
  Equal.equals(toData(a ?? null), toData(b ?? null))

const sameDays = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  sameValue([...a].sort(), [...b].sort())

/**
 * Whether `actual` already is the `desired` schedule. A weekly schedule written to a provider of
 * named schedules reads back as the named schedule it was matched to, carrying its weekly form.
 */
export const scheduleMatches = (actual: Schedule | undefined, desired: Schedule): boolean => {
  if (actual === undefined) return false
  if (desired._tag === "Named") return actual._tag === "Named" && actual.scheduleId === desired.scheduleId
  const weekly = actual._tag === "Weekly" ? actual : actual.weekly
  return (
    weekly !== undefined &&
    weekly.hour === desired.hour &&
    weekly.timeZone === desired.timeZone &&
    sameDays(weekly.days, desired.days)
  )
}

const emailPatch = (current: StepEmail | undefined, desired: StepEmail): StepEmailPatch | undefined => {
  const patch: { -readonly [K in keyof StepEmailPatch]: StepEmailPatch[K] } = {}
  if (current?.subject !== desired.subject) patch.subject = desired.subject
  if (current?.html !== desired.html) patch.html = desired.html
  if (!sameValue(current?.previewText, desired.previewText)) patch.previewText = desired.previewText ?? null
  if (!sameValue(current?.templateId, desired.templateId)) patch.templateId = desired.templateId ?? null
  if (!sameValue(current?.sender, desired.sender)) patch.sender = desired.sender ?? null
  if ((current?.thread ?? "new") !== (desired.thread ?? "new")) patch.thread = desired.thread ?? "new"
  return Object.keys(patch).length === 0 ? undefined : patch
}

/** The fields of `current` that must change to become `desired`; an empty object when none. */
export const stepPatch = (current: Step, desired: NewStep | DesiredStep): StepPatch => {
  const patch: { -readonly [K in keyof StepPatch]: StepPatch[K] } = {}
  if (!sameValue(current.delay, desired.delay)) patch.delay = desired.delay
  if (!sameValue(current.sendDays, desired.sendDays)) patch.sendDays = desired.sendDays ?? null
  if (current.type !== desired.type) patch.type = desired.type
  if (desired.email !== undefined) {
    const email = emailPatch(current.email, desired.email)
    if (email !== undefined) patch.email = email
  } else if (current.email !== undefined) {
    patch.email = null
  }
  if (!sameValue(current.variants ?? [], desired.variants ?? [])) patch.variants = desired.variants ?? []
  if (current.published !== desired.published) patch.published = desired.published
  // Provider options are partly read-only bookkeeping: only what the caller names is compared.
  if (desired.providerOptions !== undefined) {
    const mine: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>> =
      current.providerOptions ?? {}
    const differs = Object.entries(desired.providerOptions).some(([provider, wanted]) => {
      if (wanted === undefined) return false
      const have = mine[provider] ?? {}
      return Object.entries(wanted).some(([k, v]) => v !== undefined && !sameValue(have[k], v))
    })
    if (differs) patch.providerOptions = desired.providerOptions
  }
  return patch
}

type OptionFields = Readonly<Record<string, unknown>>

/**
 * Whether `actual` already is `desired`: a record by the fields `desired` names (a patch of a nested
 * option, as `sharingPermission: { visibility }`, says nothing of the others), anything else by value.
 */
export const covers = (actual: unknown, desired: unknown): boolean => {
  if (Predicate.isRecord(desired))
    return (
      Predicate.isRecord(actual) &&
      Object.entries(desired).every(([k, v]) => v === undefined || covers(actual[k], v))
    )
  return sameValue(actual, desired)
}

/** How one provider's sequence-level options are compared. */
export interface OptionsComparison {
  /** Fields never compared (read-only figures, write-only or derived fields). */
  readonly skip: ReadonlySet<string>
  readonly same?: ((field: string, actual: unknown, desired: unknown) => boolean | undefined) | undefined
}

/**
 * The fields of `desired` (one provider's options) that `actual` does not hold yet, or `undefined`
 * when it holds them all: what an update must write, field by field.
 */
export const optionsPatch = (
  actual: OptionFields | undefined,
  desired: OptionFields,
  comparison: OptionsComparison
): Record<string, unknown> | undefined => {
  const patch: Record<string, unknown> = {}
  let changed = false
  for (const [field, want] of Object.entries(desired)) {
    if (want === undefined || comparison.skip.has(field)) continue
    const have = actual?.[field]
    if (comparison.same?.(field, have, want) ?? covers(have, want)) continue
    patch[field] = want
    changed = true
  }
  return changed ? patch : undefined
}
