/**
 * What becomes of each field of an Apollo sequence as read (`Sequence.raw`: the campaign with its
 * steps, touches and templates) when it is translated: carried into the neutral model, meaningless
 * for any target (ids, timestamps, statistics, counts), or harmless at Apollo's default. Any other
 * field that is set warns when translated: Apollo adds fields, and none is dropped without a word.
 * Reviewed against the documented responses and the answers of a live account.
 */
import { Capabilities } from "@unisequence/core"

const { unlessDefault } = Capabilities

const meaningless = "meaningless" as const
const carried = "carried" as const

const campaign: Capabilities.RawFields = {
  id: meaningless,
  name: carried,
  active: carried,
  archived: carried,
  created_at: meaningless,
  updated_at: meaningless,
  last_used_at: meaningless,
  emailer_schedule_id: carried,
  max_emails_per_day: carried,
  same_account_reply_delay_days: carried,
  cc_emails: carried,
  bcc_emails: carried,
  label_ids: carried,
  label_names: carried,
  // How the sequence was made in Apollo (draft, new, AI assistant): its history, not a setting.
  creation_type: meaningless,
  user_id: carried,
  object_owner_id: meaningless,
  permissions: carried,
  sharing_permission: {
    visibility: carried,
    access_type: carried,
    // Who owns and shares it: users and teams of the Apollo account, which no other provider knows.
    object_type: meaningless,
    object_id: meaningless,
    is_owner: meaningless,
    owner_id: meaningless,
    sharing_accesses: meaningless
  },
  starred_by_user_ids: meaningless,
  num_steps: meaningless,
  loaded_stats: meaningless,
  contact_statuses: meaningless,
  is_performing_poorly: meaningless,
  num_contacts_email_status_extrapolated: meaningless,
  underperforming_touches_count: meaningless,
  prioritized_by_user: meaningless,
  ab_test_step_ids: meaningless,
  remind_ab_test_results: meaningless,
  deleted: meaningless,
  // The team's rule set and stage mapping are account objects no other provider can refer to.
  sequence_ruleset_id: meaningless,
  // Create-time flags, carried in providerOptions.apollo.createFlags.
  mark_finished_if_reply: carried,
  mark_finished_if_click: carried,
  mark_finished_if_interested: carried,
  mark_paused_if_ooo: carried,
  create_task_if_email_open: carried,
  ignore_apollo_global_email_bounce_list: carried,
  sequence_by_exact_daytime: carried,
  email_open_trigger_task_threshold: unlessDefault(3),
  days_to_wait_before_mark_as_response: unlessDefault(5),
  contact_email_event_to_stage_mapping: unlessDefault({})
}

const step: Capabilities.RawFields = {
  id: meaningless,
  emailer_campaign_id: meaningless,
  position: carried,
  type: carried,
  // The update answer's other name for `type`, which every read answer has.
  step_type: meaningless,
  wait_time: carried,
  wait_mode: carried,
  // Where the sequence is timed by date (`sequence_by_exact_daytime`) the step's date is read into
  // its options (and a target that waits delays cannot take it: the plan blocks it); elsewhere
  // Apollo waits `wait_time` and a leftover date means nothing.
  exact_datetime: meaningless,
  priority: carried,
  note: carried,
  auto_skip_in_x_days: carried,
  counts: meaningless,
  ab_test_details: meaningless
}

const touch: Capabilities.RawFields = {
  id: meaningless,
  emailer_step_id: meaningless,
  emailer_template_id: meaningless,
  status: carried,
  type: carried,
  emailer_template: { id: meaningless, subject: carried, body_html: carried },
  has_personalized_opener: meaningless,
  personalized_opener_fallback_option: unlessDefault("send_without_opener"),
  generation_options: meaningless,
  generation_tone: meaningless
}

const template: Capabilities.RawFields = {
  id: meaningless,
  name: meaningless,
  user_id: meaningless,
  subject: carried,
  body_html: carried,
  created_at: meaningless,
  updated_at: meaningless,
  archived: meaningless,
  global: meaningless,
  creation_type: meaningless,
  label_ids: meaningless
}

/** The whole answer of `GET /emailer_campaigns/{id}`. */
export const rawFields: Capabilities.RawFields = {
  emailer_campaign: campaign,
  emailer_steps: step,
  emailer_touches: touch,
  emailer_templates: template
}
