/**
 * Create and update of sequences with their steps and touches. Everything is validated before anything
 * is written, so a 422 leaves the state as it was.
 */
import { createFields, keep, updateFields } from "./documented.js"
import { notFound, unprocessable } from "./errors.js"
import { isRecord, type JsonRecord } from "./json.js"
import { campaignJson, childrenJson, loadingStats, updateStepJson } from "./render.js"
import type { Campaign, Sharing, Step, Store, Template, Touch } from "./store.js"
import type {
  AccessType,
  CreationType,
  PlanOptions,
  Priority,
  StepType,
  TouchStatus,
  TouchType,
  WaitMode
} from "./types.js"
import {
  readBoolean,
  readCreateFlags,
  readEmails,
  readEnum,
  readInteger,
  readNullableInteger,
  readRecord,
  readRecords,
  readStep,
  readString,
  readStringArray,
  type StepInput,
  stepTypes,
  touchStepTypes
} from "./validate.js"

export interface SequenceContext {
  readonly store: Store
  readonly plan: PlanOptions
}

interface ResolvedTouch {
  readonly existing: Touch | undefined
  readonly type: TouchType
  readonly status: TouchStatus
  readonly include_signature: boolean
  readonly attachment_ids: ReadonlyArray<string>
  readonly template: Template | undefined
  readonly subject: string
  readonly body_html: string
}

interface ResolvedStep {
  readonly existing: Step | undefined
  readonly type: StepType
  readonly wait_time: number | null
  readonly wait_mode: WaitMode | null
  readonly exact_datetime: string | null
  readonly priority: Priority | null
  readonly note: string | null
  readonly max_emails_per_day: number | null
  readonly auto_skip_in_x_days: number | null
  readonly touches: ReadonlyArray<ResolvedTouch>
}

const creationTypes: ReadonlyArray<CreationType> = ["draft", "new", "ai_assistant"]
const visibilities = ["restricted", "everyone"] as const
const accessTypes: ReadonlyArray<AccessType> = ["can_view", "can_edit", "full_access"]
const shareeTypes = ["user", "team", "subteam"] as const

const emptySchedule =
  "The schedule you are trying to attach to this sequence is empty. You cannot attach an empty schedule to the sequence"
const noSteps = "Please make sure you have added at least 1 step before turning on the sequence."
const upgrade =
  "<a href='https://app.apollo.io/#/settings/plans/upgrade' target='_blank'>Learn more about our paid plans</a>."

/** `a ?? b` that keeps an explicit `null` from the request. */
const pick = <A>(input: A | null | undefined, existing: A | null | undefined): A | null =>
  input !== undefined ? input : (existing ?? null)

export const checkSchedule = (store: Store, id: string): void => {
  const schedule = store.schedules.get(id)
  if (schedule === undefined) throw unprocessable("Emailer schedule " + id + " does not belong to your team.")
  if (Object.values(schedule.schedule_hash).every((windows) => windows.length === 0))
    throw unprocessable(emptySchedule)
}

const resolveTiming = (
  step: StepInput,
  existing: Step | undefined,
  exactMode: boolean,
  now: number,
  previous: number
): Pick<ResolvedStep, "wait_time" | "wait_mode" | "exact_datetime"> & { readonly at: number } => {
  const wait_time = pick(step.wait_time, existing?.wait_time)
  const wait_mode = pick(step.wait_mode, existing?.wait_mode)
  const exact_datetime = pick(step.exact_datetime, existing?.exact_datetime)
  if (!exactMode) {
    if (wait_time === null || wait_mode === null) throw unprocessable("Wait time must not be empty")
    return { wait_time, wait_mode, exact_datetime, at: previous }
  }
  const at = exact_datetime === null ? Number.NaN : Date.parse(exact_datetime)
  if (Number.isNaN(at)) throw unprocessable("Exact datetime must be a valid ISO 8601 date and time")
  if (at <= now) throw unprocessable("Exact datetime must be in the future")
  if (at <= previous) throw unprocessable("Exact datetime must be later than the previous step's")
  return { wait_time, wait_mode, exact_datetime, at }
}

const resolveTouches = (
  ctx: SequenceContext,
  step: StepInput,
  existing: Step | undefined,
  type: StepType,
  threadStarted: boolean,
  approveMessage: string
): ReadonlyArray<ResolvedTouch> => {
  // A step listed without `emailer_touches` keeps none: replace semantics apply to touches too.
  const inputs = step.touches ?? []
  if (inputs.length > 0 && !touchStepTypes.has(type))
    throw unprocessable("Touches are not supported for " + type + " steps")
  if (inputs.length > 1 && ctx.plan.abTesting === false)
    throw unprocessable("Your current plan does not allow A/B Testing.", "ab_testing_limit")
  const own = new Set(existing?.touchIds ?? [])
  const seen = new Set<string>()
  return inputs.map((input) => {
    let touch: Touch | undefined
    if (input.id !== undefined) {
      if (!own.has(input.id) || seen.has(input.id))
        throw unprocessable("Emailer touch " + input.id + " does not belong to this step")
      seen.add(input.id)
      touch = ctx.store.touches.get(input.id)
    }
    const templateId = input.template?.id ?? touch?.templateId
    const template = templateId === undefined ? undefined : ctx.store.templates.get(templateId)
    if (templateId !== undefined && template === undefined)
      throw unprocessable("Emailer template " + templateId + " not found")
    const resolved: ResolvedTouch = {
      existing: touch,
      type: input.type ?? touch?.type ?? "new_thread",
      status: input.status ?? touch?.status ?? "to_be_reviewed",
      include_signature: input.include_signature ?? touch?.include_signature ?? false,
      attachment_ids: input.attachment_ids ?? touch?.attachment_ids ?? [],
      template,
      subject: input.template?.subject ?? template?.subject ?? "",
      body_html: input.template?.body_html ?? template?.body_html ?? ""
    }
    if (resolved.status === "approved" && resolved.body_html.trim() === "")
      throw unprocessable(approveMessage)
    if (resolved.type === "reply_to_thread" && !threadStarted)
      throw unprocessable("A reply_to_thread touch must come after a step that starts a new thread")
    return resolved
  })
}

/** Validates the whole step list against the sequence (when updating) without writing anything. */
const resolveSteps = (
  ctx: SequenceContext,
  inputs: ReadonlyArray<StepInput>,
  campaign: Campaign | undefined,
  exactMode: boolean,
  approveMessage: string
): ReadonlyArray<ResolvedStep> => {
  const max = ctx.plan.maxStepsPerSequence
  if (max !== undefined && inputs.length > max)
    throw unprocessable("Your plan is limited to " + max + " sequence steps. " + upgrade)
  const own = new Set(campaign?.stepIds ?? [])
  const seen = new Set<string>()
  const now = ctx.store.now()
  let previous = Number.NEGATIVE_INFINITY
  let threadStarted = false
  return inputs.map((input) => {
    let existing: Step | undefined
    // On create there is nothing to update: ids are ignored.
    if (campaign !== undefined && input.id !== undefined) {
      if (!own.has(input.id))
        throw unprocessable("Emailer step " + input.id + " does not belong to this sequence")
      if (seen.has(input.id)) throw unprocessable("Emailer step " + input.id + " is listed more than once")
      seen.add(input.id)
      existing = ctx.store.steps.get(input.id)
    }
    const type = input.type ?? existing?.type
    if (type === undefined) throw unprocessable("type must be one of: " + stepTypes.join(", "))
    const timing = resolveTiming(input, existing, exactMode, now, previous)
    previous = timing.at
    const touches = resolveTouches(ctx, input, existing, type, threadStarted, approveMessage)
    threadStarted ||= touches.some((t) => t.type === "new_thread")
    return {
      existing,
      type,
      wait_time: timing.wait_time,
      wait_mode: timing.wait_mode,
      exact_datetime: timing.exact_datetime,
      priority: pick(input.priority, existing?.priority),
      note: pick(input.note, existing?.note),
      max_emails_per_day: pick(input.max_emails_per_day, existing?.max_emails_per_day),
      auto_skip_in_x_days: pick(input.auto_skip_in_x_days, existing?.auto_skip_in_x_days),
      touches
    }
  })
}

const commitTouch = (store: Store, stepId: string, t: ResolvedTouch): string => {
  let templateId: string
  if (t.template !== undefined) {
    t.template.subject = t.subject
    t.template.body_html = t.body_html
    templateId = t.template.id
  } else {
    templateId = store.newTemplate(t.subject, t.body_html).id
  }
  const touch: Touch = t.existing ?? {
    id: store.ids.next(),
    stepId,
    type: t.type,
    status: t.status,
    include_signature: t.include_signature,
    attachment_ids: [],
    templateId
  }
  touch.type = t.type
  touch.status = t.status
  touch.include_signature = t.include_signature
  touch.attachment_ids = [...t.attachment_ids]
  touch.templateId = templateId
  store.touches.set(touch.id, touch)
  return touch.id
}

/** Writes a resolved list: kept steps are updated, new ones created, every other step removed. */
const commitSteps = (store: Store, campaign: Campaign, resolved: ReadonlyArray<ResolvedStep>): void => {
  const kept = new Set<string>()
  const stepIds = resolved.map((r) => {
    const step: Step = r.existing ?? {
      id: store.ids.next(),
      campaignId: campaign.id,
      type: r.type,
      wait_time: null,
      wait_mode: null,
      exact_datetime: null,
      priority: null,
      note: null,
      max_emails_per_day: null,
      auto_skip_in_x_days: null,
      touchIds: []
    }
    step.type = r.type
    step.wait_time = r.wait_time
    step.wait_mode = r.wait_mode
    step.exact_datetime = r.exact_datetime
    step.priority = r.priority
    step.note = r.note
    step.max_emails_per_day = r.max_emails_per_day
    step.auto_skip_in_x_days = r.auto_skip_in_x_days
    const touchIds = r.touches.map((t) => commitTouch(store, step.id, t))
    const keptTouches = new Set(touchIds)
    for (const old of step.touchIds) if (!keptTouches.has(old)) store.touches.delete(old)
    step.touchIds = touchIds
    store.steps.set(step.id, step)
    kept.add(step.id)
    return step.id
  })
  for (const old of campaign.stepIds) if (!kept.has(old)) store.deleteStep(old)
  campaign.stepIds = stepIds
}

const readBody = (body: unknown): JsonRecord => {
  if (body === undefined || body === null) return {}
  if (!isRecord(body)) throw unprocessable("The request body must be a JSON object")
  return body
}

const readSteps = (body: JsonRecord): ReadonlyArray<StepInput> | undefined =>
  readRecords(body, "emailer_steps")?.map(readStep)

/** In `documented`, only the fields the document lists for the operation are read. */
const documentedBody = (store: Store, body: JsonRecord, fields: typeof createFields): JsonRecord =>
  store.profile === "documented" ? keep(body, fields) : body

export const createSequence = (ctx: SequenceContext, rawBody: unknown): unknown => {
  const { store } = ctx
  const body = documentedBody(store, readBody(rawBody), createFields)
  const maxSequences = ctx.plan.maxSequences
  if (maxSequences !== undefined && store.campaigns.size >= maxSequences)
    throw unprocessable("Your plan is limited to " + maxSequences + " sequences. " + upgrade)
  const name = readString(body, "name")
  if (name === undefined || name.trim() === "") throw unprocessable("Name can't be blank")
  const active = readBoolean(body, "active") ?? false
  const scheduleId = readString(body, "emailer_schedule_id")
  if (scheduleId !== undefined) checkSchedule(store, scheduleId)
  const settings = readCreateFlags(body)
  const inputs = readSteps(body) ?? []
  const steps = resolveSteps(
    ctx,
    inputs,
    undefined,
    settings.sequence_by_exact_daytime === true,
    "Please make sure your template has content before turning it on."
  )
  if (active && steps.length === 0) throw unprocessable(noSteps)
  const requested = readEnum(body, "creation_type", creationTypes)
  const campaign = store.newCampaign({
    name,
    active,
    archived: false,
    creation_type: promote(requested ?? "draft", steps.length),
    emailer_schedule_id: scheduleId ?? store.defaultScheduleId(),
    label_names: [...(readStringArray(body, "label_names") ?? [])],
    max_emails_per_day: readNullableInteger(body, "max_emails_per_day") ?? null,
    same_account_reply_delay_days: readNullableInteger(body, "same_account_reply_delay_days", 0, 1000) ?? 30,
    cc_emails: readEmails(body, "cc_emails") ?? "",
    bcc_emails: readEmails(body, "bcc_emails") ?? "",
    // New sequences are restricted to their owner until shared (create ignores `user_id`).
    sharing: { visibility: "restricted", access_type: null, sharing_accesses: [] },
    user_id: store.userId,
    settings
  })
  commitSteps(store, campaign, steps)
  const children = childrenJson(store, campaign)
  return {
    emailer_campaign: loadingStats(campaignJson(store, campaign, { contactStatuses: true })),
    sharing_accesses: [],
    ...children,
    attachments: [],
    team: { id: store.teamId, sequences_finder_empty: false }
  }
}

/** A draft becomes `new` once it has steps. */
const promote = (type: CreationType, steps: number): CreationType =>
  type === "draft" && steps > 0 ? "new" : type

const applySharing = (ctx: SequenceContext, current: Sharing, input: JsonRecord): Sharing => {
  const visibility = readEnum(input, "visibility", visibilities) ?? current.visibility
  const accessInput = readEnum(input, "access_type", accessTypes)
  // Changing visibility resets access_type, as documented; access_type is ignored when restricted.
  let access_type: AccessType | null =
    visibility === current.visibility ? current.access_type : visibility === "everyone" ? "can_view" : null
  if (visibility === "everyone" && accessInput !== undefined) access_type = accessInput
  let accesses = [...current.sharing_accesses]
  for (const added of readRecords(input, "added_sharing_accesses") ?? []) {
    const id = readString(added, "user_or_team_id")
    if (id === undefined) throw unprocessable("user_or_team_id must be a string")
    accesses = accesses.filter((a) => a.user_or_team_id !== id)
    accesses.push({
      id: ctx.store.ids.next(),
      user_or_team_id: id,
      user_or_team_type: readEnum(added, "user_or_team_type", shareeTypes) ?? "user",
      access_type: readEnum(added, "access_type", accessTypes) ?? "can_view"
    })
  }
  for (const updated of readRecords(input, "updated_sharing_accesses") ?? []) {
    const id = readString(updated, "user_or_team_id")
    const type = readEnum(updated, "access_type", accessTypes)
    if (type !== undefined)
      accesses = accesses.map((a) => (a.user_or_team_id === id ? { ...a, access_type: type } : a))
  }
  for (const deleted of readRecords(input, "deleted_sharing_accesses") ?? []) {
    const id = readString(deleted, "user_or_team_id")
    accesses = accesses.filter((a) => a.user_or_team_id !== id)
  }
  return { visibility, access_type, sharing_accesses: accesses }
}

export const updateSequence = (ctx: SequenceContext, id: string, rawBody: unknown): unknown => {
  const { store } = ctx
  const campaign = store.campaigns.get(id)
  if (campaign === undefined) throw notFound()
  const body = documentedBody(store, readBody(rawBody), updateFields)
  const name = readString(body, "name")
  if (name !== undefined && name.trim() === "") throw unprocessable("Name can't be blank")
  const active = readBoolean(body, "active")
  const creationType = readEnum(body, "creation_type", creationTypes)
  const sharingInput = readRecord(body, "sharing_permission")
  const sharing = sharingInput === undefined ? undefined : applySharing(ctx, campaign.sharing, sharingInput)
  const userId = readString(body, "user_id")
  const scheduleId = readString(body, "emailer_schedule_id")
  if (scheduleId !== undefined) checkSchedule(store, scheduleId)
  const labels = readStringArray(body, "label_names")
  const maxPerDay = readNullableInteger(body, "max_emails_per_day")
  const replyDelay = readInteger(body, "same_account_reply_delay_days", 0, 1000)
  const cc = readEmails(body, "cc_emails")
  const bcc = readEmails(body, "bcc_emails")
  const inputs = readSteps(body)
  const steps =
    inputs === undefined
      ? undefined
      : resolveSteps(
          ctx,
          inputs,
          campaign,
          campaign.settings.sequence_by_exact_daytime === true,
          "Please make sure your template has a non-empty body before turning it on."
        )
  const stepCount = steps?.length ?? campaign.stepIds.length
  if (active === true && !campaign.active && stepCount === 0) throw unprocessable(noSteps)

  // Everything is valid: write.
  if (name !== undefined) {
    campaign.name = name
    campaign.nameLower = name.toLowerCase()
  }
  if (active !== undefined) campaign.active = active
  if (sharing !== undefined) campaign.sharing = sharing
  if (userId !== undefined) campaign.user_id = userId
  if (scheduleId !== undefined) campaign.emailer_schedule_id = scheduleId
  if (labels !== undefined) campaign.label_names = [...labels]
  if (maxPerDay !== undefined) campaign.max_emails_per_day = maxPerDay
  if (replyDelay !== undefined) campaign.same_account_reply_delay_days = replyDelay
  if (cc !== undefined) campaign.cc_emails = cc
  if (bcc !== undefined) campaign.bcc_emails = bcc
  if (steps !== undefined) commitSteps(store, campaign, steps)
  campaign.creation_type = promote(creationType ?? campaign.creation_type, campaign.stepIds.length)
  campaign.updated_at = store.timestamp()
  if (store.profile === "observed") return updateResponse(store, campaign)
  return documentedUpdateResponse(
    store,
    campaign,
    new Set(inputs?.flatMap((i) => (i.id === undefined ? [] : [i.id])))
  )
}

/**
 * The document's answer: `steps[]` names only the steps the request listed by id (its example shows
 * one), `emailer_steps` only ids and positions, `emailer_touches` only ids and statuses — so the ids of
 * new steps' touches, and which step a touch belongs to, are not in it.
 */
const documentedUpdateResponse = (store: Store, campaign: Campaign, listed: ReadonlySet<string>): unknown => {
  const steps = campaign.stepIds.flatMap((stepId, index) => {
    const step = store.steps.get(stepId)
    return step === undefined ? [] : [{ step, position: index + 1 }]
  })
  return {
    id: campaign.id,
    name: campaign.name,
    active: campaign.active,
    archived: campaign.archived,
    created_at: campaign.created_at,
    updated_at: campaign.updated_at,
    num_steps: steps.length,
    steps: steps
      .filter(({ step }) => listed.has(step.id))
      .map(({ step, position }) => ({
        id: step.id,
        position,
        step_type: step.type,
        wait_time: step.wait_time,
        wait_mode: step.wait_mode,
        auto_skip_in_x_days: step.auto_skip_in_x_days
      })),
    emailer_campaign: { id: campaign.id, name: campaign.name, active: campaign.active },
    emailer_steps: steps.map(({ step, position }) => ({ id: step.id, position })),
    emailer_touches: steps.flatMap(({ step }) =>
      step.touchIds.flatMap((touchId) => {
        const touch = store.touches.get(touchId)
        return touch === undefined ? [] : [{ id: touch.id, status: touch.status }]
      })
    )
  }
}

const updateResponse = (store: Store, campaign: Campaign): unknown => ({
  id: campaign.id,
  name: campaign.name,
  active: campaign.active,
  archived: campaign.archived,
  created_at: campaign.created_at,
  updated_at: campaign.updated_at,
  num_steps: campaign.stepIds.length,
  steps: campaign.stepIds.flatMap((stepId, index) => {
    const step = store.steps.get(stepId)
    return step === undefined ? [] : [updateStepJson(step, index + 1)]
  }),
  emailer_campaign: campaignJson(store, campaign),
  ...childrenJson(store, campaign)
})
