/** Wire shapes of Apollo's responses, built from the store (field names as in Apollo's document). */
import type { Campaign, Membership, Step, Store, Template, Touch } from "./store.js"
import type { ContactState, EmailAccountState, ScheduleState } from "./types.js"

type Obj = Record<string, unknown>

const setting = (c: Campaign, name: string, fallback: unknown): unknown =>
  Object.hasOwn(c.settings, name) ? c.settings[name] : fallback

const contactStatuses = (store: Store, c: Campaign): Obj => {
  const counts = {
    active: 0,
    failed: 0,
    paused: 0,
    finished: 0,
    bounced: 0,
    hard_bounced: 0,
    spam_blocked: 0,
    not_sent: 0
  }
  for (const m of store.membershipsOfCampaign(c.id)) counts[m.status] += 1
  return counts
}

const abTestStepIds = (store: Store, c: Campaign): ReadonlyArray<string> =>
  c.stepIds.filter((id) => (store.steps.get(id)?.touchIds.length ?? 0) > 1)

/** The sequence object (`emailer_campaign`), with every field the search document shows. */
export const campaignJson = (
  store: Store,
  c: Campaign,
  options: { readonly contactStatuses?: boolean } = {}
): Obj => ({
  id: c.id,
  name: c.name,
  description: null,
  archived: c.archived,
  created_at: c.created_at,
  updated_at: c.updated_at,
  emailer_schedule_id: c.emailer_schedule_id,
  max_emails_per_day: c.max_emails_per_day,
  user_id: c.user_id,
  object_owner_id: c.user_id,
  same_account_reply_policy_cd: null,
  excluded_account_stage_ids: setting(c, "excluded_account_stage_ids", []),
  excluded_contact_stage_ids: setting(c, "excluded_contact_stage_ids", []),
  contact_email_event_to_stage_mapping: {},
  label_ids: c.label_names.map((name) => store.labelId(name)),
  // Not in the document's responses (it shows `label_ids` only); public clients see names too.
  ...(store.profile === "observed" ? { label_names: [...c.label_names] } : {}),
  create_task_if_email_open: setting(c, "create_task_if_email_open", false),
  email_open_trigger_task_threshold: setting(c, "email_open_trigger_task_threshold", 3),
  mark_finished_if_click: setting(c, "mark_finished_if_click", false),
  active: c.active,
  days_to_wait_before_mark_as_response: setting(c, "days_to_wait_before_mark_as_response", 5),
  starred_by_user_ids: [],
  mark_finished_if_reply: setting(c, "mark_finished_if_reply", true),
  mark_finished_if_interested: setting(c, "mark_finished_if_interested", true),
  mark_paused_if_ooo: setting(c, "mark_paused_if_ooo", true),
  sequence_by_exact_daytime: setting(c, "sequence_by_exact_daytime", null),
  last_used_at: null,
  sequence_ruleset_id: setting(c, "sequence_ruleset_id", "6095a711bd01d100a506d4e0"),
  ignore_apollo_global_email_bounce_list: setting(c, "ignore_apollo_global_email_bounce_list", false),
  folder_id: setting(c, "folder_id", null),
  same_account_reply_delay_days: c.same_account_reply_delay_days,
  is_performing_poorly: false,
  num_contacts_email_status_extrapolated: 0,
  remind_ab_test_results: false,
  ab_test_step_ids: abTestStepIds(store, c),
  prioritized_by_user: null,
  creation_type: c.creation_type,
  num_steps: c.stepIds.length,
  ...c.stats,
  loaded_stats: true,
  ...(options.contactStatuses === true ? { contact_statuses: contactStatuses(store, c) } : {}),
  cc_emails: c.cc_emails,
  bcc_emails: c.bcc_emails,
  underperforming_touches_count: 0,
  sharing_permission: {
    visibility: c.sharing.visibility,
    access_type: c.sharing.access_type,
    object_type: "EmailerCampaign",
    object_id: c.id,
    is_owner: c.user_id === store.userId,
    owner_id: c.user_id,
    sharing_accesses: c.sharing.sharing_accesses.map((a) => ({
      ...a,
      shared_by: store.userId,
      object_id: c.id,
      object_type: "EmailerCampaign",
      is_default: false
    }))
  }
})

const stepCounts = {
  active: 0,
  paused: 0,
  finished: 0,
  bounced: 0,
  spam_blocked: 0,
  hard_bounced: 0,
  not_sent: 0
}

export const stepJson = (step: Step, position: number): Obj => ({
  id: step.id,
  emailer_campaign_id: step.campaignId,
  position,
  wait_time: step.wait_time,
  type: step.type,
  wait_mode: step.wait_mode,
  note: step.note,
  max_emails_per_day: step.max_emails_per_day,
  exact_datetime: step.exact_datetime,
  priority: step.priority,
  auto_skip_in_x_days: step.auto_skip_in_x_days,
  counts: { ...stepCounts },
  ab_test_details: {}
})

/** The update response's `steps[]`: the type is named `step_type` there. */
export const updateStepJson = (step: Step, position: number): Obj => ({
  id: step.id,
  position,
  step_type: step.type,
  wait_time: step.wait_time,
  wait_mode: step.wait_mode,
  exact_datetime: step.exact_datetime,
  priority: step.priority,
  note: step.note,
  auto_skip_in_x_days: step.auto_skip_in_x_days
})

export const touchJson = (touch: Touch): Obj => ({
  id: touch.id,
  emailer_step_id: touch.stepId,
  emailer_template_id: touch.templateId,
  status: touch.status,
  type: touch.type,
  include_signature: touch.include_signature,
  attachment_ids: [...touch.attachment_ids],
  has_personalized_opener: false,
  personalized_opener_fallback_option: "send_without_opener",
  generation_options: [],
  generation_tone: {},
  unique_scheduled: 0,
  unique_delivered: 0,
  unique_bounced: 0,
  unique_opened: 0,
  unique_replied: 0,
  bounce_rate: 0,
  open_rate: 0,
  reply_rate: 0
})

export const templateJson = (store: Store, template: Template): Obj => ({
  id: template.id,
  name: null,
  user_id: store.userId,
  subject: template.subject,
  body_html: template.body_html,
  body_text: null,
  archived: null,
  created_at: template.created_at,
  global: false,
  folder_id: null,
  creation_type: null,
  label_ids: []
})

export interface Children {
  readonly emailer_steps: ReadonlyArray<Obj>
  readonly emailer_touches: ReadonlyArray<Obj>
  readonly emailer_templates: ReadonlyArray<Obj>
}

/** Steps, touches and templates of a sequence, in step order. */
export const childrenJson = (store: Store, c: Campaign): Children => {
  const emailer_steps: Array<Obj> = []
  const emailer_touches: Array<Obj> = []
  const emailer_templates: Array<Obj> = []
  c.stepIds.forEach((stepId, index) => {
    const step = store.steps.get(stepId)
    if (step === undefined) return
    emailer_steps.push(stepJson(step, index + 1))
    for (const touchId of step.touchIds) {
      const touch = store.touches.get(touchId)
      const template = touch === undefined ? undefined : store.templates.get(touch.templateId)
      if (touch === undefined || template === undefined) continue
      emailer_touches.push(touchJson(touch))
      emailer_templates.push(templateJson(store, template))
    }
  })
  return { emailer_steps, emailer_touches, emailer_templates }
}

/** What create returns: statistics are still "loading" right after creation, as in the document's example. */
export const loadingStats = (campaign: Obj): Obj =>
  Object.fromEntries(
    Object.entries(campaign).map(([key, value]) =>
      /^unique_|_rate$/.test(key) && typeof value === "number" ? [key, "loading"] : [key, value]
    )
  )

export const scheduleJson = (s: ScheduleState, createdAt: string): Obj => ({
  id: s.id,
  name: s.name,
  default: s.default,
  time_zone: s.time_zone,
  schedule_hash: s.schedule_hash,
  created_at: createdAt,
  use_contacts_time_zone: false,
  skip_holidays: true
})

export const emailAccountJson = (a: EmailAccountState, createdAt: string): Obj => ({
  aliases: [a.email],
  id: a.id,
  user_id: a.user_id,
  email: a.email,
  type: a.type,
  active: a.active,
  default: a.default,
  seconds_delay_between_emails: 600,
  provider_display_name: a.type === "gmail" ? "Gmail" : a.type,
  nylas_provider: null,
  revoked_at: null,
  inactive_reason: a.active ? null : "Mailbox disconnected",
  created_at: createdAt,
  email_daily_threshold: 50,
  max_outbound_emails_per_hour: 6
})

const membershipJson = (store: Store, m: Membership): Obj => ({
  id: store.stableId("membership:" + m.emailer_campaign_id + ":" + m.contact_id),
  emailer_campaign_id: m.emailer_campaign_id,
  send_email_from_user_id: store.userId,
  inactive_reason: m.inactive_reason,
  status: m.status,
  added_at: m.added_at,
  added_by_user_id: store.userId,
  finished_at: m.finished_at,
  paused_at: null,
  auto_unpause_at: null,
  send_email_from_email_address: store.accounts.get(m.send_email_from_email_account_id)?.email ?? null,
  send_email_from_email_account_id: m.send_email_from_email_account_id,
  manually_set_unpause: null,
  failure_reason: null,
  current_step_id: null,
  in_response_to_emailer_message_id: null,
  cc_emails: null,
  bcc_emails: null,
  to_emails: null,
  current_step_position: null
})

export const contactJson = (store: Store, contact: ContactState, createdAt: string): Obj => {
  const memberships = store.membershipsOfContact(contact.id)
  const name = [contact.first_name, contact.last_name].filter((p) => p !== null && p !== "").join(" ")
  return {
    contact_roles: [],
    id: contact.id,
    first_name: contact.first_name,
    last_name: contact.last_name,
    name,
    email: contact.email,
    title: null,
    organization_name: contact.organization_name,
    linkedin_url: null,
    contact_stage_id: null,
    owner_id: store.userId,
    creator_id: store.userId,
    person_id: null,
    organization_id: null,
    account_id: null,
    source: "api",
    original_source: "api",
    created_at: createdAt,
    updated_at: createdAt,
    emailer_campaign_ids: memberships.map((m) => m.emailer_campaign_id),
    email_status: contact.email_status,
    city: null,
    country: null,
    state: null,
    sanitized_phone: null,
    time_zone: null,
    label_ids: contact.label_names.map((n) => store.labelId(n)),
    typed_custom_fields: {},
    free_domain: false,
    email_domain_catchall: false,
    contact_campaign_statuses: memberships.map((m) => membershipJson(store, m)),
    contact_emails: [],
    phone_numbers: []
  }
}
