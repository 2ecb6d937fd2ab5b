/**
 * The rules every input must satisfy before any request is sent. Each function returns every broken
 * rule at once (an empty array when the input is valid), each naming the field path.
 */
import { ParseResult } from "effect"
import { defaultRules, type Rules } from "../Capabilities.js"
import type { Issue } from "../SequenceError.js"
import { collapse } from "./issues.js"
import {
  type Delay,
  type DesiredStep,
  emailStepTypes,
  type Limits,
  type NewSequence,
  type NewStep,
  type Schedule,
  type SequencePatch,
  type StepEmail,
  type StepEmailPatch,
  type StepPatch,
  type StepType,
  type Weekday
} from "../Sequence.js"

const issue = (path: string, message: string): Issue => ({ path, message })
const at = (base: string, field: string) => (base === "" ? field : `${base}.${field}`)

const zoneCache = new Map<string, boolean>()

/** An IANA zone name such as `Europe/Paris` or `UTC`, as Node's ICU knows them; offsets are refused. */
export const isTimeZone = (zone: string): boolean => {
  const known = zoneCache.get(zone)
  if (known !== undefined) return known
  let valid = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)
  if (valid) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone })
    } catch {
      valid = false
    }
  }
  zoneCache.set(zone, valid)
  return valid
}

const isNonNegativeInteger = (n: number) => Number.isInteger(n) && n >= 0

export const validateName = (name: string, path = "name"): ReadonlyArray<Issue> =>
  name.trim() === "" ? [issue(path, "must not be blank")] : []

export const validateDays = (days: ReadonlyArray<Weekday>, path: string): ReadonlyArray<Issue> => {
  const seen = new Set<Weekday>()
  const issues: Array<Issue> = []
  days.forEach((day, i) => {
    if (seen.has(day)) issues.push(issue(`${path}[${i}]`, `duplicate weekday "${day}"`))
    seen.add(day)
  })
  return issues
}

export const validateSchedule = (schedule: Schedule, path = "schedule"): ReadonlyArray<Issue> => {
  if (schedule._tag === "Named") {
    return schedule.scheduleId.trim() === "" ? [issue(at(path, "scheduleId"), "must not be blank")] : []
  }
  const issues: Array<Issue> = [...validateDays(schedule.days, at(path, "days"))]
  if (!Number.isInteger(schedule.hour) || schedule.hour < 0 || schedule.hour > 23) {
    issues.push(issue(at(path, "hour"), `must be an integer from 0 to 23, got ${schedule.hour}`))
  }
  if (!isTimeZone(schedule.timeZone)) {
    issues.push(issue(at(path, "timeZone"), `"${schedule.timeZone}" is not an IANA time zone`))
  }
  return issues
}

export const validateDelay = (delay: Delay, path: string): ReadonlyArray<Issue> =>
  isNonNegativeInteger(delay.value)
    ? []
    : [issue(at(path, "value"), `must be a non-negative integer, got ${delay.value}`)]

const validateLimits = (limits: Limits, path: string): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  for (const key of ["maxEmailsPerDay", "sameAccountReplyDelayDays"] as const) {
    const value = limits[key]
    if (value !== undefined && value !== null && !isNonNegativeInteger(value)) {
      issues.push(issue(at(path, key), `must be a non-negative integer, got ${value}`))
    }
  }
  return issues
}

// A reply may leave its subject blank: it reuses the thread's ("Re: …"), as Apollo documents.
const validateEmail = (email: StepEmail | StepEmailPatch, path: string): ReadonlyArray<Issue> =>
  email.subject !== undefined && email.subject.trim() === "" && email.thread !== "reply"
    ? [issue(at(path, "subject"), "must not be blank unless the email replies in the thread")]
    : []

const validateAddresses = (list: ReadonlyArray<string>, path: string): ReadonlyArray<Issue> =>
  list.flatMap((address, i) =>
    /^[^\s@,]+@[^\s@,]+$/.test(address)
      ? []
      : [issue(`${path}[${i}]`, `"${address}" is not an email address`)]
  )

/** Rules of one step that do not depend on its neighbours. */
const validateStepFields = (
  step: {
    readonly delay?: Delay | undefined
    readonly sendDays?: ReadonlyArray<Weekday> | null | undefined
    readonly type?: StepType | undefined
    readonly email?: StepEmail | StepEmailPatch | null | undefined
  },
  path: string,
  rules: Rules
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  if (step.delay !== undefined) issues.push(...validateDelay(step.delay, at(path, "delay")))
  if (step.sendDays !== undefined && step.sendDays !== null) {
    issues.push(...validateDays(step.sendDays, at(path, "sendDays")))
    if (rules.sendDaysNeedDayDelay && step.delay !== undefined && step.delay.unit !== "days") {
      issues.push(
        issue(
          at(path, "sendDays"),
          `only day-based steps may set send days; this step waits in ${step.delay.unit}`
        )
      )
    }
  }
  if (step.email != null) issues.push(...validateEmail(step.email, at(path, "email")))
  return issues
}

/** A complete step at `index` of its sequence. */
export const validateStep = (
  step: NewStep | DesiredStep,
  index: number,
  path: string,
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...validateStepFields(step, path, rules)]
  if (rules.zeroDelayFirstStepOnly && index > 0 && step.delay.value === 0) {
    issues.push(issue(at(path, "delay"), "only the first step may have a zero delay"))
  }
  if (emailStepTypes.includes(step.type) && step.email === undefined) {
    issues.push(
      issue(at(path, "email"), `${/^[aeiou]/.test(step.type) ? "an" : "a"} ${step.type} step needs an email`)
    )
  }
  step.variants?.forEach((variant, i) => {
    issues.push(...validateEmail(variant.email, at(path, `variants[${i}].email`)))
  })
  return issues
}

/** A whole step list: each step, plus the rules between steps. */
export const validateSteps = (
  steps: ReadonlyArray<NewStep | DesiredStep>,
  path = "steps",
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => {
  const issues = steps.flatMap((step, i) => validateStep(step, i, `${path}[${i}]`, rules))
  const ids = new Set<string>()
  steps.forEach((step, i) => {
    if ("id" in step && step.id !== undefined) {
      if (ids.has(step.id)) issues.push(issue(`${path}[${i}].id`, `step ${step.id} appears twice`))
      ids.add(step.id)
    }
  })
  return issues
}

const validateSettings = (settings: SequencePatch): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  if (settings.name !== undefined) issues.push(...validateName(settings.name))
  if (settings.schedule !== undefined) issues.push(...validateSchedule(settings.schedule))
  if (settings.limits !== undefined) issues.push(...validateLimits(settings.limits, "limits"))
  if (settings.cc !== undefined) issues.push(...validateAddresses(settings.cc, "cc"))
  if (settings.bcc !== undefined) issues.push(...validateAddresses(settings.bcc, "bcc"))
  settings.exclusions?.forEach((exclusion, i) => {
    if (exclusion.ids.length === 0)
      issues.push(issue(`exclusions[${i}].ids`, "must name at least one source"))
  })
  return issues
}

export const validateNewSequence = (
  input: NewSequence,
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => [...validateSettings(input), ...validateSteps(input.steps, "steps", rules)]

export const validatePatch = (patch: SequencePatch): ReadonlyArray<Issue> => validateSettings(patch)

/**
 * A step patch on its own. Whether `sendDays` fits the step's delay unit is checked here when the
 * patch names the delay too; otherwise against the current step by `validateStepPatchAgainst`.
 */
export const validateStepPatch = (
  patch: StepPatch,
  path = "",
  rules: Rules = defaultRules
): ReadonlyArray<Issue> => validateStepFields(patch, path, rules)

/** A step patch applied to the step it edits, at `index` of its sequence. */
export const validateStepPatchAgainst = (
  patch: StepPatch,
  current: { readonly delay: Delay; readonly sendDays?: ReadonlyArray<Weekday> | null | undefined },
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
