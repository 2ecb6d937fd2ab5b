/**
 * The rules the input schemas of `Sequence` cannot hold: a provider's (`Capabilities.rules`, such as
 * "only the first step may be immediate") and those between fields or steps (an email step needs an
 * email, a step id appears once). Field rules (whole numbers, an hour of the day, a time zone, unique
 * weekdays, addresses, a subject unless replying) are in the schemas. Each function returns every
 * broken rule at once (an empty array when the input is valid), each naming the field path.
 *
 * They take a step as decoded or as given (`type` absent meaning `email`), so that when a field rule
 * fails to decode these can still be reported beside it.
 */
import { Either, ParseResult, Schema } from "effect"
import { defaultRules, type Ranges, type Rules } from "../Capabilities.js"
import type { Issue } from "../SequenceError.js"
import { collapse } from "./issues.js"
import {
  type DelayUnit,
  emailStepTypes,
  NewSequence,
  Schedule,
  type StepType,
  type Weekday
} from "../Sequence.js"

const issue = (path: string, message: string): Issue => ({ path, message })
const at = (base: string, field: string) => (base === "" ? field : `${base}.${field}`)

interface DelayShape {
  readonly value: number
  readonly unit: DelayUnit
}

/** A step as these rules read it. */
export interface StepShape {
  readonly id?: string | undefined
  readonly delay: DelayShape
  readonly sendDays?: ReadonlyArray<Weekday> | null | undefined
  /** Absent: `email`, `NewStep`'s default. */
  readonly type?: StepType | undefined
  readonly email?: unknown
}

/** Send days only on day-based steps, when the provider says so. */
const sendDaysRule = (
  step: {
    readonly delay?: DelayShape | undefined
    readonly sendDays?: ReadonlyArray<Weekday> | null | undefined
  },
  path: string,
  rules: Rules
): ReadonlyArray<Issue> =>
  rules.sendDaysNeedDayDelay &&
  step.sendDays != null &&
  step.delay !== undefined &&
  step.delay.unit !== "days"
    ? [
        issue(
          at(path, "sendDays"),
          `only day-based steps may set send days; this step waits in ${step.delay.unit}`
        )
      ]
    : []

/** A complete step at `index` of its sequence. */
export const validateStep = (
  step: StepShape,
  index: number,
  path: string,
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...sendDaysRule(step, path, rules)]
  if (rules.zeroDelayFirstStepOnly && index > 0 && step.delay.value === 0) {
    issues.push(issue(at(path, "delay"), "only the first step may have a zero delay"))
  }
  const type = step.type ?? "email"
  if (emailStepTypes.includes(type) && step.email === undefined) {
    issues.push(issue(at(path, "email"), `${/^[aeiou]/.test(type) ? "an" : "a"} ${type} step needs an email`))
  }
  return issues
}

/** A whole step list: each step, plus the rules between steps. */
export const validateSteps = (
  steps: ReadonlyArray<StepShape>,
  path = "steps",
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => {
  const issues = steps.flatMap((step, i) => validateStep(step, i, `${path}[${i}]`, rules))
  const ids = new Set<string>()
  steps.forEach((step, i) => {
    if (step.id !== undefined) {
      if (ids.has(step.id)) issues.push(issue(`${path}[${i}].id`, `step ${step.id} appears twice`))
      ids.add(step.id)
    }
  })
  return issues
}

/**
 * A sequence already typed (translated from a source, or read from a file) as the service would
 * check it: the schema's field rules, which encoding checks, then the rules between steps.
 */
export const validateNewSequence = (
  sequence: NewSequence,
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => [
  ...Either.match(Schema.encodeEither(NewSequence, { errors: "all" })(sequence), {
    onLeft: (error) => issuesOf(error),
    onRight: () => []
  }),
  // Encoding takes a schedule instance as it is (an adapter may build one unchecked): its fields are read again.
  ...(sequence.schedule === undefined
    ? []
    : Either.match(Schema.decodeUnknownEither(Schedule, { errors: "all" })({ ...sequence.schedule }), {
        onLeft: (error) => issuesOf(error, "schedule"),
        onRight: () => []
      })),
  ...validateSteps(sequence.steps, "steps", rules)
]

/**
 * A step patch on its own. Whether `sendDays` fits the step's delay unit is checked here when the
 * patch names the delay too; otherwise against the current step by `validateStepPatchAgainst`.
 */
export const validateStepPatch = (
  patch: {
    readonly delay?: DelayShape | undefined
    readonly sendDays?: ReadonlyArray<Weekday> | null | undefined
  },
  path = "",
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => sendDaysRule(patch, path, rules)

/** A step patch applied to the step it edits, at `index` of its sequence. */
export const validateStepPatchAgainst = (
  patch: {
    readonly delay?: DelayShape | undefined
    readonly sendDays?: ReadonlyArray<Weekday> | null | undefined
  },
  current: { readonly delay: DelayShape; readonly sendDays?: ReadonlyArray<Weekday> | null | undefined },
  index: number,
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...validateStepPatch(patch, "", rules)]
  const delay = patch.delay ?? current.delay
  const sendDays = patch.sendDays === undefined ? current.sendDays : patch.sendDays
  if (
    rules.sendDaysNeedDayDelay &&
    patch.delay !== undefined &&
    patch.sendDays === undefined &&
    sendDays != null &&
    delay.unit !== "days"
  ) {
    issues.push(
      issue("delay.unit", `the step has send days, so it must stay day-based; clear sendDays first`)
    )
  }
  if (
    rules.sendDaysNeedDayDelay &&
    patch.delay === undefined &&
    patch.sendDays != null &&
    delay.unit !== "days"
  ) {
    issues.push(issue("sendDays", `only day-based steps may set send days; this step waits in ${delay.unit}`))
  }
  if (rules.zeroDelayFirstStepOnly && index > 0 && patch.delay?.value === 0)
    issues.push(issue("delay", "only the first step may have a zero delay"))
  return issues
}

const pathOf = (path: ReadonlyArray<PropertyKey>, prefix: string) =>
  path.reduce<string>(
    (acc, key) =>
      typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    prefix
  )

/**
 * One issue per path: a union's alternatives become one "Expected A | B" message, and the
 * "Expected undefined" of an optional field is dropped when the field itself was found wrong deeper down.
 */
export const issuesOf = (error: ParseResult.ParseError, prefix = ""): ReadonlyArray<Issue> =>
  collapse(
    ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
      path: pathOf(issue.path, prefix),
      message: issue.message
    }))
  )

// ---------------------------------------------------------------- ranges

const rangeIssue = (path: string, value: number, max: number, provider: string): Issue =>
  issue(path, `must be at most ${max} on ${provider} (the largest its field holds), got ${value}`)

const numberIssues = (
  path: string,
  value: number | null | undefined,
  max: number | undefined,
  provider: string
): ReadonlyArray<Issue> =>
  typeof value === "number" && max !== undefined && value > max
    ? [rangeIssue(path, value, max, provider)]
    : []

/** An id the provider keeps as a whole number: digits, and no more than it holds. */
const idIssues = (
  path: string,
  id: string | null | undefined,
  max: number | undefined,
  provider: string
): ReadonlyArray<Issue> => {
  if (typeof id !== "string" || max === undefined) return []
  const digits = id.trim()
  if (!/^\d+$/.test(digits))
    return [issue(path, `${JSON.stringify(id)} is not a ${provider} id (a whole number)`)]
  return BigInt(digits) > BigInt(max)
    ? [issue(path, `${JSON.stringify(id)} is beyond the largest ${provider} id (${max})`)]
    : []
}

/** The numbers of a step (or step patch) its provider cannot hold, each at its path. */
export const stepRangeIssues = (
  step: {
    readonly delay?: { readonly value: number } | undefined
    readonly email?: { readonly templateId?: string | null | undefined } | null | undefined
  },
  ranges: Ranges | undefined,
  provider: string,
  path = ""
): ReadonlyArray<Issue> => [
  ...numberIssues(at(path, "delay.value"), step.delay?.value, ranges?.delay, provider),
  ...idIssues(at(path, "email.templateId"), step.email?.templateId, ranges?.numericIds, provider)
]

/** The numbers of a sequence's settings (or a settings patch) its provider cannot hold. */
export const settingsRangeIssues = (
  settings: {
    readonly templateId?: string | null | undefined
    readonly exclusions?: ReadonlyArray<{ readonly ids: ReadonlyArray<string> }> | undefined
    readonly limits?:
      | {
          readonly maxEmailsPerDay?: number | null | undefined
          readonly sameAccountReplyDelayDays?: number | null | undefined
        }
      | undefined
  },
  ranges: Ranges | undefined,
  provider: string,
  path = ""
): ReadonlyArray<Issue> => [
  ...idIssues(at(path, "templateId"), settings.templateId, ranges?.numericIds, provider),
  ...(settings.exclusions ?? []).flatMap((exclusion, i) =>
    exclusion.ids.flatMap((id, j) =>
      idIssues(at(path, `exclusions[${i}].ids[${j}]`), id, ranges?.numericIds, provider)
    )
  ),
  ...numberIssues(
    at(path, "limits.maxEmailsPerDay"),
    settings.limits?.maxEmailsPerDay,
    ranges?.maxEmailsPerDay,
    provider
  ),
  ...numberIssues(
    at(path, "limits.sameAccountReplyDelayDays"),
    settings.limits?.sameAccountReplyDelayDays,
    ranges?.sameAccountReplyDelayDays,
    provider
  )
]

/** Every number of a sequence its provider cannot hold: settings, then each step. */
export const sequenceRangeIssues = (
  sequence: Parameters<typeof settingsRangeIssues>[0] & {
    readonly steps: ReadonlyArray<Parameters<typeof stepRangeIssues>[0]>
  },
  ranges: Ranges | undefined,
  provider: string
): ReadonlyArray<Issue> => [
  ...settingsRangeIssues(sequence, ranges, provider),
  ...sequence.steps.flatMap((step, i) => stepRangeIssues(step, ranges, provider, `steps[${i}]`))
]
