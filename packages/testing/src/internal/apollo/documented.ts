/**
 * What Apollo's document accepts on writes, field by field. In the `documented` profile a request body
 * is cut down to these before it is read: any other field is ignored without an error, as a Rails API
 * ignores parameters it does not permit.
 */
import { isRecord, type JsonRecord } from "./json.js"

/** A field list: a name alone keeps the value as sent; a nested list keeps only those keys of each object. */
interface Fields {
  readonly [key: string]: true | Fields
}

const createTouch: Fields = {
  type: true,
  status: true,
  include_signature: true,
  emailer_template: { id: true, subject: true, body_html: true },
  attachment_ids: true
}

const createStep: Fields = {
  type: true,
  wait_time: true,
  wait_mode: true,
  exact_datetime: true,
  priority: true,
  note: true,
  max_emails_per_day: true,
  auto_skip_in_x_days: true,
  emailer_touches: createTouch
}

/** `POST /sequences` request body (the document: "no separate ordering field on input"). */
export const createFields: Fields = {
  name: true,
  permissions: true,
  active: true,
  emailer_schedule_id: true,
  user_id: true,
  label_names: true,
  folder_id: true,
  sequence_by_exact_daytime: true,
  max_emails_per_day: true,
  mark_finished_if_reply: true,
  mark_finished_if_click: true,
  mark_finished_if_interested: true,
  mark_paused_if_ooo: true,
  days_to_wait_before_mark_as_response: true,
  create_task_if_email_open: true,
  email_open_trigger_task_threshold: true,
  same_account_reply_delay_days: true,
  excluded_account_stage_ids: true,
  excluded_contact_stage_ids: true,
  ignore_apollo_global_email_bounce_list: true,
  sequence_ruleset_id: true,
  emailer_steps: createStep
}

const updateTouch: Fields = {
  id: true,
  status: true,
  attachment_ids: true,
  emailer_template: { subject: true, body_html: true },
  generation_options: true,
  generation_tone: true
}

const updateStep: Fields = {
  id: true,
  position: true,
  type: true,
  wait_mode: true,
  wait_time: true,
  auto_skip_in_x_days: true,
  emailer_touches: updateTouch
}

/** `PUT /sequences/{id}` request body. */
export const updateFields: Fields = {
  name: true,
  active: true,
  creation_type: true,
  permissions: true,
  sharing_permission: true,
  user_id: true,
  emailer_schedule_id: true,
  label_names: true,
  max_emails_per_day: true,
  same_account_reply_delay_days: true,
  cc_emails: true,
  bcc_emails: true,
  emailer_steps: updateStep
}

const keepValue = (value: unknown, fields: true | Fields): unknown => {
  if (fields === true) return value
  if (Array.isArray(value)) return value.map((item) => (isRecord(item) ? keep(item, fields) : item))
  return isRecord(value) ? keep(value, fields) : value
}

/** The body with only the documented fields; values of the wrong shape stay, to be refused as usual. */
export const keep = (body: JsonRecord, fields: Fields): JsonRecord =>
  Object.fromEntries(
    Object.entries(body).flatMap(([key, value]) => {
      const f = fields[key]
      return f === undefined ? [] : [[key, keepValue(value, f)]]
    })
  )
