/**
 * Kit wire ↔ neutral model, as small pure functions. Reading never fails (the wire types are already
 * decoded); writing returns the body with only the fields the input names, or the reason it cannot
 * be written to Kit.
 */
import { Capabilities, Sequence as Model, SequenceError } from "@unisequence/core"
import { Either } from "effect"
import type * as Wire from "./wire.js"
import * as Options from "./options.js"

// Read results are built from decoded wire data, so the model instances are made without validating
// again or walking the class's fields (`Model.fromDecoded`; a list item and its schedule by
// `summaryOf` and `weeklyOf`, which store each field by name: a list builds one per item).

const { Sequence, Step } = Model
const { InvalidInput, Unsupported } = SequenceError
type Sequence = Model.Sequence
type SequenceSummary = Model.SequenceSummary
type Step = Model.Step
type Issue = SequenceError.Issue

const provider = "kit" as const

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

// ---- reading ----

/** Every day of the week: what Kit answers for an email with no days of its own. */
const ALL_DAYS: ReadonlyArray<Wire.Day> = Model.Weekday.literals

/**
 * A per-email `send_days`: Kit answers all seven days (or `null`, for hour-based emails) when the
 * email has no restriction of its own, so both read as "none".
 */
export const toSendDays = (
  days: ReadonlyArray<Wire.Day> | null | undefined
): ReadonlyArray<Wire.Day> | undefined =>
  days == null || ALL_DAYS.every((day) => days.includes(day)) ? undefined : days

export const toSchedule = (wire: Wire.SequenceItem): Model.Weekly | undefined =>
  wire.send_days !== undefined && wire.send_hour !== undefined && wire.time_zone !== undefined
    ? Model.weeklyOf(wire.send_days, wire.send_hour, wire.time_zone)
    : undefined

/** No exclusions: one shared empty list, not one per list item. */
const NONE: ReadonlyArray<Model.Exclusion> = Object.freeze([])

export const toExclusions = (sources: ReadonlyArray<Wire.ExcludeSource>): ReadonlyArray<Model.Exclusion> =>
  sources.length === 0 ? NONE : sources.map((source) => ({ type: source.type, ids: source.ids.map(String) }))

const kitOptions = (wire: Wire.SequenceItem): Model.ProviderOptions | undefined => {
  if (wire.email_count === undefined && wire.subscriber_count === undefined && wire.stats === undefined)
    return undefined
  const kit: Record<string, unknown> = {}
  if (wire.email_count !== undefined) kit.emailCount = wire.email_count
  if (wire.subscriber_count !== undefined) kit.subscriberCount = wire.subscriber_count
  if (wire.stats !== undefined) kit.stats = wire.stats
  // Named as a literal key (`Options.provider` is "kit"): a computed key made each item's object slowly.
  return { kit }
}

/**
 * A sequence's fields as far as the wire object has them, in one object literal (a list builds one
 * per item, and a spread of it into another literal cost 20 times the rest of the mapping): a field
 * the wire does not have is `undefined`, i.e. not given.
 */
const fieldsOf = (wire: Wire.SequenceItem, stepCount: number | undefined) => ({
  id: String(wire.id),
  name: wire.name,
  reentry: wire.repeat,
  holdAfterLastStep: wire.hold,
  createdAt: wire.created_at,
  updatedAt: wire.updated_at,
  active: wire.active,
  schedule: toSchedule(wire),
  sender: wire.email_address ?? undefined,
  templateId: wire.email_template_id == null ? undefined : String(wire.email_template_id),
  exclusions:
    wire.exclude_subscriber_sources === undefined ? undefined : toExclusions(wire.exclude_subscriber_sources),
  providerOptions: kitOptions(wire),
  stepCount,
  raw: wire
})

export const toSummary = (wire: Wire.SequenceItem): SequenceSummary =>
  Model.summaryOf(fieldsOf(wire, wire.email_count))

/**
 * A sequence email as a step. The email's `email_address` is always its sequence's (Kit has no
 * per-email address to write), so it stays in `raw` rather than becoming a per-step sender.
 * `position` is the one Kit answered, or `knownPosition` when the answer said `null`.
 */
export const toStep = (email: Wire.Email, knownPosition?: number): Step => {
  const sendDays = toSendDays(email.send_days)
  const position = email.position ?? knownPosition
  return Model.fromDecoded(Step, {
    id: String(email.id),
    delay: { value: email.delay_value, unit: email.delay_unit },
    ...(sendDays === undefined ? {} : { sendDays }),
    type: "email",
    email: {
      subject: email.subject,
      html: email.content ?? "",
      // The document types it a string: an empty one is no preview text, as `null` (or none) is.
      ...(email.preview_text == null || email.preview_text === "" ? {} : { previewText: email.preview_text }),
      ...(email.email_template_id == null ? {} : { templateId: String(email.email_template_id) })
    },
    published: email.published,
    ...(position === undefined ? {} : { providerOptions: { [Options.provider]: { position } } }),
    raw: email
  })
}

export const toSequence = (wire: Wire.Sequence, emails: ReadonlyArray<Wire.Email>): Sequence => {
  // No step count: a sequence has its steps.
  return Model.fromDecoded(Sequence, {
    ...fieldsOf(wire, undefined),
    active: wire.active,
    steps: [...emails].sort((a, b) => (a.position ?? 0) - (b.position ?? 0)).map((email) => toStep(email))
  })
}

// ---- writing ----

/** Why an input cannot become a Kit body. */
export type Refusal =
  | { readonly _tag: "Invalid"; readonly issues: ReadonlyArray<Issue> }
  | { readonly _tag: "Unsupported"; readonly feature: string; readonly detail: string }

type Result<A> = Either.Either<A, Refusal>

const invalid = (path: string, message: string): Refusal => ({ _tag: "Invalid", issues: [{ path, message }] })
const unsupported = (feature: string, detail: string): Refusal => ({ _tag: "Unsupported", feature, detail })

/** Kit ids are positive integers (32-bit, as Kit's document types them); the neutral model carries them as strings. */
export const toKitId = (value: string, path: string): Result<number> =>
  /^[1-9]\d{0,9}$/.test(value.trim()) && Number(value.trim()) <= Capabilities.int32Max
    ? Either.right(Number(value.trim()))
    : Either.left(
        invalid(path, `"${value}" is not a Kit id (a positive integer up to ${Capabilities.int32Max})`)
      )

/** The neutral error for a refusal. */
export const refusalError = (operation: string, refusal: Refusal): SequenceError.SequenceError =>
  refusal._tag === "Invalid"
    ? new InvalidInput({ provider, operation, issues: refusal.issues })
    : new Unsupported({ provider, operation, feature: refusal.feature, detail: refusal.detail })

type SettingsInput = Model.SequencePatch

/** The sequence fields the input names, and only those. */
export const sequenceBody = (input: SettingsInput): Result<Wire.SequenceBody> => {
  const body: Mutable<Wire.SequenceBody> = {}
  if (input.name !== undefined) body.name = input.name
  if (input.active !== undefined) body.active = input.active
  if (input.reentry !== undefined) body.repeat = input.reentry
  if (input.holdAfterLastStep !== undefined) body.hold = input.holdAfterLastStep
  if (input.schedule !== undefined) {
    if (input.schedule._tag !== "Weekly") {
      return Either.left(unsupported("schedule", "Kit schedules are weekly days at an hour in a time zone"))
    }
    body.send_days = input.schedule.days
    body.send_hour = input.schedule.hour
    body.time_zone = input.schedule.timeZone
  }
  if (input.sender === null) {
    return Either.left(
      unsupported(
        "sender: null",
        "Kit's API cannot reset a sequence's sending address; name an address instead"
      )
    )
  }
  if (input.sender !== undefined) body.email_address = input.sender
  if (input.templateId === null) {
    return Either.left(
      unsupported(
        "templateId: null",
        "Kit's API takes a template id for a sequence, not its removal; name a template"
      )
    )
  }
  if (input.templateId !== undefined) {
    const id = toKitId(input.templateId, "templateId")
    if (Either.isLeft(id)) return Either.left(id.left)
    body.email_template_id = id.right
  }
  if (input.exclusions !== undefined) {
    const sources: Array<Wire.ExcludeSource> = []
    for (const [i, exclusion] of input.exclusions.entries()) {
      const ids: Array<number> = []
      for (const [j, raw] of exclusion.ids.entries()) {
        const id = toKitId(raw, `exclusions[${i}].ids[${j}]`)
        if (Either.isLeft(id)) return Either.left(id.left)
        ids.push(id.right)
      }
      sources.push({ type: exclusion.type, ids })
    }
    body.exclude_subscriber_sources = sources
  }
  return Either.right(body)
}

/** The create body: the settings the input names; `active` always, since Kit defaults to active. */
export const createSequenceBody = (input: Model.NewSequence): Result<Wire.CreateSequenceBody> =>
  Either.map(
    sequenceBody({
      ...input,
      ...(input.sender === null ? { sender: undefined } : {}),
      ...(input.templateId === null ? { templateId: undefined } : {})
    }),
    (body) => ({ ...body, name: input.name, active: input.active })
  )

const delayBody = (
  delay: Model.Delay,
  path: string
): Result<Pick<Wire.EmailBody, "delay_value" | "delay_unit">> =>
  delay.unit === "minutes"
    ? Either.left(unsupported(`${path}.unit`, "Kit delays are in hours or days"))
    : Either.right({ delay_value: delay.value, delay_unit: delay.unit })

const senderRefusal = (path: string) =>
  unsupported(
    path,
    "Kit sends every email of a sequence from the sequence's address; set the sequence's sender instead"
  )

/** The email fields a step patch names, and only those. Read-only bookkeeping (Kit position) is ignored. */
export const emailBody = (patch: Model.StepPatch): Result<Wire.EmailBody> => {
  const body: Mutable<Wire.EmailBody> = {}
  if (patch.type !== undefined && patch.type !== "email") {
    return Either.left(unsupported("type", `Kit has email steps only, not ${patch.type}`))
  }
  if (patch.variants !== undefined && patch.variants.length > 0) {
    return Either.left(unsupported("variants", "Kit has no A/B variants"))
  }
  if (patch.delay !== undefined) {
    const delay = delayBody(patch.delay, "delay")
    if (Either.isLeft(delay)) return Either.left(delay.left)
    Object.assign(body, delay.right)
  }
  if (patch.sendDays !== undefined) body.send_days = patch.sendDays
  if (patch.published !== undefined) body.published = patch.published
  const email = patch.email
  if (email === null) return Either.left(unsupported("email", "a Kit step is an email: it cannot lose it"))
  if (email !== undefined) {
    if (email.subject !== undefined) body.subject = email.subject
    if (email.html !== undefined) body.content = email.html
    if (email.previewText !== undefined) body.preview_text = email.previewText
    if (email.templateId === null) body.email_template_id = null
    else if (email.templateId !== undefined) {
      const id = toKitId(email.templateId, "email.templateId")
      if (Either.isLeft(id)) return Either.left(id.left)
      body.email_template_id = id.right
    }
    // `null` asks for the sequence's address, which is the only one Kit has.
    if (email.sender != null) return Either.left(senderRefusal("email.sender"))
    if (email.thread === "reply")
      return Either.left(unsupported("email.thread", "Kit emails start their own thread"))
  }
  return Either.right(body)
}

/** The create body of a step, at `position` when given (appended when absent). */
export const createEmailBody = (step: Model.NewStep, position?: number): Result<Wire.CreateEmailBody> => {
  if (step.email === undefined) return Either.left(invalid("email", "a Kit step needs an email"))
  const { sendDays, ...rest } = step
  return Either.flatMap(emailBody({ ...rest, ...(sendDays == null ? {} : { sendDays }) }), (body) => {
    const { delay_value, delay_unit, subject, ...others } = body
    return delay_value === undefined || delay_unit === undefined
      ? Either.left(invalid("delay", "is required"))
      : Either.right({
          ...others,
          subject: subject ?? step.email?.subject ?? "",
          content: step.email?.html ?? "",
          delay_value,
          delay_unit,
          published: step.published,
          ...(position === undefined ? {} : { position })
        })
  })
}
