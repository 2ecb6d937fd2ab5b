/**
 * What a provider can hold, as data (each adapter exports its own: `Kit.capabilities`,
 * `Apollo.capabilities`, `Memory.capabilities`), and `translate`: the sequence a target can hold
 * plus a warning for every field it drops or approximates. Planning a migration needs no network.
 *
 * @example
 * ```ts
 * import { Capabilities, type Sequence } from "@unisequence/core"
 * import { Kit } from "@unisequence/kit"
 * import { Effect } from "effect"
 *
 * const sequence: Sequence.NewSequence = {
 *   name: "Calls",
 *   active: false,
 *   steps: [{ delay: { value: 0, unit: "days" }, type: "email", published: false, email: { subject: "Hi", html: "<p>Hi</p>" } }]
 * }
 * const { warnings } = await Effect.runPromise(Capabilities.translate(sequence, Kit.capabilities))
 * for (const w of warnings) console.log(`${w.path} ${w.kind}: ${w.detail}`)
 * ```
 *
 * @module
 */
import { Effect, Either, Predicate, Schema } from "effect"
import type { DelayUnit, NewSequence, NewStep, ProviderId, Sequence, StepType, Thread } from "./Sequence.js"
import { Unsupported } from "./SequenceError.js"

/**
 * A provider's own settings: the schema of its entry in `providerOptions` (sequence and step level)
 * and which of its fields are figures it reports but never takes (dropped silently when translated
 * to another provider).
 */
export interface OptionsSpec {
  readonly sequence?: Schema.Schema.AnyNoContext
  readonly step?: Schema.Schema.AnyNoContext
  readonly readOnly?: ReadonlyArray<string>
  readonly stepReadOnly?: ReadonlyArray<string>
  /**
   * Step options that decide when a step is sent, by field, in words ("at an exact date and time"):
   * another provider cannot drop one with a warning — recipients would be mailed at another time —
   * so a step that sets one is `Unsupported` there (a plan blocks the sequence, with the reason).
   */
  readonly stepTiming?: Readonly<Record<string, string>>
  /**
   * Where the provider times steps by those options only when the sequence says so: the path, in
   * its sequence-level options, of the flag that must be `true`. Without it a set timing option is a
   * leftover the provider ignores (its steps wait their delays): dropped with a warning, not refused.
   * Absent: the options always time their step.
   */
  readonly stepTimingFlag?: ReadonlyArray<string>
  /**
   * Sequence-level fields a plan cannot compare with what the provider holds, besides `readOnly`:
   * write-only ones (never answered) and ones answered but derived from a neutral field. They are
   * never a change to make; every other field of the entry is compared, and a difference is written
   * (or refused, before any write, by `Sequences.settingsWriteRefusals`).
   */
  readonly notCompared?: ReadonlyArray<string>
  /**
   * Whether the sequence-level field read as `actual` already is `desired`, where the provider
   * rewrites what it is given (absent, or `undefined`: equal values, a record by the fields
   * `desired` names).
   */
  readonly sameOption?: (field: string, actual: unknown, desired: unknown) => boolean | undefined
}

/** The value at `path` in a nested record, if any. */
const at = (value: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((v, key) => (Predicate.isRecord(v) ? v[key] : undefined), value)

/** Whether `provider`'s timing options time the steps of a sequence with these options. */
const timedBy = (spec: OptionsSpec | undefined, provider: string, sequenceOptions: unknown): boolean =>
  spec?.stepTimingFlag === undefined || at(at(sequenceOptions, [provider]), spec.stepTimingFlag) === true

/**
 * How translation treats each field of a provider's own payload (`Sequence.raw`, as read): `carried`
 * into the neutral model (whose fields translation words itself), `meaningless` for any target (ids,
 * timestamps, statistics: a reviewed list), or the fields of a nested object (applied to each
 * element of an array). A field the list does not name, set to anything but an empty value, is
 * dropped with a warning: nothing is lost without a word.
 */
export type RawField = "carried" | "meaningless" | RawDefault | RawFields
export interface RawFields {
  readonly [field: string]: RawField
}

/** A field the neutral model does not hold, harmless at the provider's default value only. */
export interface RawDefault {
  readonly _tag: "RawDefault"
  readonly value: unknown
}

/** The field warns unless it holds `value`, the provider's default. */
export const unlessDefault = (value: unknown): RawDefault => ({ _tag: "RawDefault", value })

const isRawDefault = (spec: RawField): spec is RawDefault =>
  typeof spec === "object" && spec._tag === "RawDefault"

/** Rules an input must follow for this provider, checked before any request. */
export interface Rules {
  /** Only the first step may be sent immediately (delay 0); later ones need a wait. */
  readonly zeroDelayFirstStepOnly: boolean
  /** Per-step send days only on steps whose delay is in days. */
  readonly sendDaysNeedDayDelay: boolean
}

/**
 * The largest whole number each numeric field holds on a provider, from its document's types; past
 * it an input is `InvalidInput` at its path before any request (not a write the provider refuses, or
 * a number the wire cannot carry). Absent fields: no bound beyond the model's own (safe integers).
 */
export interface Ranges {
  /** A step's delay value, whatever its unit. */
  readonly delay?: number
  /**
   * Ids the provider keeps as whole numbers, carried as strings by the neutral model (design
   * template ids, exclusion source ids): digits only, at most this.
   */
  readonly numericIds?: number
  readonly maxEmailsPerDay?: number
  readonly sameAccountReplyDelayDays?: number
}

/** The largest `integer` of an API document that states no format: a signed 32-bit integer. */
export const int32Max = 2 ** 31 - 1

export interface Capabilities {
  readonly provider: ProviderId
  /** The provider's name in sentences ("Kit has no …"). */
  readonly displayName: string
  readonly delayUnits: ReadonlyArray<DelayUnit>
  readonly stepTypes: ReadonlyArray<StepType>
  /** A step may override the schedule's days (Kit `send_days` per email). */
  readonly perStepSendDays: boolean
  /** A step may hold A/B alternatives (Apollo touches). */
  readonly variants: boolean
  readonly threads: ReadonlyArray<Thread>
  /** `Weekly` schedules held as such; `Named` schedules referenced by id. */
  readonly weeklySchedule: boolean
  readonly namedSchedule: boolean
  /** Sequence-level sending address (Kit `email_address`). */
  readonly sender: boolean
  /** A per-step sending address that can be written (Kit reports one per email but takes none). */
  readonly stepSender: boolean
  /** Kit `email_template_id`, on the sequence and on each email. */
  readonly templates: boolean
  readonly previewText: boolean
  readonly reentry: boolean
  readonly holdAfterLastStep: boolean
  readonly exclusions: boolean
  readonly limits: boolean
  readonly ccBcc: boolean
  readonly labels: boolean
  readonly removal: "delete" | "archive"
  /** A sequence and its steps are created and read in one request (Apollo) rather than one per step. */
  readonly stepsInline: boolean
  /** The adapter reads the team's schedule list once per session (to map and name schedules). */
  readonly readsSchedules: boolean
  readonly enrollment: { readonly byEmail: boolean; readonly byId: boolean; readonly sendFrom: boolean }
  /** Every field of this provider's `Sequence.raw` and what becomes of it (absent: not checked). */
  readonly rawFields?: RawFields
  /**
   * The same for each `Step.raw`, for providers that keep a step's payload only on the step (a
   * provider whose `Sequence.raw` already holds its steps leaves it out).
   */
  readonly stepRawFields?: RawFields
  /** This provider's own `providerOptions` entry. */
  readonly options: OptionsSpec
  /** Other providers' `providerOptions` are kept as they are (a store of the whole model). */
  readonly keepsForeignOptions: boolean
  readonly rules: Rules
  /** The numbers this provider's fields hold (absent: only the model's own bounds). */
  readonly ranges?: Ranges
}

/** The rules every provider so far follows. */
export const defaultRules: Rules = { zeroDelayFirstStepOnly: true, sendDaysNeedDayDelay: true }

/** `dropped` or `approximated` in translation; `notice` for what a plan found on the target. */
export const WarningKind = Schema.Literal("dropped", "approximated", "notice")
export const Warning = Schema.Struct({ path: Schema.String, kind: WarningKind, detail: Schema.String })
export type Warning = typeof Warning.Type

export interface Translation {
  readonly sequence: NewSequence
  readonly warnings: ReadonlyArray<Warning>
}

const MINUTES = { minutes: 1, hours: 60, days: 1440 } as const

const plural = (n: number, unit: string) => `${n} ${n === 1 ? unit.replace(/s$/, "") : unit}`

/** The neutral create input that would recreate `sequence` (ids, timestamps and raw payloads dropped). */
export const toNewSequence = (sequence: Sequence | NewSequence): NewSequence => {
  if (!("id" in sequence)) return sequence
  const { id: _id, createdAt: _c, updatedAt: _u, raw: _r, archived: _a, steps, ...settings } = sequence
  return {
    ...settings,
    steps: steps.map(({ id: _stepId, raw: _stepRaw, ...fields }): NewStep => fields)
  }
}

/**
 * Rewrites `input` into what `target` can hold. Dropped and approximated fields become warnings;
 * a change that would alter what recipients experience in a way no warning can excuse (a call step
 * on a provider that only sends emails) fails with `Unsupported`.
 */
export const translate = (
  input: Sequence | NewSequence,
  target: Capabilities,
  options: TranslateOptions = {}
): Effect.Effect<Translation, Unsupported> => Effect.suspend(() => translateEither(input, target, options))

export interface TranslateOptions {
  /**
   * The providers whose `providerOptions` the input may carry (the migration's source): their
   * names and read-only figures word the warnings. An unknown provider's fields all warn.
   */
  readonly sources?: ReadonlyArray<Capabilities>
}

/** `translate` as a plain value, for callers outside an effect. */
export const translateEither = (
  input: Sequence | NewSequence,
  target: Capabilities,
  options: TranslateOptions = {}
): Either.Either<Translation, Unsupported> =>
  (() => {
    const warnings: Array<Warning> = []
    const warn = (path: string, kind: Warning["kind"], detail: string) =>
      warnings.push({ path, kind, detail })
    const name = target.displayName
    const known = (provider: string) => options.sources?.find((c) => c.provider === provider)
    const displayName = (provider: string) => known(provider)?.displayName ?? provider
    const source = toNewSequence(input)
    const sourceName = (sequence: Sequence | NewSequence) => {
      const owner = rawOwner(sequence, options.sources ?? [])
      return owner === undefined ? "" : ` in ${owner.displayName}`
    }
    const out: { -readonly [K in keyof NewSequence]: NewSequence[K] } = { ...source }

    const unsupportedStep = source.steps.findIndex((step) => !target.stepTypes.includes(step.type))
    if (unsupportedStep >= 0) {
      const step = source.steps[unsupportedStep]!
      return Either.left(
        new Unsupported({
          provider: target.provider,
          operation: "translate",
          feature: `${step.type} steps`,
          detail: `steps[${unsupportedStep}] is a ${step.type} step; ${name} only has ${target.stepTypes.join(", ")} steps, and turning it into an email would send mail nobody wrote`
        })
      )
    }

    // A new sequence is never archived: an archived source becomes a sequence that is not.
    if ("archived" in input && input.archived === true)
      warn(
        "archived",
        "dropped",
        `the sequence is archived${sourceName(input)}; ${name} gets it as a sequence that is not archived`
      )
    // A step timed by another provider's own option (an exact date and time) cannot be approximated.
    if (!target.keepsForeignOptions) {
      for (const [i, step] of source.steps.entries()) {
        for (const [provider, value] of Object.entries(step.providerOptions ?? {})) {
          if (provider === target.provider) continue
          const spec = known(provider)?.options
          // A leftover date the source itself ignores (its steps wait) is dropped below, with a warning.
          if (!timedBy(spec, provider, source.providerOptions)) continue
          const timing = spec?.stepTiming ?? {}
          for (const [field, v] of Object.entries(value)) {
            const words = Object.hasOwn(timing, field) ? timing[field] : undefined
            if (words === undefined || v == null) continue
            return Either.left(
              new Unsupported({
                provider: target.provider,
                operation: "translate",
                feature: `steps[${i}].providerOptions.${provider}.${field}`,
                detail: `steps[${i}] is sent ${words} (${String(v)}) in ${displayName(provider)}; ${name} steps wait a delay after the previous one, so its recipients would be mailed at another time`
              })
            )
          }
        }
      }
    }

    const drop = <K extends keyof NewSequence>(key: K, supported: boolean, detail: string) => {
      const value = out[key]
      if (supported || value === undefined || value === null) return
      if (Array.isArray(value) && value.length === 0) return
      delete out[key]
      // The value in the warning: the user sees what is lost, not only that something is.
      warn(key, "dropped", `${detail} (was ${shown(value)})`)
    }
    drop(
      "sender",
      target.sender,
      `${name} has no sending address on the sequence; the mailbox is chosen when contacts are enrolled`
    )
    drop("templateId", target.templates, `${name} has no email design templates`)
    drop(
      "reentry",
      target.reentry || out.reentry === false,
      `${name} cannot let a re-added subscriber restart the sequence`
    )
    drop(
      "holdAfterLastStep",
      target.holdAfterLastStep || out.holdAfterLastStep === false,
      `${name} cannot keep subscribers in after the last step (evergreen hold)`
    )
    drop(
      "exclusions",
      target.exclusions,
      `${name} cannot exclude subscribers by tag, form, segment or sequence`
    )
    drop("cc", target.ccBcc, `${name} cannot copy sequence emails to other addresses (cc)`)
    drop("bcc", target.ccBcc, `${name} cannot blind-copy sequence emails (bcc)`)
    drop("labels", target.labels, `${name} has no sequence labels`)
    if (out.limits !== undefined && !target.limits) {
      const { maxEmailsPerDay, sameAccountReplyDelayDays } = out.limits
      if (maxEmailsPerDay != null)
        warn(
          "limits.maxEmailsPerDay",
          "dropped",
          `${name} has no daily sending cap (was ${maxEmailsPerDay} a day)`
        )
      if (sameAccountReplyDelayDays != null)
        warn(
          "limits.sameAccountReplyDelayDays",
          "dropped",
          `${name} has no wait between contacts at the same account (was ${plural(sameAccountReplyDelayDays, "days")})`
        )
      delete out.limits
    }

    const schedule = out.schedule
    if (schedule?._tag === "Weekly" && !target.weeklySchedule) {
      warn(
        "schedule",
        "approximated",
        `${name} keeps schedules by id: the team schedule sending on ${schedule.days.join(", ")} at ${schedule.hour}:00 ${schedule.timeZone} is used, and the write fails if there is none`
      )
    }
    if (schedule?._tag === "Named" && !target.namedSchedule) {
      if (schedule.weekly !== undefined) {
        out.schedule = schedule.weekly
        warn(
          "schedule",
          "approximated",
          `${name} sends at one hour a day: schedule "${schedule.name ?? schedule.scheduleId}" becomes ${schedule.weekly.days.join(", ")} at ${schedule.weekly.hour}:00 ${schedule.weekly.timeZone}`
        )
      } else {
        delete out.schedule
        warn(
          "schedule",
          "dropped",
          `schedule ${schedule.name === undefined ? schedule.scheduleId : `"${schedule.name}"`} ${schedule.noWeekly ?? "could not be read"}, so ${name}'s account default schedule applies`
        )
      }
    }

    const sequenceOptions = out.providerOptions
    if (sequenceOptions !== undefined && !target.keepsForeignOptions) {
      const kept = { ...sequenceOptions }
      for (const [provider, value] of Object.entries(sequenceOptions)) {
        if (provider === target.provider) continue
        delete kept[provider]
        const readOnly = new Set(known(provider)?.options.readOnly ?? [])
        for (const [field, v] of Object.entries(value)) {
          if (readOnly.has(field) || v === undefined) continue
          warn(
            `providerOptions.${provider}.${field}`,
            "dropped",
            `a ${displayName(provider)}-only setting that ${name} has no place for (was ${shown(v)})`
          )
        }
      }
      out.providerOptions = kept
    }

    // Fields of the source's own payload the neutral model does not hold.
    const owner = rawOwner(input, options.sources ?? [])
    const raw = "raw" in input ? input.raw : undefined
    if (owner?.rawFields !== undefined && raw !== undefined) {
      for (const path of unheldFields(raw, owner.rawFields, "raw")) {
        warn(
          path,
          "dropped",
          `${owner.displayName}'s ${path.slice("raw.".length)} is set, and ${name} has no place for it`
        )
      }
    }
    if (owner?.stepRawFields !== undefined && "id" in input) {
      for (const [i, step] of input.steps.entries()) {
        if (step.raw === undefined) continue
        for (const path of unheldFields(step.raw, owner.stepRawFields)) {
          warn(
            `steps[${i}].raw.${path}`,
            "dropped",
            `${owner.displayName}'s ${path} on step ${i + 1} is set, and ${name} has no place for it`
          )
        }
      }
    }

    out.steps = source.steps.map((step, i) => {
      const path = `steps[${i}]`
      const next: { -readonly [K in keyof NewStep]: NewStep[K] } = { ...step }
      if (!target.delayUnits.includes(step.delay.unit)) {
        const coarsest = [...target.delayUnits].sort((a, b) => MINUTES[b] - MINUTES[a])[0] ?? "days"
        const unit = target.delayUnits.find((u) => MINUTES[u] > MINUTES[step.delay.unit]) ?? coarsest
        const value = Math.ceil((step.delay.value * MINUTES[step.delay.unit]) / MINUTES[unit])
        next.delay = { value, unit }
        warn(
          `${path}.delay`,
          "approximated",
          `${plural(step.delay.value, step.delay.unit)} becomes ${plural(value, unit)}: ${name} delays are in ${target.delayUnits.join(" or ")} (rounded up, never earlier)`
        )
      }
      if (next.sendDays != null && !target.perStepSendDays) {
        warn(
          `${path}.sendDays`,
          "dropped",
          `${name} has no per-step send days; the step follows the sequence schedule instead of ${next.sendDays.join(", ")}`
        )
        delete next.sendDays
      } else if (next.sendDays != null && next.delay.unit !== "days") {
        warn(
          `${path}.sendDays`,
          "dropped",
          `send days apply only to day-based steps; this one now waits in ${next.delay.unit}`
        )
        delete next.sendDays
      }
      if (next.email !== undefined) {
        const email = { ...next.email }
        if (email.thread !== undefined && !target.threads.includes(email.thread)) {
          warn(
            `${path}.email.thread`,
            "approximated",
            `${name} cannot reply in the previous email's thread; the step is sent as a new email with its own subject`
          )
          email.thread = "new"
          if (email.subject.trim() === "") {
            const previous = source.steps
              .slice(0, i)
              .reverse()
              .find((s) => s.email !== undefined && s.email.subject.trim() !== "")?.email?.subject
            email.subject = previous === undefined ? "(no subject)" : `Re: ${previous}`
            warn(
              `${path}.email.subject`,
              "approximated",
              `the reply had no subject of its own; it becomes "${email.subject}"`
            )
          }
        }
        if (email.previewText != null && !target.previewText) {
          warn(`${path}.email.previewText`, "dropped", `${name} emails have no preview text`)
          delete email.previewText
        }
        if (email.templateId != null && !target.templates) {
          warn(`${path}.email.templateId`, "dropped", `${name} has no email design templates`)
          delete email.templateId
        }
        if (email.sender != null && !target.stepSender) {
          warn(
            `${path}.email.sender`,
            "dropped",
            `${name} has no per-email sending address; the enrolment mailbox sends it`
          )
          delete email.sender
        }
        next.email = email
      }
      if (next.variants !== undefined && next.variants.length > 0 && !target.variants) {
        warn(
          `${path}.variants`,
          "dropped",
          `${name} has no A/B variants: only the step's first email is kept (${next.variants.length} alternative${next.variants.length === 1 ? "" : "s"} dropped)`
        )
        delete next.variants
      }
      const stepOptions = next.providerOptions
      if (stepOptions !== undefined) {
        const kept = { ...stepOptions }
        for (const [provider, value] of Object.entries(stepOptions)) {
          // Read-only bookkeeping (a position, a touch id) names the source's objects: never carried,
          // not even to the same provider (another account), so a step the target keeps keeps its own
          // (its touches updated in place, not replaced).
          const own = provider === target.provider
          const readOnly = new Set((own ? target.options : known(provider)?.options)?.stepReadOnly ?? [])
          const rest = Object.entries(value).filter(([field]) => !readOnly.has(field))
          if (own || target.keepsForeignOptions) {
            if (rest.length === 0) delete kept[provider]
            else kept[provider] = Object.fromEntries(rest)
            continue
          }
          const timing = known(provider)?.options.stepTiming ?? {}
          for (const [field, v] of rest) {
            if (v == null) continue
            const words = Object.hasOwn(timing, field) ? timing[field] : undefined
            warn(
              `${path}.providerOptions.${provider}.${field}`,
              "dropped",
              words === undefined
                ? `a ${displayName(provider)}-only step setting that ${name} has no place for (was ${shown(v)})`
                : `a leftover setting to send ${words} (was ${shown(v)}) that ${displayName(provider)} ignores: this sequence is not timed by date there, its steps wait their delays, as they do in ${name}`
            )
          }
          delete kept[provider]
        }
        next.providerOptions = kept
      }
      return next
    })
    return Either.right({ sequence: out, warnings })
  })()

/**
 * A dropped value in a sentence: strings quoted, lists of strings joined, a record as `key: value`
 * pairs, anything else as JSON; cut short past 300 characters.
 */
const shown = (value: unknown): string => {
  const text =
    typeof value === "string"
      ? JSON.stringify(value)
      : Array.isArray(value) && value.every((v) => typeof v === "string")
        ? value.join(", ")
        : isRecord(value)
          ? Object.entries(value)
              .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
              .join(", ")
          : (JSON.stringify(value) ?? String(value))
  return text.length > 300 ? `${text.slice(0, 297)}...` : text
}

/**
 * The provider whose payload `input.raw` (and its steps' `raw`) is: the source with a raw field list
 * that has an entry in the sequence's or a step's `providerOptions`, or the only such source.
 */
const rawOwner = (
  input: Sequence | NewSequence,
  sources: ReadonlyArray<Capabilities>
): Capabilities | undefined => {
  const listed = sources.filter((c) => c.rawFields !== undefined || c.stepRawFields !== undefined)
  const named = listed.find(
    (c) =>
      input.providerOptions?.[c.provider] !== undefined ||
      input.steps.some((step) => step.providerOptions?.[c.provider] !== undefined)
  )
  return named ?? (listed.length === 1 ? listed[0] : undefined)
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Nothing set: absent, null, false, blank, or an empty list or object. */
const isEmptyValue = (u: unknown): boolean =>
  u === undefined ||
  u === null ||
  u === false ||
  (typeof u === "string" && u.trim() === "") ||
  (Array.isArray(u) && u.length === 0) ||
  (isRecord(u) && Object.values(u).every(isEmptyValue))

/** The paths of every set field of `raw` that `fields` neither carries nor lists as meaningless. */
export const unheldFields = (raw: unknown, fields: RawFields, path = ""): ReadonlyArray<string> => {
  if (Array.isArray(raw)) return raw.flatMap((item, i) => unheldFields(item, fields, `${path}[${i}]`))
  if (!isRecord(raw)) return []
  return Object.entries(raw).flatMap(([key, value]) => {
    const spec = Object.hasOwn(fields, key) ? fields[key] : undefined
    const at = path === "" ? key : `${path}.${key}`
    if (spec === "carried" || spec === "meaningless") return []
    if (spec !== undefined && isRawDefault(spec))
      return isEmptyValue(value) || JSON.stringify(value) === JSON.stringify(spec.value) ? [] : [at]
    if (spec !== undefined) return unheldFields(value, spec, at)
    // Statistics (`unique_opened`, `open_rate`): figures about the past, never settings.
    if (/^unique_|_rate$/.test(key)) return []
    return isEmptyValue(value) ? [] : [at]
  })
}
