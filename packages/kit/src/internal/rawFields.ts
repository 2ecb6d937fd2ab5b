/**
 * What becomes of each field of a Kit sequence as read when it is translated: `Sequence.raw` is the
 * sequence (`GET /v4/sequences/{id}`), each `Step.raw` its email. A field is carried into the
 * neutral model, meaningless for any target (ids, timestamps, figures), or listed nowhere: then,
 * set, it warns when translated, so a field Kit adds is never dropped without a word.
 * Reviewed against Kit's documented responses (`kit-sequences.yml`, `kit-sequence-emails.yml`).
 */
import type { Capabilities } from "@unisequence/core"

const meaningless = "meaningless" as const
const carried = "carried" as const

/** The sequence, as `GET /v4/sequences/{id}` answers it. */
export const rawFields: Capabilities.RawFields = {
  id: meaningless,
  name: carried,
  hold: carried,
  repeat: carried,
  created_at: meaningless,
  updated_at: meaningless,
  email_address: carried,
  email_template_id: carried,
  send_days: carried,
  send_hour: carried,
  time_zone: carried,
  active: carried,
  exclude_subscriber_sources: carried,
  // Figures about the sequence, not settings.
  email_count: meaningless,
  subscriber_count: meaningless,
  stats: meaningless
}

/** One email, as `GET /v4/sequences/{sequence_id}/emails/{id}` answers it. */
export const stepRawFields: Capabilities.RawFields = {
  id: meaningless,
  sequence_id: meaningless,
  subject: carried,
  preview_text: carried,
  content: carried,
  email_template_id: carried,
  published: carried,
  // The order of the steps.
  position: carried,
  delay_value: carried,
  delay_unit: carried,
  send_days: carried,
  // Always the sequence's own address (Kit has no per-email sender): the sequence's
  // `email_address` carries it.
  email_address: meaningless
}
