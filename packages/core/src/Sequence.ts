/**
 * The provider-neutral model of an email sequence: an ordered list of steps, each sent a delay after
 * the previous one, on a schedule, to everyone enrolled.
 *
 * Every field either provider documents has a home here: in a neutral field when both providers (or
 * the idea) share it, otherwise in the typed, namespaced `providerOptions`.
 */
import { Schema } from "effect"

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

/** Send on these days at this hour (0-23) in this IANA zone: Kit's sequence schedule. */
export class Weekly extends Schema.TaggedClass<Weekly>()("Weekly", {
  days: Schema.Array(Weekday),
  hour: Schema.Number,
  timeZone: Schema.String
}) {}

/**
 * A schedule the provider keeps by id: Apollo's `emailer_schedule_id`. `name` and `weekly` are
 * filled when the adapter could read the schedule, so that it can be translated to a provider that
 * only knows weekly schedules.
 */
export class Named extends Schema.TaggedClass<Named>()("Named", {
  scheduleId: Schema.String,
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

/** An A/B alternative of a step's email: Apollo's extra `emailer_touches` of one step. */
export const Variant = Schema.Struct({
  id: Schema.optional(Schema.String),
  email: StepEmail,
  published: Schema.optional(Schema.Boolean)
})
export type Variant = typeof Variant.Type

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

/** Apollo's sending limits. `null` clears. */
export const Limits = Schema.Struct({
  maxEmailsPerDay: Schema.optional(Schema.NullOr(Schema.Number)),
  sameAccountReplyDelayDays: Schema.optional(Schema.NullOr(Schema.Number))
})
export type Limits = typeof Limits.Type

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
  ...settingsFields,
  active: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  steps: Schema.optionalWith(Schema.Array(NewStep), { default: () => [] })
})
export type NewSequence = typeof NewSequence.Type
export type NewSequenceInput = typeof NewSequence.Encoded

/** Settings patch: absent = unchanged, `null` = clear (where the provider allows it). */
export const SequencePatch = Schema.Struct({
  ...settingsFields,
  name: Schema.optional(Schema.String),
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

/** Step patch: absent = unchanged; `sendDays: null` reverts to the sequence schedule. */
export const StepPatch = Schema.Struct({
  delay: Schema.optional(Delay),
  sendDays: Schema.optional(Schema.NullOr(Schema.Array(Weekday))),
  type: Schema.optional(StepType),
  /** `null` removes the email, for a step that becomes a call or a task. */
  email: Schema.optional(Schema.NullOr(StepEmailPatch)),
  variants: Schema.optional(Schema.Array(Variant)),
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
