/**
 * Apollo's wire shapes, from its REST document (`apollo-sequences-openapi.json`) and what public
 * clients observed. Responses are decoded tolerantly where Apollo is inconsistent: statistics may be
 * the string `"loading"`, the update response names a step's type `step_type`, cc/bcc are `""`
 * when empty, most fields may be `null` or absent, ids are strings (numbers are accepted and turned
 * into strings). Unknown fields are ignored on decode; the payload is kept as `raw` by the mapping.
 */
import { Schema } from "effect"

/** Any JSON field Apollo may send as `null` or leave out. */
const opt = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** Ids are 24-hex strings; a number is tolerated and read as its decimal string. */
export const Id = Schema.transform(Schema.Union(Schema.String, Schema.Number), Schema.String, {
  strict: true,
  decode: (value) => String(value),
  encode: (value) => value
})

/** A statistic: a number, or `"loading"` right after a create. */
export const Stat = Schema.Union(Schema.Number, Schema.String)

/** Integers are sometimes sent as numeric strings by Rails serialisers (pagination). */
const Int = Schema.Union(Schema.Number, Schema.NumberFromString)

// ---------------------------------------------------------------- responses

export const SharingPermission = Schema.Struct({
  visibility: opt(Schema.String),
  access_type: opt(Schema.String),
  is_owner: opt(Schema.Boolean),
  owner_id: opt(Schema.String)
})

/** The sequence object (`emailer_campaign`) of search, get, create and action responses. */
export const Campaign = Schema.Struct({
  id: Id,
  name: opt(Schema.String),
  active: opt(Schema.Boolean),
  archived: opt(Schema.Boolean),
  created_at: opt(Schema.String),
  updated_at: opt(Schema.String),
  emailer_schedule_id: opt(Schema.String),
  max_emails_per_day: opt(Schema.Number),
  same_account_reply_delay_days: opt(Schema.Number),
  cc_emails: opt(Schema.String),
  bcc_emails: opt(Schema.String),
  label_ids: opt(Schema.Array(Schema.String)),
  /** Not in the document's responses (it shows `label_ids`); read when present. */
  label_names: opt(Schema.Array(Schema.String)),
  creation_type: opt(Schema.String),
  user_id: opt(Schema.String),
  permissions: opt(Schema.String),
  sharing_permission: opt(SharingPermission),
  num_steps: opt(Stat),
  sequence_by_exact_daytime: opt(Schema.Boolean),
  mark_finished_if_reply: opt(Schema.Boolean),
  mark_finished_if_click: opt(Schema.Boolean),
  mark_finished_if_interested: opt(Schema.Boolean),
  mark_paused_if_ooo: opt(Schema.Boolean),
  create_task_if_email_open: opt(Schema.Boolean),
  ignore_apollo_global_email_bounce_list: opt(Schema.Boolean)
})
export type Campaign = typeof Campaign.Type

/** Create-only boolean flags, by wire name: carried in `providerOptions.apollo.createFlags`. */
export const createFlagNames = [
  "mark_finished_if_reply",
  "mark_finished_if_click",
  "mark_finished_if_interested",
  "mark_paused_if_ooo",
  "create_task_if_email_open",
  "ignore_apollo_global_email_bounce_list",
  "sequence_by_exact_daytime"
] as const

export const Step = Schema.Struct({
  id: Id,
  emailer_campaign_id: opt(Schema.String),
  /** One-based. */
  position: opt(Schema.Number),
  type: opt(Schema.String),
  /** The update response's name for `type`. */
  step_type: opt(Schema.String),
  wait_time: opt(Schema.Number),
  wait_mode: opt(Schema.String),
  exact_datetime: opt(Schema.String),
  priority: opt(Schema.String),
  note: opt(Schema.String),
  max_emails_per_day: opt(Schema.Number),
  auto_skip_in_x_days: opt(Schema.Number)
})
export type Step = typeof Step.Type

export const Template = Schema.Struct({
  id: opt(Id),
  subject: opt(Schema.String),
  body_html: opt(Schema.String)
})
export type Template = typeof Template.Type

export const Touch = Schema.Struct({
  id: Id,
  emailer_step_id: opt(Schema.String),
  emailer_template_id: opt(Schema.String),
  status: opt(Schema.String),
  type: opt(Schema.String),
  include_signature: opt(Schema.Boolean),
  attachment_ids: opt(Schema.Array(Schema.String)),
  /** Some answers embed the template instead of listing it in `emailer_templates`. */
  emailer_template: opt(Template)
})
export type Touch = typeof Touch.Type

const list = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(Schema.Array(schema)), { default: () => [] })

/** `GET /emailer_campaigns/{id}` and `POST /sequences`: the sequence with its children. */
export const SequenceDetail = Schema.Struct({
  emailer_campaign: Campaign,
  emailer_steps: list(Step),
  emailer_touches: list(Touch),
  emailer_templates: list(Template)
})
export type SequenceDetail = typeof SequenceDetail.Type

/** `PUT /sequences/{id}`: the document shows `steps[]` (with `step_type`) plus short children. */
export const UpdateResponse = Schema.Struct({
  id: opt(Id),
  name: opt(Schema.String),
  active: opt(Schema.Boolean),
  archived: opt(Schema.Boolean),
  num_steps: opt(Stat),
  steps: list(Step),
  emailer_campaign: opt(Schema.Struct({ id: Id, name: opt(Schema.String), active: opt(Schema.Boolean) })),
  emailer_steps: list(Step),
  emailer_touches: list(Touch),
  emailer_templates: list(Template)
})
export type UpdateResponse = typeof UpdateResponse.Type

export const Pagination = Schema.Struct({
  page: opt(Int),
  per_page: opt(Int),
  total_entries: opt(Int),
  total_pages: opt(Int)
})

export const SearchResponse = Schema.Struct({
  pagination: opt(Pagination),
  emailer_campaigns: list(Campaign)
})
export type SearchResponse = typeof SearchResponse.Type

/** approve / abort / archive. */
export const ActionResponse = Schema.Struct({
  emailer_campaign: opt(
    Schema.Struct({ id: Id, active: opt(Schema.Boolean), archived: opt(Schema.Boolean) })
  ),
  emailer_steps: list(Step)
})
export type ActionResponse = typeof ActionResponse.Type

export const Contact = Schema.Struct({
  id: Id,
  name: opt(Schema.String),
  email: opt(Schema.String),
  emailer_campaign_ids: opt(Schema.Array(Schema.String))
})

export const AddContactsResponse = Schema.Struct({
  contacts: list(Contact),
  /** `{ contact_id: reason }`; tolerated as a list of ids too. */
  skipped_contact_ids: opt(
    Schema.Union(Schema.Record({ key: Schema.String, value: Schema.Unknown }), Schema.Array(Schema.String))
  ),
  emailer_campaign: opt(Campaign)
})
export type AddContactsResponse = typeof AddContactsResponse.Type

/** The document's schema says `entity_progress_job`, its example shows `contacts`: both are read. */
export const RemoveOrStopResponse = Schema.Struct({
  entity_progress_job: opt(
    Schema.Struct({
      id: opt(Id),
      job_type: opt(Schema.String),
      entity_ids: opt(Schema.Array(Schema.String)),
      progress: opt(Schema.Number)
    })
  ),
  contacts: list(Contact)
})
export type RemoveOrStopResponse = typeof RemoveOrStopResponse.Type

/** `[start_hour, end_hour]` windows per weekday. */
export const ScheduleHash = Schema.Record({
  key: Schema.String,
  value: Schema.NullOr(Schema.Array(Schema.Array(Schema.Number)))
})

export const EmailerSchedule = Schema.Struct({
  id: Id,
  name: opt(Schema.String),
  default: opt(Schema.Boolean),
  time_zone: opt(Schema.String),
  schedule_hash: opt(ScheduleHash),
  use_contacts_time_zone: opt(Schema.Boolean),
  skip_holidays: opt(Schema.Boolean)
})
export type EmailerSchedule = typeof EmailerSchedule.Type

/**
 * An answer given as an object or, as the document's own examples of `GET /emailer_schedules` and
 * `GET /email_accounts` are, as a JSON string holding that object.
 */
const objectOrJsonString = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.Union(schema, Schema.parseJson(schema))

export const SchedulesResponse = objectOrJsonString(
  Schema.Struct({ emailer_schedules: list(EmailerSchedule) })
)

export const EmailAccount = Schema.Struct({
  id: Id,
  email: opt(Schema.String),
  user_id: opt(Schema.String),
  type: opt(Schema.String),
  active: opt(Schema.Boolean),
  default: opt(Schema.Boolean),
  provider_display_name: opt(Schema.String),
  inactive_reason: opt(Schema.String)
})
export type EmailAccount = typeof EmailAccount.Type

export const EmailAccountsResponse = objectOrJsonString(Schema.Struct({ email_accounts: list(EmailAccount) }))

/** Error bodies: `{ error, error_code }` (403), `{ error, code }` (422), `{ message }` (429, plans). */
export const ErrorBody = Schema.Struct({
  error: opt(Schema.String),
  error_code: opt(Schema.String),
  code: opt(Schema.String),
  message: opt(Schema.String)
})
export type ErrorBody = typeof ErrorBody.Type

// ---------------------------------------------------------------- requests

export const StepType = Schema.Literal(
  "auto_email",
  "manual_email",
  "call",
  "action_item",
  "linkedin_step_connect",
  "linkedin_step_message",
  "linkedin_step_view_profile",
  "linkedin_step_interact_post"
)
export type StepType = typeof StepType.Type

export const WaitMode = Schema.Literal("minute", "hour", "day")
export type WaitMode = typeof WaitMode.Type

export const TouchType = Schema.Literal("new_thread", "reply_to_thread")
export type TouchType = typeof TouchType.Type
export const TouchStatus = Schema.Literal("to_be_reviewed", "approved")
export type TouchStatus = typeof TouchStatus.Type

/**
 * The document's request shapes, field by field: `POST /sequences` and `PUT /sequences/{id}` list
 * different step and touch fields, and every integer is typed `integer` (never `null`). Bodies are
 * built to these types, so a field the operation does not document cannot be sent.
 */
export const CreateTemplateInput = Schema.Struct({
  id: Schema.optional(Schema.String),
  subject: Schema.optional(Schema.String),
  body_html: Schema.optional(Schema.String)
})

/** A touch of a created step (`POST /sequences`). */
export const CreateTouchInput = Schema.Struct({
  type: Schema.optional(TouchType),
  status: Schema.optional(TouchStatus),
  include_signature: Schema.optional(Schema.Boolean),
  emailer_template: Schema.optional(CreateTemplateInput),
  attachment_ids: Schema.optional(Schema.Array(Schema.String))
})
export type CreateTouchInput = typeof CreateTouchInput.Type

/** A created step (`POST /sequences`): ordered by the array ("no separate ordering field on input"). */
export const CreateStepInput = Schema.Struct({
  type: StepType,
  wait_time: Schema.optional(Schema.Int),
  wait_mode: Schema.optional(WaitMode),
  exact_datetime: Schema.optional(Schema.String),
  priority: Schema.optional(Schema.String),
  note: Schema.optional(Schema.String),
  max_emails_per_day: Schema.optional(Schema.Int),
  auto_skip_in_x_days: Schema.optional(Schema.Int),
  emailer_touches: Schema.optional(Schema.Array(CreateTouchInput))
})
export type CreateStepInput = typeof CreateStepInput.Type

/**
 * A touch in `PUT /sequences/{id}`; with `id` an existing touch is kept and updated. The document
 * lists no `type` (thread) and no `include_signature` here: a new touch starts a new thread.
 */
export const UpdateTouchInput = Schema.Struct({
  id: Schema.optional(Schema.String),
  status: Schema.optional(TouchStatus),
  attachment_ids: Schema.optional(Schema.Array(Schema.String)),
  emailer_template: Schema.optional(
    Schema.Struct({ subject: Schema.optional(Schema.String), body_html: Schema.optional(Schema.String) })
  )
})
export type UpdateTouchInput = typeof UpdateTouchInput.Type

/**
 * A step in `PUT /sequences/{id}`; with `id` an existing step is kept and updated. The document lists
 * no `exact_datetime`, `priority`, `note` or `max_emails_per_day` here (create only).
 */
export const UpdateStepInput = Schema.Struct({
  id: Schema.optional(Schema.String),
  position: Schema.optional(Schema.Int),
  type: StepType,
  wait_mode: Schema.optional(WaitMode),
  wait_time: Schema.optional(Schema.Int),
  auto_skip_in_x_days: Schema.optional(Schema.Int),
  emailer_touches: Schema.optional(Schema.Array(UpdateTouchInput))
})
export type UpdateStepInput = typeof UpdateStepInput.Type

const sequenceSettings = {
  name: Schema.optional(Schema.String),
  permissions: Schema.optional(Schema.String),
  emailer_schedule_id: Schema.optional(Schema.String),
  label_names: Schema.optional(Schema.Array(Schema.String)),
  max_emails_per_day: Schema.optional(Schema.Int),
  same_account_reply_delay_days: Schema.optional(Schema.Int)
}

/** `POST /sequences`. */
export const CreateSequenceBody = Schema.Struct({
  ...sequenceSettings,
  name: Schema.String,
  emailer_steps: Schema.optional(Schema.Array(CreateStepInput)),
  active: Schema.optional(Schema.Boolean),
  folder_id: Schema.optional(Schema.String),
  sequence_by_exact_daytime: Schema.optional(Schema.Boolean),
  mark_finished_if_reply: Schema.optional(Schema.Boolean),
  mark_finished_if_click: Schema.optional(Schema.Boolean),
  mark_finished_if_interested: Schema.optional(Schema.Boolean),
  mark_paused_if_ooo: Schema.optional(Schema.Boolean),
  create_task_if_email_open: Schema.optional(Schema.Boolean),
  ignore_apollo_global_email_bounce_list: Schema.optional(Schema.Boolean),
  days_to_wait_before_mark_as_response: Schema.optional(Schema.Int),
  email_open_trigger_task_threshold: Schema.optional(Schema.Int)
})
export type CreateSequenceBody = typeof CreateSequenceBody.Type

/** `PUT /sequences/{id}`: only the fields sent change, except `emailer_steps`, which replaces the list. */
export const UpdateSequenceBody = Schema.Struct({
  ...sequenceSettings,
  creation_type: Schema.optional(Schema.Literal("draft", "new", "ai_assistant")),
  cc_emails: Schema.optional(Schema.String),
  bcc_emails: Schema.optional(Schema.String),
  emailer_steps: Schema.optional(Schema.Array(UpdateStepInput)),
  active: Schema.optional(Schema.Boolean),
  user_id: Schema.optional(Schema.String),
  sharing_permission: Schema.optional(
    Schema.Struct({
      visibility: Schema.optional(Schema.Literal("restricted", "everyone")),
      access_type: Schema.optional(Schema.Literal("can_view", "can_edit", "full_access"))
    })
  )
})
export type UpdateSequenceBody = typeof UpdateSequenceBody.Type

/** Query of `POST /emailer_campaigns/{id}/add_contact_ids` (Apollo reads these from the query string). */
export interface AddContactIdsParams {
  readonly contactIds?: ReadonlyArray<string>
  readonly labelNames?: ReadonlyArray<string>
  /** One mailbox, or several for rotation. */
  readonly sendEmailFromEmailAccountId: string | ReadonlyArray<string>
  readonly sendEmailFromEmailAddress?: string
  readonly sequenceNoEmail?: boolean
  readonly sequenceUnverifiedEmail?: boolean
  readonly sequenceJobChange?: boolean
  readonly sequenceActiveInOtherCampaigns?: boolean
  readonly sequenceFinishedInOtherCampaigns?: boolean
  readonly sequenceSameCompanyInSameCampaign?: boolean
  readonly contactsWithoutOwnershipPermission?: boolean
  readonly addIfInQueue?: boolean
  readonly contactVerificationSkipped?: boolean
  readonly userId?: string
  readonly status?: "active" | "paused"
  readonly autoUnpauseAt?: string
}

export type RemoveMode = "mark_as_finished" | "remove" | "stop"

export interface RemoveOrStopParams {
  readonly sequenceIds: ReadonlyArray<string>
  readonly contactIds: ReadonlyArray<string>
  readonly mode: RemoveMode
}

export interface SearchParams {
  readonly q_name?: string
  readonly page?: number
  readonly per_page?: number
}
