/**
 * Kit v4 wire types, from Kit's own OpenAPI documents (`kit-sequences.yml`,
 * `kit-sequence-emails.yml`). Responses decode as tolerantly as Kit's own examples require
 * (`position: null`, `preview_text: null`, list items with only `id, name, hold, repeat,
 * created_at`, hour-based `send_days: null`); requests carry only the fields a call names.
 */
import { Schema } from "effect"

export const Day = Schema.Literal(
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday"
)
export type Day = typeof Day.Type

export const SourceType = Schema.Literal("tag", "sequence", "form", "segment")

export const ExcludeSource = Schema.Struct({ type: SourceType, ids: Schema.Array(Schema.Int) })
export type ExcludeSource = typeof ExcludeSource.Type

export const DelayUnit = Schema.Literal("days", "hours")
export type DelayUnit = typeof DelayUnit.Type

export const Pagination = Schema.Struct({
  has_previous_page: Schema.Boolean,
  has_next_page: Schema.Boolean,
  // The documents say string; an empty page has nothing to point at, so tolerate null.
  start_cursor: Schema.NullOr(Schema.String),
  end_cursor: Schema.NullOr(Schema.String),
  per_page: Schema.Int,
  total_count: Schema.optional(Schema.Int)
})
export type Pagination = typeof Pagination.Type

const sequenceOptional = {
  updated_at: Schema.optional(Schema.String),
  email_address: Schema.optional(Schema.NullOr(Schema.String)),
  email_template_id: Schema.optional(Schema.NullOr(Schema.Int)),
  send_days: Schema.optional(Schema.Array(Day)),
  send_hour: Schema.optional(Schema.Int),
  time_zone: Schema.optional(Schema.String),
  active: Schema.optional(Schema.Boolean),
  exclude_subscriber_sources: Schema.optional(Schema.Array(ExcludeSource)),
  email_count: Schema.optional(Schema.Int),
  subscriber_count: Schema.optional(Schema.Int),
  /** With `include=stats` on newer accounts; its shape is not documented. */
  stats: Schema.optional(Schema.Unknown)
}

/** A list item: only `id, name, hold, repeat, created_at` are required. */
export const SequenceItem = Schema.Struct({
  id: Schema.Int,
  name: Schema.String,
  hold: Schema.Boolean,
  repeat: Schema.Boolean,
  created_at: Schema.String,
  ...sequenceOptional
})
export type SequenceItem = typeof SequenceItem.Type

/** A sequence from get, create or update: the schedule and flags are always there. */
export const Sequence = Schema.Struct({
  ...SequenceItem.fields,
  ...sequenceOptional,
  email_address: Schema.NullOr(Schema.String),
  email_template_id: Schema.NullOr(Schema.Int),
  send_days: Schema.Array(Day),
  send_hour: Schema.Int,
  time_zone: Schema.String,
  active: Schema.Boolean,
  exclude_subscriber_sources: Schema.Array(ExcludeSource)
})
export type Sequence = typeof Sequence.Type

export const Email = Schema.Struct({
  id: Schema.Int,
  sequence_id: Schema.Int,
  subject: Schema.String,
  // Absent and `null` read alike (the mapping's `== null`): no default, so a page only validates.
  preview_text: Schema.optional(Schema.NullOr(Schema.String)),
  email_address: Schema.optional(Schema.NullOr(Schema.String)),
  email_template_id: Schema.optional(Schema.NullOr(Schema.Int)),
  published: Schema.Boolean,
  /** Zero-based; create and update answers may say `null`. */
  position: Schema.optional(Schema.NullOr(Schema.Int)),
  delay_value: Schema.Int,
  delay_unit: DelayUnit,
  /** Hour-based emails answer `null` or all seven days. */
  send_days: Schema.optional(Schema.NullOr(Schema.Array(Day))),
  /** Only with `include_content=true` on lists; always on get, create and update. */
  content: Schema.optional(Schema.NullOr(Schema.String))
})
export type Email = typeof Email.Type

export const SubscriberState = Schema.Literal("active", "cancelled", "bounced", "complained", "inactive")

export const Subscriber = Schema.Struct({
  id: Schema.Int,
  first_name: Schema.NullOr(Schema.String),
  email_address: Schema.String,
  state: SubscriberState,
  created_at: Schema.String,
  added_at: Schema.String,
  fields: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})
export type Subscriber = typeof Subscriber.Type

// ---- response envelopes ----

export const SequencesPage = Schema.Struct({ sequences: Schema.Array(SequenceItem), pagination: Pagination })
export type SequencesPage = typeof SequencesPage.Type
export const SequenceEnvelope = Schema.Struct({ sequence: Sequence })
export const EmailsPage = Schema.Struct({ emails: Schema.Array(Email), pagination: Pagination })
export type EmailsPage = typeof EmailsPage.Type
export const EmailEnvelope = Schema.Struct({ email: Email })
export const SubscribersPage = Schema.Struct({
  subscribers: Schema.Array(Subscriber),
  pagination: Pagination
})
export type SubscribersPage = typeof SubscribersPage.Type
export const SubscriberEnvelope = Schema.Struct({ subscriber: Subscriber })

/** `{ "errors": [...] }`: 401, 403, 404, 422 and some 500s. */
export const ErrorBody = Schema.Struct({ errors: Schema.Array(Schema.String) })

// ---- request bodies ----

/** `POST /v4/sequences` and `PUT /v4/sequences/{id}`: every field optional on update. */
export const SequenceBody = Schema.Struct({
  name: Schema.optional(Schema.String),
  email_address: Schema.optional(Schema.String),
  email_template_id: Schema.optional(Schema.Int),
  send_days: Schema.optional(Schema.Array(Day)),
  send_hour: Schema.optional(Schema.Int),
  time_zone: Schema.optional(Schema.String),
  active: Schema.optional(Schema.Boolean),
  repeat: Schema.optional(Schema.Boolean),
  hold: Schema.optional(Schema.Boolean),
  exclude_subscriber_sources: Schema.optional(Schema.Array(ExcludeSource))
})
export type SequenceBody = typeof SequenceBody.Type

export const CreateSequenceBody = Schema.Struct({ ...SequenceBody.fields, name: Schema.String })
export type CreateSequenceBody = typeof CreateSequenceBody.Type

/** `PUT /v4/sequences/{sequence_id}/emails/{id}`: only the fields present change. */
export const EmailBody = Schema.Struct({
  subject: Schema.optional(Schema.String),
  preview_text: Schema.optional(Schema.NullOr(Schema.String)),
  content: Schema.optional(Schema.NullOr(Schema.String)),
  delay_value: Schema.optional(Schema.Int),
  delay_unit: Schema.optional(DelayUnit),
  email_template_id: Schema.optional(Schema.NullOr(Schema.Int)),
  published: Schema.optional(Schema.Boolean),
  /** `null` reverts to the sequence's schedule; refused (422) on hour-based emails. */
  send_days: Schema.optional(Schema.NullOr(Schema.Array(Day))),
  /** Zero-based; must not be taken. Omitted on create = after the last email. */
  position: Schema.optional(Schema.Int)
})
export type EmailBody = typeof EmailBody.Type

export const CreateEmailBody = Schema.Struct({
  ...EmailBody.fields,
  subject: Schema.String,
  delay_value: Schema.Int,
  delay_unit: DelayUnit
})
export type CreateEmailBody = typeof CreateEmailBody.Type

export const AddSubscriberBody = Schema.Struct({ email_address: Schema.String })

/** Filters of `GET /v4/sequences/{sequence_id}/subscribers`. */
export const SubscriberStatusFilter = Schema.Literal(
  "active",
  "inactive",
  "bounced",
  "complained",
  "cancelled",
  "all"
)
export type SubscriberStatusFilter = typeof SubscriberStatusFilter.Type
