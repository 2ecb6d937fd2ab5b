/**
 * The provider-neutral model of an email sequence: an ordered list of steps, each sent a delay after
 * the previous one, on a schedule, to everyone enrolled.
 *
 * Every field either provider documents has a home here: in a neutral field when both providers (or
 * the idea) share it, otherwise in the typed, namespaced `providerOptions`.
 */
import { Schema } from "effect"
import { isTimeZone } from "./internal/timeZone.js"

/**
 * A provider's id (`"kit"`, `"memory"`, …): an open, non-empty string, so that an adapter written
 * anywhere can name itself without a change here.
 */
export const ProviderId = Schema.NonEmptyTrimmedString.annotations({ identifier: "ProviderId" })
export type ProviderId = typeof ProviderId.Type

export const Weekday = Schema.Literal(
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday"
)
export type Weekday = typeof Weekday.Type
export const weekdays: ReadonlyArray<Weekday> = Weekday.literals

// Field rules. Each message names the value; the path comes from where the schema is used. Rules
// between fields (and a provider's own) are in `Capabilities.rules`, checked once a value has decoded.

/**
 * A string with something besides spaces. Not `NonEmptyTrimmedString`: a name or subject with
 * surrounding spaces has always been accepted and is kept as written by the providers.
 */
export const NonBlankString = Schema.String.pipe(
  Schema.filter((s) => s.trim() !== "", { message: () => "must not be blank" })
).annotations({ identifier: "NonBlankString" })

/** A whole number, zero or more: a delay, a daily cap. */
export const Count = Schema.NonNegativeInt.annotations({
  identifier: "Count",
  message: (issue) => ({
    message: `must be a non-negative integer, got ${String(issue.actual)}`,
    override: true
  })
})

/** An hour of the day, 0 to 23. */
export const Hour = Schema.Int.pipe(Schema.between(0, 23)).annotations({
  identifier: "Hour",
  message: (issue) => ({
    message: `must be an integer from 0 to 23, got ${String(issue.actual)}`,
    override: true
  })
})

/** An IANA zone name such as `Europe/Paris` or `UTC`, as the runtime's `Intl` knows them; offsets are refused. */
export const TimeZone = Schema.String.pipe(
  Schema.filter(isTimeZone, {
    identifier: "TimeZone",
    message: (issue) => `${JSON.stringify(issue.actual)} is not an IANA time zone`
  })
)

/** Weekdays, each at most once (a repeat is reported at its own index). */
export const Weekdays = Schema.Array(Weekday).pipe(
  Schema.filter(
    (days) =>
      days.flatMap((day, i) =>
        days.indexOf(day) < i ? [{ path: [i], message: `duplicate weekday "${day}"` }] : []
      ),
    { identifier: "Weekdays" }
  )
)

/** One address, without spaces or commas (a list in one string is refused, not split). */
export const EmailAddress = Schema.String.pipe(
  Schema.filter((address) => /^[^\s@,]+@[^\s@,]+$/.test(address), {
    identifier: "EmailAddress",
    message: (issue) => `${JSON.stringify(issue.actual)} is not an email address`
  })
)

/** Send on these days at this hour (0-23) in this IANA zone: Kit's sequence schedule. */
export class Weekly extends Schema.TaggedClass<Weekly>()("Weekly", {
  days: Weekdays,
  hour: Hour,
  timeZone: TimeZone
}) {}

/**
 * A schedule the provider keeps by id: Apollo's `emailer_schedule_id`. `name` and `weekly` are
 * filled when the adapter could read the schedule, so that it can be translated to a provider that
 * only knows weekly schedules.
 */
export class Named extends Schema.TaggedClass<Named>()("Named", {
  scheduleId: NonBlankString,
  name: Schema.optional(Schema.String),
  weekly: Schema.optional(Weekly),
  /** Why there is no `weekly` (e.g. it sends at different hours on different days), when known. */
  noWeekly: Schema.optional(Schema.String)
}) {}

export const Schedule = Schema.Union(Weekly, Named)
export type Schedule = typeof Schedule.Type

export const DelayUnit = Schema.Literal("minutes", "hours", "days")
export type DelayUnit = typeof DelayUnit.Type

/** The wait after the previous step (after enrolment for the first step). */
export const Delay = Schema.Struct({ value: Schema.Number, unit: DelayUnit })
export type Delay = typeof Delay.Type

/** A delay as an input must give it: a whole, non-negative number of units (a read one is as the provider has it). */
export const DelayInput = Schema.Struct({ value: Count, unit: DelayUnit })

export const StepType = Schema.Literal(
  "email",
  "manual_email",
  "call",
  "action_item",
  "linkedin_connect",
  "linkedin_message",
  "linkedin_view_profile",
  "linkedin_interact_post"
)
export type StepType = typeof StepType.Type

/** Step types whose content is an email the provider sends (or a person sends, for `manual_email`). */
export const emailStepTypes: ReadonlyArray<StepType> = ["email", "manual_email"]

/** `new` starts a thread; `reply` answers the previous step's email in the same thread (Apollo). */
export const Thread = Schema.Literal("new", "reply")
export type Thread = typeof Thread.Type

export const StepEmail = Schema.Struct({
  subject: Schema.String,
  previewText: Schema.optional(Schema.NullOr(Schema.String)),
  html: Schema.String,
  /** Kit `email_template_id` of the email (the design template, not Apollo's content template). */
  templateId: Schema.optional(Schema.NullOr(Schema.String)),
  /** Kit per-email `email_address`. */
  sender: Schema.optional(Schema.NullOr(Schema.String)),
  thread: Schema.optional(Thread)
})
export type StepEmail = typeof StepEmail.Type

// A reply may leave its subject blank: it reuses the thread's ("Re: …"), as Apollo documents.
const subjectUnlessReply = (email: {
  readonly subject?: string | undefined
  readonly thread?: Thread | undefined
}) =>
  email.subject !== undefined && email.subject.trim() === "" && email.thread !== "reply"
    ? { path: ["subject"], message: "must not be blank unless the email replies in the thread" }
    : undefined

/** An email as an input must give it: a subject, unless it replies in the thread. */
export const StepEmailInput = StepEmail.pipe(Schema.filter(subjectUnlessReply))

/** An A/B alternative of a step's email: Apollo's extra `emailer_touches` of one step. */
export const Variant = Schema.Struct({
  id: Schema.optional(Schema.String),
  email: StepEmail,
  published: Schema.optional(Schema.Boolean)
})
export type Variant = typeof Variant.Type

const VariantInput = Schema.Struct({ ...Variant.fields, email: StepEmailInput })

/**
 * Settings only one provider has, keyed by provider id (`providerOptions.kit.position`). Each adapter
 * owns the schema of its own entry (`Capabilities.options`) and validates it before any write; core
 * only knows that an entry is a record of fields.
 */
export const OptionsRecord = Schema.Record({
  key: ProviderId,
  value: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

export const StepProviderOptions = OptionsRecord
export type StepProviderOptions = typeof StepProviderOptions.Type

const stepFields = {
  delay: Delay,
  /** Per-step override of the schedule's days; day-based steps only (Kit). */
  sendDays: Schema.optional(Schema.NullOr(Schema.Array(Weekday))),
  type: StepType,
  /** The email, for email steps; absent for calls, tasks and LinkedIn steps. */
  email: Schema.optional(StepEmail),
  variants: Schema.optional(Schema.Array(Variant)),
  /** Kit `published`; Apollo primary touch `status: approved`. Only published steps send. */
  published: Schema.Boolean,
  providerOptions: Schema.optional(StepProviderOptions)
}

export class Step extends Schema.Class<Step>("Step")({
  id: Schema.String,
  ...stepFields,
  /** The provider's own payload, read-only: never written back. */
  raw: Schema.optional(Schema.Unknown)
}) {}

/** A step to create. `type` defaults to `email`, `published` to `false`: nothing sends by surprise. */
export const NewStep = Schema.Struct({
  ...stepFields,
  delay: DelayInput,
  sendDays: Schema.optional(Schema.NullOr(Weekdays)),
  email: Schema.optional(StepEmailInput),
  variants: Schema.optional(Schema.Array(VariantInput)),
  type: Schema.optionalWith(StepType, { default: () => "email" as const }),
  published: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
export type NewStep = typeof NewStep.Type
export type NewStepInput = typeof NewStep.Encoded

/** A step as it should be, for `replaceSteps`: with the `id` of an existing step to keep it. */
export const DesiredStep = Schema.Struct({ id: Schema.optional(Schema.String), ...NewStep.fields })
export type DesiredStep = typeof DesiredStep.Type
export type DesiredStepInput = typeof DesiredStep.Encoded

export const ExclusionType = Schema.Literal("tag", "sequence", "form", "segment")
/** Subscribers who came through these sources skip the sequence (Kit `exclude_subscriber_sources`). */
export const Exclusion = Schema.Struct({ type: ExclusionType, ids: Schema.Array(Schema.String) })
export type Exclusion = typeof Exclusion.Type

const ExclusionInput = Schema.Struct({
  type: ExclusionType,
  ids: Schema.Array(Schema.String).pipe(
    Schema.minItems(1, { message: () => "must name at least one source" })
  )
})

/** Apollo's sending limits. `null` clears. */
export const Limits = Schema.Struct({
  maxEmailsPerDay: Schema.optional(Schema.NullOr(Schema.Number)),
  sameAccountReplyDelayDays: Schema.optional(Schema.NullOr(Schema.Number))
})
export type Limits = typeof Limits.Type

const LimitsInput = Schema.Struct({
  maxEmailsPerDay: Schema.optional(Schema.NullOr(Count)),
  sameAccountReplyDelayDays: Schema.optional(Schema.NullOr(Count))
})

export const ProviderOptions = OptionsRecord
export type ProviderOptions = typeof ProviderOptions.Type

const settingsFields = {
  name: Schema.String,
  active: Schema.Boolean,
  schedule: Schema.optional(Schedule),
  /** Kit sequence `email_address`: the sending address. */
  sender: Schema.optional(Schema.NullOr(Schema.String)),
  /** Kit sequence `email_template_id`. */
  templateId: Schema.optional(Schema.NullOr(Schema.String)),
  /** Kit `repeat`: a re-added subscriber restarts the sequence. */
  reentry: Schema.optional(Schema.Boolean),
  /** Kit `hold`: subscribers stay in after the last step (evergreen). */
  holdAfterLastStep: Schema.optional(Schema.Boolean),
  exclusions: Schema.optional(Schema.Array(Exclusion)),
  limits: Schema.optional(Limits),
  cc: Schema.optional(Schema.Array(Schema.String)),
  bcc: Schema.optional(Schema.Array(Schema.String)),
  /** Apollo `label_names`. */
  labels: Schema.optional(Schema.Array(Schema.String)),
  providerOptions: Schema.optional(ProviderOptions)
}

/** Settings as an input must give them; a read sequence has them as the provider keeps them. */
const settingsInputFields = {
  ...settingsFields,
  name: NonBlankString,
  exclusions: Schema.optional(Schema.Array(ExclusionInput)),
  limits: Schema.optional(LimitsInput),
  cc: Schema.optional(Schema.Array(EmailAddress)),
  bcc: Schema.optional(Schema.Array(EmailAddress))
}

const readFields = {
  id: Schema.String,
  /** Apollo archives instead of deleting. */
  archived: Schema.optional(Schema.Boolean),
  createdAt: Schema.optional(Schema.String),
  updatedAt: Schema.optional(Schema.String),
  raw: Schema.optional(Schema.Unknown)
}

export class Sequence extends Schema.Class<Sequence>("Sequence")({
  ...readFields,
  ...settingsFields,
  steps: Schema.Array(Step)
}) {}

/** A list item: the sequence's settings, no steps. Providers' list answers may omit settings. */
export class SequenceSummary extends Schema.Class<SequenceSummary>("SequenceSummary")({
  ...readFields,
  ...settingsFields,
  active: Schema.optional(Schema.Boolean),
  stepCount: Schema.optional(Schema.Number)
}) {}

/** Create input. `active` defaults to `false`: a new sequence mails nobody until asked. */
export const NewSequence = Schema.Struct({
  ...settingsInputFields,
  active: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  steps: Schema.optionalWith(Schema.Array(NewStep), { default: () => [] })
})
export type NewSequence = typeof NewSequence.Type
export type NewSequenceInput = typeof NewSequence.Encoded

/** Settings patch: absent = unchanged, `null` = clear (where the provider allows it). */
export const SequencePatch = Schema.Struct({
  ...settingsInputFields,
  name: Schema.optional(NonBlankString),
  active: Schema.optional(Schema.Boolean)
})
export type SequencePatch = typeof SequencePatch.Type

export const StepEmailPatch = Schema.Struct({
  subject: Schema.optional(Schema.String),
  previewText: Schema.optional(Schema.NullOr(Schema.String)),
  html: Schema.optional(Schema.String),
  templateId: Schema.optional(Schema.NullOr(Schema.String)),
  sender: Schema.optional(Schema.NullOr(Schema.String)),
  thread: Schema.optional(Thread)
})
export type StepEmailPatch = typeof StepEmailPatch.Type

const StepEmailPatchInput = StepEmailPatch.pipe(Schema.filter(subjectUnlessReply))

/** Step patch: absent = unchanged; `sendDays: null` reverts to the sequence schedule. */
export const StepPatch = Schema.Struct({
  delay: Schema.optional(DelayInput),
  sendDays: Schema.optional(Schema.NullOr(Weekdays)),
  type: Schema.optional(StepType),
  /** `null` removes the email, for a step that becomes a call or a task. */
  email: Schema.optional(Schema.NullOr(StepEmailPatchInput)),
  variants: Schema.optional(Schema.Array(VariantInput)),
  published: Schema.optional(Schema.Boolean),
  providerOptions: Schema.optional(StepProviderOptions)
})
export type StepPatch = typeof StepPatch.Type

/** Who to enrol: Kit subscribers by email or id; Apollo contact ids, sent from a mailbox. */
export const Enrollment = Schema.Struct({
  emails: Schema.optional(Schema.Array(Schema.String)),
  ids: Schema.optional(Schema.Array(Schema.String)),
  /** Apollo `send_email_from_email_account_id`. */
  sendFrom: Schema.optional(Schema.String)
})
export type Enrollment = typeof Enrollment.Type

export const EnrollmentResult = Schema.Struct({
  added: Schema.Number,
  alreadyEnrolled: Schema.Number
})
export type EnrollmentResult = typeof EnrollmentResult.Type

/** True when the patch names no field: an update that must send nothing. */
export const isEmptyPatch = (patch: SequencePatch | StepPatch): boolean =>
  Object.values(patch).every((value) => value === undefined)

/** The settings of a sequence without its steps. */
export const summarize = (sequence: Sequence): SequenceSummary => {
  const { steps, ...settings } = sequence
  return new SequenceSummary({ ...settings, stepCount: steps.length })
}

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/**
 * Props of a model class as an adapter's mapping gives them: an optional field may be given as
 * `undefined`, which means not given (so a mapping writes every field in one object literal).
 */
export type Given<P> = { [K in keyof P]: {} extends Pick<P, K> ? P[K] | undefined : P[K] }

/** What a list item is made of: `new SequenceSummary(props)`'s argument. */
export type SummaryProps = ConstructorParameters<typeof SequenceSummary>[0]

/**
 * Makes `summaryOf`'s instances: a function constructor whose `prototype` is the class's, so each
 * instance is the class's own (`instanceof`, `Equal`, `Schema.is`), stored by V8 with room for all
 * its fields as every constructor's instances are (an `Object.create` instance grew its field store
 * field by field: 2.4 times the time, and most of a listing's garbage).
 */
function SummaryInstance(this: Mutable<SummaryProps>, props: Given<SummaryProps>) {
  this.id = props.id
  this.name = props.name
  if (props.archived !== undefined) this.archived = props.archived
  if (props.createdAt !== undefined) this.createdAt = props.createdAt
  if (props.updatedAt !== undefined) this.updatedAt = props.updatedAt
  if (props.active !== undefined) this.active = props.active
  if (props.schedule !== undefined) this.schedule = props.schedule
  if (props.sender !== undefined) this.sender = props.sender
  if (props.templateId !== undefined) this.templateId = props.templateId
  if (props.reentry !== undefined) this.reentry = props.reentry
  if (props.holdAfterLastStep !== undefined) this.holdAfterLastStep = props.holdAfterLastStep
  if (props.exclusions !== undefined) this.exclusions = props.exclusions
  if (props.limits !== undefined) this.limits = props.limits
  if (props.cc !== undefined) this.cc = props.cc
  if (props.bcc !== undefined) this.bcc = props.bcc
  if (props.labels !== undefined) this.labels = props.labels
  if (props.providerOptions !== undefined) this.providerOptions = props.providerOptions
  if (props.stepCount !== undefined) this.stepCount = props.stepCount
  if (props.raw !== undefined) this.raw = props.raw
}
SummaryInstance.prototype = SequenceSummary.prototype

/** The same for `weeklyOf`. */
function WeeklyInstance(this: Mutable<Weekly>, days: Weekly["days"], hour: number, timeZone: string) {
  this._tag = "Weekly"
  this.days = days
  this.hour = hour
  this.timeZone = timeZone
}
WeeklyInstance.prototype = Weekly.prototype

// A function constructor has no construct signature in TypeScript: its instances are typed here,
// once, as what they are (the class's prototype, every field its constructor would set).
const newSummary = SummaryInstance as unknown as new (props: Given<SummaryProps>) => SequenceSummary
const newWeekly = WeeklyInstance as unknown as new (
  days: Weekly["days"],
  hour: number,
  timeZone: string
) => Weekly

/**
 * A list item from props already of its type (an adapter's reading of a decoded page): the instance
 * `fromDecoded(SequenceSummary, props)` makes, each field stored by its name in an object sized for
 * them (a list makes one per item: bench/README.md, benchmark 2). Nothing is validated.
 */
export const summaryOf = (props: Given<SummaryProps>): SequenceSummary => new newSummary(props)

/** A weekly schedule from values already of its type, as `summaryOf` makes a list item. */
export const weeklyOf = (days: Weekly["days"], hour: number, timeZone: string): Weekly =>
  new newWeekly(days, hour, timeZone)

/** A model class as `fromDecoded` takes it: its constructor, prototype and fields. */
export interface ModelClass<A extends object, P> {
  new (props: P, options?: boolean): A
  readonly prototype: A
  readonly fields: Schema.Struct.Fields
}

/** The fields of a class that have a constructor default (a tagged class's `_tag`), with it. */
interface Defaults {
  readonly keys: ReadonlyArray<string>
  readonly makes: ReadonlyArray<() => unknown>
}

const constructorDefaults = (fields: Schema.Struct.Fields): Defaults => {
  const keys: Array<string> = []
  const makes: Array<() => unknown> = []
  for (const [key, field] of Object.entries(fields)) {
    if (!Schema.isPropertySignature(field)) continue
    const ast = field.ast
    const make = ast._tag === "PropertySignatureDeclaration" ? ast.defaultValue : ast.to.defaultValue
    if (make === undefined) continue
    keys.push(key)
    makes.push(make)
  }
  return { keys, makes }
}

const defaultsByClass = new WeakMap<object, Defaults>()

/**
 * An instance of a model class from props already of its type (an adapter's reading of a decoded
 * answer): the object `new Class(props, true)` builds — the props' own fields, then any constructor
 * default left unset, on the class's prototype — without the constructor's per-instance copy of the
 * props and walk of every field for defaults, which cost more than the rest of a list item's mapping
 * (bench/README.md, benchmark 2). Nothing is validated: give only what the class's type allows (a
 * field given as `undefined` is left out, as not given).
 */
export const fromDecoded = <A extends object, P extends object>(
  Class: ModelClass<A, P>,
  props: Given<P>
): A => {
  let defaults = defaultsByClass.get(Class)
  if (defaults === undefined) {
    defaults = constructorDefaults(Class.fields)
    defaultsByClass.set(Class, defaults)
  }
  const created = Object.create(Class.prototype)
  const instance: A = created
  // Plain indexed reads and writes: `Reflect.get`/`Reflect.set` made a tagged class's instance cost
  // four times as much (`pnpm run micro`). A field given as `undefined` is not given.
  const fields: Record<string, unknown> = created
  for (const key in props) {
    const value = props[key]
    if (value !== undefined) fields[key] = value
  }
  const { keys, makes } = defaults
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (fields[key] === undefined) fields[key] = makes[i]!()
  }
  return instance
}
