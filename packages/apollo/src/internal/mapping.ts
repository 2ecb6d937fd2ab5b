/**
 * Pure functions between Apollo's wire shapes and the neutral model. No effects, no requests: each
 * is unit-tested on its own.
 */
import { Either, Predicate } from "effect"
import { type Diff, Sequence as S } from "@unisequence/core"
import type * as W from "./wire.js"
import * as Options from "./options.js"

// Read results are built from decoded wire data, so the model classes are constructed without
// validating again or walking the class's fields (`fromDecoded`; a list item by `summaryOf`, which
// stores each field by name: a list builds one per item).

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

// ---------------------------------------------------------------- small conversions

const stepTypesToWire: Readonly<Record<S.StepType, W.StepType>> = {
  email: "auto_email",
  manual_email: "manual_email",
  call: "call",
  action_item: "action_item",
  linkedin_connect: "linkedin_step_connect",
  linkedin_message: "linkedin_step_message",
  linkedin_view_profile: "linkedin_step_view_profile",
  linkedin_interact_post: "linkedin_step_interact_post"
}

export const stepTypeToWire = (type: S.StepType): W.StepType => stepTypesToWire[type]

export const stepTypeFromWire = (type: string): S.StepType | undefined =>
  (Object.keys(stepTypesToWire) as Array<S.StepType>).find((neutral) => stepTypesToWire[neutral] === type)

const units: Readonly<Record<W.WaitMode, S.DelayUnit>> = { minute: "minutes", hour: "hours", day: "days" }

/**
 * `wait_time` + `wait_mode` → delay. Missing waits (a step of an exact-time sequence, whose time is
 * its `exact_datetime`, carried in its options) read as zero days.
 */
export const delayFromWire = (
  waitTime: number | null | undefined,
  waitMode: string | null | undefined
): S.Delay | undefined => {
  const value = waitTime ?? 0
  if (waitMode === null || waitMode === undefined) return { value, unit: "days" }
  if (waitMode === "week") return { value: value * 7, unit: "days" }
  const unit = units[waitMode as W.WaitMode]
  return unit === undefined ? undefined : { value, unit }
}

export const delayToWire = (
  delay: S.Delay
): { readonly wait_time: number; readonly wait_mode: W.WaitMode } => ({
  wait_time: delay.value,
  wait_mode: delay.unit === "minutes" ? "minute" : delay.unit === "hours" ? "hour" : "day"
})

/** Apollo's comma-separated `cc_emails` (`""` when none) → addresses. */
export const splitEmails = (value: string | null | undefined): ReadonlyArray<string> =>
  (value ?? "")
    .split(",")
    .map((address) => address.trim())
    .filter((address) => address !== "")

export const joinEmails = (addresses: ReadonlyArray<string>): string => addresses.join(",")

// ---------------------------------------------------------------- schedules

const dayOrder: ReadonlyArray<S.Weekday> = S.weekdays

const windowsOf = (schedule: W.EmailerSchedule) =>
  dayOrder.flatMap((day) => {
    const windows = (schedule.schedule_hash?.[day] ?? []).filter((w) => w.length >= 2)
    return windows.length === 0 ? [] : [{ day, start: Math.min(...windows.map((w) => w[0]!)) }]
  })

/** The schedule as a neutral weekly one, when every sending day starts at the same hour. */
export const weeklyOf = (schedule: W.EmailerSchedule): S.Weekly | undefined => {
  const days = windowsOf(schedule)
  const zone = schedule.time_zone
  const hour = days[0]?.start
  if (zone == null || hour === undefined || days.some((d) => d.start !== hour)) return undefined
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) return undefined
  return S.fromDecoded(S.Weekly, { days: days.map((d) => d.day), hour, timeZone: zone })
}

/** Why a schedule has no one-hour weekly form, in words for a warning. */
export const whyNoWeekly = (schedule: W.EmailerSchedule): string => {
  const days = windowsOf(schedule)
  if (schedule.time_zone == null) return "has no time zone"
  if (days.length === 0) return "sends on no day"
  if (days.some((d) => d.start !== days[0]!.start))
    return `starts at different hours on different days (${days.map((d) => `${d.day} ${d.start}:00`).join(", ")})`
  return `starts at ${days[0]!.start}, not a whole hour of the day`
}

/** The team schedule sending on exactly these days, each starting at the hour, in the same zone. */
export const matchSchedule = (
  weekly: S.Weekly,
  schedules: ReadonlyArray<W.EmailerSchedule>
): W.EmailerSchedule | undefined => {
  const wanted = new Set(weekly.days)
  return schedules.find((schedule) => {
    if (schedule.time_zone !== weekly.timeZone) return false
    const days = windowsOf(schedule)
    return days.length === wanted.size && days.every((d) => wanted.has(d.day) && d.start === weekly.hour)
  })
}

export const describeSchedule = (schedule: W.EmailerSchedule): string => {
  const days = windowsOf(schedule)
  const hash = days
    .map((d) => {
      const windows = schedule.schedule_hash?.[d.day] ?? []
      return `${d.day} ${windows.map((w) => `${w[0]}-${w[1]}`).join(",")}`
    })
    .join("; ")
  return `"${schedule.name ?? schedule.id}" (${schedule.id}: ${hash === "" ? "empty" : hash} ${schedule.time_zone ?? "no zone"})`
}

export const noMatchingSchedule = (weekly: S.Weekly, schedules: ReadonlyArray<W.EmailerSchedule>): string =>
  `no team schedule sends on ${weekly.days.join(", ")} from ${weekly.hour}:00 ${weekly.timeZone}, and Apollo's API cannot create schedules: create one in Apollo or pass a Named schedule. Available: ${
    schedules.length === 0 ? "none" : schedules.map(describeSchedule).join("; ")
  }`

export const namedSchedule = (
  scheduleId: string,
  schedules: ReadonlyArray<W.EmailerSchedule> | undefined
): S.Named => {
  const found = schedules?.find((s) => s.id === scheduleId)
  const weekly = found === undefined ? undefined : weeklyOf(found)
  const noWeekly =
    weekly !== undefined
      ? undefined
      : found !== undefined
        ? whyNoWeekly(found)
        : schedules === undefined
          ? "could not be read (the team's schedules were not readable)"
          : "is not among the team's schedules"
  return S.fromDecoded(S.Named, {
    scheduleId,
    ...(found?.name == null ? {} : { name: found.name }),
    ...(weekly === undefined ? {} : { weekly }),
    ...(noWeekly === undefined ? {} : { noWeekly })
  })
}

// ---------------------------------------------------------------- reading

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Statistics of a raw campaign (`unique_*`, `*_rate`): numbers, or `"loading"`. */
export const statsOf = (raw: unknown): Record<string, unknown> => {
  if (!isRecord(raw)) return {}
  return Object.fromEntries(
    Object.entries(raw).filter(
      ([key, value]) =>
        /^unique_|_rate$/.test(key) && (typeof value === "number" || typeof value === "string")
    )
  )
}

const creationTypes = ["draft", "new", "ai_assistant"] as const
const visibilities = ["restricted", "everyone"] as const
const accessTypes = ["can_view", "can_edit", "full_access"] as const
const oneOf = <A extends string>(values: ReadonlyArray<A>, value: string | null | undefined): A | undefined =>
  values.find((v) => v === value)

const createFlagNames = [
  "mark_finished_if_reply",
  "mark_finished_if_click",
  "mark_finished_if_interested",
  "mark_paused_if_ooo",
  "create_task_if_email_open",
  "ignore_apollo_global_email_bounce_list",
  "sequence_by_exact_daytime"
] as const
export type CreateFlag = (typeof createFlagNames)[number]
export const isCreateFlag = (name: string): name is CreateFlag => createFlagNames.some((n) => n === name)

/**
 * Where Apollo reads back other than what it was given: a `draft` with steps reads `new` (Apollo
 * promotes it), and a restricted sequence has no access type (Apollo ignores one). `undefined`:
 * compared as written.
 */
export const sameSequenceOption = (field: string, actual: unknown, desired: unknown): boolean | undefined => {
  if (field === "creationType" && desired === "draft") return actual === "draft" || actual === "new"
  if (field === "sharingPermission" && Predicate.isRecord(desired) && desired.visibility === "restricted")
    return Predicate.isRecord(actual) && actual.visibility === "restricted"
  return undefined
}

/** Sequence-level fields the neutral model has no field for. */
export const sequenceOptionsFromWire = (
  campaign: W.Campaign,
  rawCampaign: unknown
): Options.SequenceOptions => {
  const options: Mutable<Options.SequenceOptions> = {}
  const creationType = oneOf(creationTypes, campaign.creation_type)
  if (creationType !== undefined) options.creationType = creationType
  const sharing = campaign.sharing_permission
  if (sharing != null) {
    const visibility = oneOf(visibilities, sharing.visibility)
    const accessType = oneOf(accessTypes, sharing.access_type)
    options.sharingPermission = {
      ...(visibility === undefined ? {} : { visibility }),
      ...(accessType === undefined ? {} : { accessType })
    }
  }
  if (campaign.permissions != null) options.permissions = campaign.permissions
  if (campaign.user_id != null) options.userId = campaign.user_id
  const flags: Record<string, boolean> = {}
  for (const name of createFlagNames) {
    const value = campaign[name]
    if (typeof value === "boolean") flags[name] = value
  }
  if (Object.keys(flags).length > 0) options.createFlags = flags
  if (campaign.label_ids != null && campaign.label_ids.length > 0) options.labelIds = campaign.label_ids
  const stats = statsOf(rawCampaign)
  if (Object.keys(stats).length > 0) options.stats = stats
  return options
}

type Settings = Mutable<ConstructorParameters<typeof S.SequenceSummary>[0]>

/**
 * The settings of a campaign, shared by `get` and `list`, in one object (a list builds one per
 * item: conditional assignments, not a spread per optional field).
 */
const settingsFromWire = (
  campaign: W.Campaign,
  rawCampaign: unknown,
  schedules: ReadonlyArray<W.EmailerSchedule> | undefined
): Settings => {
  const out: Settings = { id: campaign.id, name: campaign.name ?? "" }
  if (campaign.archived != null) out.archived = campaign.archived
  if (campaign.created_at != null) out.createdAt = campaign.created_at
  if (campaign.updated_at != null) out.updatedAt = campaign.updated_at
  if (campaign.emailer_schedule_id != null)
    out.schedule = namedSchedule(campaign.emailer_schedule_id, schedules)
  const limits: Mutable<S.Limits> = {}
  let limited = false
  if (campaign.max_emails_per_day != null) {
    limits.maxEmailsPerDay = campaign.max_emails_per_day
    limited = true
  }
  if (campaign.same_account_reply_delay_days != null) {
    limits.sameAccountReplyDelayDays = campaign.same_account_reply_delay_days
    limited = true
  }
  if (limited) out.limits = limits
  const cc = splitEmails(campaign.cc_emails)
  if (cc.length > 0) out.cc = cc
  const bcc = splitEmails(campaign.bcc_emails)
  if (bcc.length > 0) out.bcc = bcc
  if (campaign.label_names != null && campaign.label_names.length > 0) out.labels = campaign.label_names
  out.providerOptions = { apollo: sequenceOptionsFromWire(campaign, rawCampaign) }
  return out
}

export const summaryFromWire = (
  campaign: W.Campaign,
  rawCampaign: unknown,
  schedules?: ReadonlyArray<W.EmailerSchedule>
): S.SequenceSummary => {
  const props = settingsFromWire(campaign, rawCampaign, schedules)
  if (campaign.active != null) props.active = campaign.active
  if (typeof campaign.num_steps === "number") props.stepCount = campaign.num_steps
  props.raw = rawCampaign
  return S.summaryOf(props)
}

const emailFromTouch = (touch: W.Touch, templates: ReadonlyMap<string, W.Template>): S.StepEmail => {
  const template =
    (touch.emailer_template_id == null ? undefined : templates.get(touch.emailer_template_id)) ??
    touch.emailer_template ??
    undefined
  return {
    subject: template?.subject ?? "",
    html: template?.body_html ?? "",
    ...(touch.type === "reply_to_thread" || touch.type === "reply" ? { thread: "reply" as const } : {})
  }
}

/** What `Step.raw` holds for an Apollo step: its wire step and touches, read back when writing. */
export interface StepRaw {
  readonly step: W.Step
  readonly touches: ReadonlyArray<W.Touch>
}

export const isStepRaw = (u: unknown): u is StepRaw =>
  isRecord(u) && isRecord(u.step) && Array.isArray(u.touches)

/** One wire step with its touches → a neutral step. */
export const stepFromWire = (
  step: W.Step,
  touches: ReadonlyArray<W.Touch>,
  templates: ReadonlyMap<string, W.Template>
): Either.Either<S.Step, string> => {
  const wireType = step.type ?? step.step_type
  const type = wireType == null ? undefined : stepTypeFromWire(wireType)
  if (type === undefined)
    return Either.left(`step ${step.id} has an unknown type ${JSON.stringify(wireType)}`)
  const delay = delayFromWire(step.wait_time, step.wait_mode)
  if (delay === undefined)
    return Either.left(`step ${step.id} has an unknown wait_mode ${JSON.stringify(step.wait_mode)}`)
  const [first, ...rest] = touches
  const apollo: Mutable<Options.StepOptions> = {}
  // Carried wherever it is set, so no target drops it unsaid: in an exact-time sequence it is the
  // step's time (another provider refuses it); a leftover one in a sequence that waits is dropped
  // with a warning (`stepTimingFlag`).
  if (step.exact_datetime != null) apollo.exactDatetime = step.exact_datetime
  if (step.priority != null) apollo.priority = step.priority
  if (step.note != null) apollo.note = step.note
  if (step.auto_skip_in_x_days != null) apollo.autoSkipInXDays = step.auto_skip_in_x_days
  if (first !== undefined) apollo.touchId = first.id
  const raw: StepRaw = { step, touches }
  return Either.right(
    S.fromDecoded(S.Step, {
      id: step.id,
      delay,
      type,
      ...(first === undefined ? {} : { email: emailFromTouch(first, templates) }),
      ...(rest.length === 0
        ? {}
        : {
            variants: rest.map((touch) => ({
              id: touch.id,
              email: emailFromTouch(touch, templates),
              published: touch.status === "approved"
            }))
          }),
      published: first?.status === "approved",
      ...(Object.keys(apollo).length === 0 ? {} : { providerOptions: { apollo } }),
      raw
    })
  )
}

/** Steps by one-based position, touches grouped by `emailer_step_id`, templates joined by id. */
export const stepsFromWire = (
  steps: ReadonlyArray<W.Step>,
  touches: ReadonlyArray<W.Touch>,
  templates: ReadonlyArray<W.Template>
): Either.Either<ReadonlyArray<S.Step>, string> => {
  const byTemplate = new Map(templates.flatMap((t) => (t.id == null ? [] : [[t.id, t] as const])))
  const ordered = steps
    .map((step, index) => ({ step, index }))
    .sort((a, b) => (a.step.position ?? a.index + 1) - (b.step.position ?? b.index + 1) || a.index - b.index)
  return Either.all(
    ordered.map(({ step }) =>
      stepFromWire(
        step,
        touches.filter((t) => t.emailer_step_id === step.id),
        byTemplate
      )
    )
  )
}

/** `GET /emailer_campaigns/{id}` (or a create response) → the neutral sequence. */
export const sequenceFromWire = (
  detail: W.SequenceDetail,
  raw: unknown,
  schedules: ReadonlyArray<W.EmailerSchedule> | undefined
): Either.Either<S.Sequence, string> => {
  const rawCampaign = isRecord(raw) ? raw.emailer_campaign : undefined
  return Either.map(
    stepsFromWire(detail.emailer_steps ?? [], detail.emailer_touches ?? [], detail.emailer_templates ?? []),
    (steps) =>
      S.fromDecoded(S.Sequence, {
        ...settingsFromWire(detail.emailer_campaign, rawCampaign, schedules),
        active: detail.emailer_campaign.active ?? false,
        steps,
        raw
      })
  )
}

// ---------------------------------------------------------------- writing

export type Issues = ReadonlyArray<{ readonly path: string; readonly message: string }>

const MAX_REPLY_DELAY = 1000

/** Settings shared by create and update; `scheduleId` is the already-resolved schedule. */
const settingsToWire = (
  settings: {
    readonly name?: string | undefined
    readonly limits?: S.Limits | undefined
    readonly cc?: ReadonlyArray<string> | undefined
    readonly bcc?: ReadonlyArray<string> | undefined
    readonly labels?: ReadonlyArray<string> | undefined
    readonly providerOptions?: S.ProviderOptions | undefined
  },
  scheduleId: string | undefined,
  mode: "create" | "update"
): Either.Either<Mutable<W.UpdateSequenceBody>, Issues> => {
  const issues: Array<{ path: string; message: string }> = []
  const body: Mutable<W.UpdateSequenceBody> = {}
  if (settings.name !== undefined) body.name = settings.name
  if (scheduleId !== undefined) body.emailer_schedule_id = scheduleId
  const limits = settings.limits
  const cap = limits?.maxEmailsPerDay
  if (cap === null && mode === "update") {
    // The document types it an integer, never null: there is no documented way to lift a cap.
    issues.push({
      path: "limits.maxEmailsPerDay",
      message:
        "Apollo cannot clear this limit (its document types it as an integer); set a number of emails a day"
    })
  } else if (cap != null) body.max_emails_per_day = cap
  const delay = limits?.sameAccountReplyDelayDays
  if (delay === null) {
    issues.push({
      path: "limits.sameAccountReplyDelayDays",
      message: "Apollo cannot clear this limit; set a number of days (0 to 1000)"
    })
  } else if (delay !== undefined) {
    if (delay > MAX_REPLY_DELAY) {
      issues.push({
        path: "limits.sameAccountReplyDelayDays",
        message: `must be at most ${MAX_REPLY_DELAY} on Apollo, got ${delay}`
      })
    } else body.same_account_reply_delay_days = delay
  }
  if (settings.cc !== undefined) body.cc_emails = joinEmails(settings.cc)
  if (settings.bcc !== undefined) body.bcc_emails = joinEmails(settings.bcc)
  if (settings.labels !== undefined) body.label_names = settings.labels
  const apollo = Options.sequenceOptions(settings.providerOptions)
  if (apollo?.creationType !== undefined) body.creation_type = apollo.creationType
  if (apollo?.permissions !== undefined) body.permissions = apollo.permissions
  return issues.length > 0 ? Either.left(issues) : Either.right(body)
}

/** A settings-only patch → the `PUT /sequences/{id}` body, never with `emailer_steps`. */
export const patchToWire = (
  patch: S.SequencePatch,
  scheduleId: string | undefined
): Either.Either<W.UpdateSequenceBody, Issues> =>
  Either.flatMap(settingsToWire(patch, scheduleId, "update"), (body) => {
    if (patch.active !== undefined) body.active = patch.active
    const apollo = Options.sequenceOptions(patch.providerOptions)
    if (apollo?.userId !== undefined) body.user_id = apollo.userId
    if (apollo?.sharingPermission !== undefined) {
      const { visibility, accessType } = apollo.sharingPermission
      body.sharing_permission = {
        ...(visibility === undefined ? {} : { visibility }),
        ...(accessType === undefined ? {} : { access_type: accessType })
      }
    }
    if (apollo?.createFlags !== undefined && Object.keys(apollo.createFlags).length > 0) {
      return Either.left([
        {
          path: "providerOptions.apollo.createFlags",
          message: `Apollo accepts ${Object.keys(apollo.createFlags).join(", ")} only when a sequence is created`
        }
      ])
    }
    return Either.right(body)
  })

const touchTypeOf = (email: S.StepEmail): W.TouchType =>
  email.thread === "reply" ? "reply_to_thread" : "new_thread"

const statusOf = (published: boolean): W.TouchStatus => (published ? "approved" : "to_be_reviewed")

/** A step's emails in touch order: its email first, then its variants, each with its own status. */
const emailsOf = (step: Pick<S.Step, "email" | "variants" | "published">) => [
  ...(step.email === undefined ? [] : [{ email: step.email, published: step.published, id: undefined }]),
  ...(step.variants ?? []).map((v) => ({
    email: v.email,
    published: v.published ?? step.published,
    id: v.id
  }))
]

/** The touches of a created step, with every field `POST /sequences` documents. */
export const createTouchesToWire = (
  step: Pick<S.Step, "email" | "variants" | "published">
): ReadonlyArray<W.CreateTouchInput> =>
  emailsOf(step).map(({ email, published }) => ({
    type: touchTypeOf(email),
    status: statusOf(published),
    emailer_template: { subject: email.subject, body_html: email.html }
  }))

/**
 * All touches of a step in `PUT /sequences/{id}`: its email first, then its variants. Only the
 * fields the update documents: a kept touch's thread and signature stay as Apollo holds them.
 */
export const touchesToWire = (
  step: Pick<S.Step, "email" | "variants" | "published" | "providerOptions">,
  keptTouches: ReadonlyArray<W.Touch>
): ReadonlyArray<W.UpdateTouchInput> => {
  const own = new Map(keptTouches.map((t) => [t.id, t]))
  const ownId = (id: string | undefined) => (id !== undefined && own.has(id) ? id : undefined)
  const primary = Options.stepOptions(step.providerOptions)?.touchId
  return emailsOf(step).map(({ email, published, id: variantId }, k) => {
    const id = ownId(k === 0 && step.email !== undefined ? primary : variantId)
    const kept = id === undefined ? undefined : own.get(id)
    return {
      ...(id === undefined ? {} : { id }),
      status: statusOf(published),
      // What the neutral model does not hold is sent back as it was, so an update never resets it.
      ...(kept?.attachment_ids == null ? {} : { attachment_ids: kept.attachment_ids }),
      emailer_template: { subject: email.subject, body_html: email.html }
    }
  })
}

/** A neutral step → a step of the `POST /sequences` body (ordered by the array, no position). */
export const createStepToWire = (step: S.NewStep | S.Step): W.CreateStepInput => {
  const apollo = Options.stepOptions(step.providerOptions)
  return {
    type: stepTypeToWire(step.type),
    ...delayToWire(step.delay),
    ...(apollo?.exactDatetime == null ? {} : { exact_datetime: apollo.exactDatetime }),
    ...(apollo?.priority == null ? {} : { priority: apollo.priority }),
    ...(apollo?.note == null ? {} : { note: apollo.note }),
    ...(apollo?.autoSkipInXDays == null ? {} : { auto_skip_in_x_days: apollo.autoSkipInXDays }),
    emailer_touches: createTouchesToWire(step)
  }
}

/** A neutral step → a step of `PUT /sequences/{id}`; `kept` is the wire step it updates (its id is sent). */
export const stepToWire = (
  step: S.NewStep | S.Step,
  position: number,
  kept: StepRaw | undefined
): W.UpdateStepInput => {
  const apollo = Options.stepOptions(step.providerOptions)
  const wire = kept?.step
  const skip = apollo?.autoSkipInXDays !== undefined ? apollo.autoSkipInXDays : wire?.auto_skip_in_x_days
  return {
    ...(wire === undefined ? {} : { id: wire.id }),
    position,
    type: stepTypeToWire(step.type),
    ...delayToWire(step.delay),
    ...(skip == null ? {} : { auto_skip_in_x_days: skip }),
    // Always sent: a step listed without touches loses them (replace semantics reach touches too).
    emailer_touches: touchesToWire(step, kept?.touches ?? [])
  }
}

/**
 * What `PUT /sequences/{id}` cannot write in the planned list: a field the document lists only on
 * create (a step's exact date and time, task priority, note; a touch's thread) that the plan sets to
 * something other than what Apollo holds (or, for a new step or touch, what Apollo gives it).
 */
export const unwritableOnUpdate = (planned: ReadonlyArray<Planned>): Issues =>
  planned.flatMap(({ step, kept }, i) => {
    const path = `steps[${i}]`
    const apollo = Options.stepOptions(step.providerOptions)
    const wire = kept?.step
    const createOnly = [
      ["exactDatetime", apollo?.exactDatetime, wire?.exact_datetime, "exact date and time"],
      ["priority", apollo?.priority, wire?.priority, "task priority"],
      ["note", apollo?.note, wire?.note, "note"]
    ] as const
    const issues: Array<{ path: string; message: string }> = createOnly.flatMap(
      ([field, wanted, held, words]) =>
        wanted === undefined || wanted === (held ?? null)
          ? []
          : [
              {
                path: `${path}.providerOptions.apollo.${field}`,
                message: `Apollo's PUT /sequences/{id} documents no step ${words} (POST /sequences sets it when the sequence is created), so it cannot be ${wanted === null ? "cleared" : `set to ${JSON.stringify(wanted)}`} on an existing sequence`
              }
            ]
    )
    const own = new Map((kept?.touches ?? []).map((t) => [t.id, t]))
    const primary = Options.stepOptions(step.providerOptions)?.touchId
    emailsOf(step).forEach(({ email, id: variantId }, k) => {
      const id = k === 0 && step.email !== undefined ? primary : variantId
      const touch = id === undefined ? undefined : own.get(id)
      // A touch the update creates starts a new thread; a kept one keeps its own (unknown: not checked).
      const held = touch === undefined ? "new_thread" : touch.type
      if (held == null || held === touchTypeOf(email)) return
      const at =
        k === 0 && step.email !== undefined
          ? `${path}.email.thread`
          : `${path}.variants[${k - (step.email === undefined ? 0 : 1)}].email.thread`
      issues.push({
        path: at,
        message: `Apollo's PUT /sequences/{id} documents no touch type, so ${touch === undefined ? "a touch it adds starts a new thread and cannot reply in the previous one" : `this touch stays ${held === "reply_to_thread" ? "a reply in the thread" : "a new thread"}`}; POST /sequences sets it when the sequence is created`
      })
    })
    return issues
  })

/** A step of the planned list: the neutral content and the wire step it keeps, if any. */
export interface Planned {
  readonly step: S.NewStep | S.Step
  readonly kept: StepRaw | undefined
}

/**
 * The complete step list after `diff`: every kept step with its id and every kept touch with its
 * id, each changed only where the diff says; new steps where the order puts them. A step or touch
 * leaves the list only when the diff removes it.
 */
export const planSteps = (
  current: { readonly steps: ReadonlyArray<S.Step> },
  diff: Diff.StepDiff,
  applyPatch: (step: S.Step, patch: S.StepPatch) => S.Step
): Either.Either<ReadonlyArray<Planned>, string> => {
  const byId = new Map(current.steps.map((step) => [step.id, step]))
  const patches = new Map(diff.updates.map((u) => [u.id, u.patch]))
  const planned: Array<Planned> = []
  for (const ref of diff.order) {
    if (ref._tag === "New") {
      const step = diff.creates[ref.index]
      if (step === undefined)
        return Either.left(`the diff names new step ${ref.index}, which it does not hold`)
      planned.push({ step, kept: undefined })
      continue
    }
    const existing = byId.get(ref.id)
    if (existing === undefined) return Either.left(`step ${ref.id} is not in the sequence`)
    if (!isStepRaw(existing.raw)) return Either.left(`step ${ref.id} was not read from Apollo`)
    const patch = patches.get(ref.id)
    planned.push({ step: patch === undefined ? existing : applyPatch(existing, patch), kept: existing.raw })
  }
  return Either.right(planned)
}

export const plannedToWire = (planned: ReadonlyArray<Planned>): ReadonlyArray<W.UpdateStepInput> =>
  planned.map((p, i) => stepToWire(p.step, i + 1, p.kept))

/**
 * The steps as they end after a write: the planned content, with the ids Apollo answered (steps by
 * position; touches by step, in order) wherever the answer holds them.
 */
export const stepsAfterWrite = (
  planned: ReadonlyArray<Planned>,
  sent: ReadonlyArray<W.UpdateStepInput>,
  answer: { readonly steps: ReadonlyArray<W.Step>; readonly touches: ReadonlyArray<W.Touch> }
): ReadonlyArray<S.Step> => {
  const byPosition = new Map(
    answer.steps.flatMap((s) => (s.position == null ? [] : [[s.position, s] as const]))
  )
  return planned.map(({ step, kept }, i) => {
    const wireStep = byPosition.get(i + 1) ?? (sent[i]?.id === undefined ? undefined : { id: sent[i]!.id! })
    // The fields the answer leaves out (a note, a priority) are as they were: the update cannot change them.
    const keptWire = kept?.step.id !== undefined && kept.step.id === wireStep?.id ? kept.step : undefined
    const types = emailsOf(step).map(({ email }) => touchTypeOf(email))
    const id = wireStep?.id ?? sent[i]?.id ?? ""
    const touches = answer.touches.filter((t) => t.emailer_step_id === id)
    const sentTouches = sent[i]?.emailer_touches ?? []
    const touchIds = sentTouches.map((t, k) => touches[k]?.id ?? t.id)
    const hasEmail = step.email !== undefined
    const primaryId = hasEmail ? touchIds[0] : undefined
    const variantIds = hasEmail ? touchIds.slice(1) : touchIds
    const apollo: Mutable<Options.StepOptions> = { ...Options.stepOptions(step.providerOptions) }
    if (primaryId !== undefined) apollo.touchId = primaryId
    else delete apollo.touchId
    const { id: _id, raw: _raw, ...fields } = step as S.Step
    return S.fromDecoded(S.Step, {
      ...fields,
      id,
      ...(step.variants === undefined
        ? {}
        : {
            variants: step.variants.map((v, k) => {
              const variantId = variantIds[k]
              return { ...v, ...(variantId === undefined ? {} : { id: variantId }) }
            })
          }),
      ...(Object.keys(apollo).length === 0 ? {} : { providerOptions: { ...step.providerOptions, apollo } }),
      raw: {
        step: { ...keptWire, ...(wireStep ?? { id }) },
        touches: touchIds.flatMap((touchId, k) =>
          touchId === undefined
            ? []
            : [
                {
                  ...touchesOf(sentTouches[k]),
                  ...(types[k] === undefined ? {} : { type: types[k] }),
                  id: touchId,
                  emailer_step_id: id
                }
              ]
        )
      } satisfies StepRaw
    })
  })
}

/** Whether the steps built from a write's answer carry an id for every step and every touch sent. */
export const namesEveryChild = (
  steps: ReadonlyArray<S.Step>,
  sent: ReadonlyArray<W.UpdateStepInput>
): boolean =>
  steps.length === sent.length &&
  steps.every((step, i) => {
    if (step.id === "") return false
    const touches = isStepRaw(step.raw) ? step.raw.touches.length : 0
    return touches === (sent[i]?.emailer_touches ?? []).length
  })

const touchesOf = (input: W.UpdateTouchInput | undefined): Omit<W.Touch, "id"> => ({
  ...(input?.status === undefined ? {} : { status: input.status }),
  ...(input?.attachment_ids === undefined ? {} : { attachment_ids: input.attachment_ids })
})

/** A neutral create input → the `POST /sequences` body (never `active`: activation is a second call). */
export const createToWire = (
  input: S.NewSequence,
  scheduleId: string | undefined
): Either.Either<W.CreateSequenceBody, Issues> =>
  Either.flatMap(settingsToWire(input, scheduleId, "create"), (settings) => {
    const flags: Mutable<Partial<Record<CreateFlag, boolean>>> = {}
    const unknown: Array<string> = []
    for (const [name, value] of Object.entries(
      Options.sequenceOptions(input.providerOptions)?.createFlags ?? {}
    )) {
      if (isCreateFlag(name)) flags[name] = value
      else unknown.push(name)
    }
    if (unknown.length > 0) {
      return Either.left([
        {
          path: "providerOptions.apollo.createFlags",
          message: `unknown flag${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}; known: ${createFlagNames.join(", ")}`
        }
      ])
    }
    // Not create fields in Apollo's document (the update lists them): written by `afterCreatePatch`.
    const { name: _name, cc_emails: _cc, bcc_emails: _bcc, creation_type: _type, ...rest } = settings
    return Either.right({
      name: input.name,
      ...rest,
      ...flags,
      // The document orders created steps by the array ("no separate ordering field on input").
      emailer_steps: input.steps.map(createStepToWire)
    })
  })

/**
 * What create cannot set, by Apollo's document: owner and sharing, cc/bcc and the creation type are
 * update fields only, so they go in one `PUT` right after.
 */
export const afterCreatePatch = (input: S.NewSequence): W.UpdateSequenceBody | undefined => {
  const apollo = Options.sequenceOptions(input.providerOptions)
  const body: Mutable<W.UpdateSequenceBody> = {}
  if (input.cc !== undefined && input.cc.length > 0) body.cc_emails = joinEmails(input.cc)
  if (input.bcc !== undefined && input.bcc.length > 0) body.bcc_emails = joinEmails(input.bcc)
  if (apollo?.creationType !== undefined) body.creation_type = apollo.creationType
  if (apollo?.userId !== undefined) body.user_id = apollo.userId
  if (apollo?.sharingPermission !== undefined) {
    const { visibility, accessType } = apollo.sharingPermission
    body.sharing_permission = {
      ...(visibility === undefined ? {} : { visibility }),
      ...(accessType === undefined ? {} : { access_type: accessType })
    }
  }
  return Object.keys(body).length === 0 ? undefined : body
}

/** How many contacts an add answer says were added, and how many were already in. */
export const enrollmentFromWire = (
  requested: ReadonlyArray<string>,
  answer: W.AddContactsResponse
): S.EnrollmentResult => {
  const skipped = answer.skipped_contact_ids
  const reasons: ReadonlyArray<readonly [string, unknown]> =
    skipped == null
      ? []
      : Array.isArray(skipped)
        ? skipped.map((id) => [id, "skipped"] as const)
        : Object.entries(skipped)
  const skippedIds = new Set(reasons.map(([id]) => id))
  const already = reasons.filter(([, reason]) => /already|exists/i.test(String(reason))).length
  return {
    added: requested.filter((id) => !skippedIds.has(id)).length,
    alreadyEnrolled: already
  }
}
