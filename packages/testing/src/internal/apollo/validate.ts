/** Readers for request bodies: wrong types are a 422, as on Apollo; absent keys read as `undefined`. */
import { unprocessable } from "./errors.js"
import {
  hasKey,
  isArray,
  isBoolean,
  isInteger,
  isRecord,
  isString,
  isStringArray,
  type JsonRecord
} from "./json.js"
import type { Priority, StepType, TouchStatus, TouchType, WaitMode } from "./types.js"

export const stepTypes: ReadonlyArray<StepType> = [
  "auto_email",
  "manual_email",
  "call",
  "action_item",
  "linkedin_step_connect",
  "linkedin_step_message",
  "linkedin_step_view_profile",
  "linkedin_step_interact_post"
]

/** Step types that carry touches, per the create document. */
export const touchStepTypes: ReadonlySet<StepType> = new Set<StepType>([
  "auto_email",
  "manual_email",
  "linkedin_step_message",
  "linkedin_step_connect",
  "call"
])

export const waitModes: ReadonlyArray<WaitMode> = ["minute", "hour", "day"]
export const priorities: ReadonlyArray<Priority> = ["high", "medium", "low"]
export const touchTypes: ReadonlyArray<TouchType> = ["new_thread", "reply_to_thread"]
export const touchStatuses: ReadonlyArray<TouchStatus> = ["to_be_reviewed", "approved"]

const invalid = (key: string, expected: string) => unprocessable(key + " must be " + expected)

export const readString = (r: JsonRecord, key: string): string | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  if (!isString(v)) throw invalid(key, "a string")
  return v
}

export const readNullableString = (r: JsonRecord, key: string): string | null | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  if (v === null) return null
  if (!isString(v)) throw invalid(key, "a string")
  return v
}

export const readBoolean = (r: JsonRecord, key: string): boolean | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  if (!isBoolean(v)) throw invalid(key, "a boolean")
  return v
}

export const readInteger = (
  r: JsonRecord,
  key: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER
): number | undefined => {
  const v = readNullableInteger(r, key, min, max)
  if (v === null) throw invalid(key, "an integer")
  return v
}

export const readNullableInteger = (
  r: JsonRecord,
  key: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER
): number | null | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  if (v === null) return null
  if (!isInteger(v)) throw invalid(key, "an integer")
  if (v < min) throw unprocessable(key + " must be greater than or equal to " + min)
  if (v > max) throw unprocessable(key + " must be less than or equal to " + max)
  return v
}

export const readEnum = <A extends string>(
  r: JsonRecord,
  key: string,
  values: ReadonlyArray<A>
): A | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  const found = values.find((value) => value === v)
  if (found === undefined) throw invalid(key, "one of: " + values.join(", "))
  return found
}

export const readNullableEnum = <A extends string>(
  r: JsonRecord,
  key: string,
  values: ReadonlyArray<A>
): A | null | undefined => (hasKey(r, key) && r[key] === null ? null : readEnum(r, key, values))

export const readStringArray = (r: JsonRecord, key: string): ReadonlyArray<string> | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  if (!isStringArray(v)) throw invalid(key, "an array of strings")
  return v
}

export const readRecord = (r: JsonRecord, key: string): JsonRecord | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  if (!isRecord(v)) throw invalid(key, "an object")
  return v
}

export const readRecords = (r: JsonRecord, key: string): ReadonlyArray<JsonRecord> | undefined => {
  if (!hasKey(r, key)) return undefined
  const v = r[key]
  if (!isArray(v) || !v.every(isRecord)) throw invalid(key, "an array of objects")
  return v.filter(isRecord)
}

/** Comma-separated addresses; Apollo stores "" for none. */
export const readEmails = (r: JsonRecord, key: string): string | undefined => {
  const v = readNullableString(r, key)
  return v === null ? "" : v
}

export interface TemplateInput {
  readonly id: string | undefined
  readonly subject: string | undefined
  readonly body_html: string | undefined
}

export interface TouchInput {
  readonly id: string | undefined
  readonly type: TouchType | undefined
  readonly status: TouchStatus | undefined
  readonly include_signature: boolean | undefined
  readonly attachment_ids: ReadonlyArray<string> | undefined
  readonly template: TemplateInput | undefined
}

export interface StepInput {
  readonly id: string | undefined
  readonly type: StepType | undefined
  readonly wait_time: number | null | undefined
  readonly wait_mode: WaitMode | null | undefined
  readonly exact_datetime: string | null | undefined
  readonly priority: Priority | null | undefined
  readonly note: string | null | undefined
  readonly max_emails_per_day: number | null | undefined
  readonly auto_skip_in_x_days: number | null | undefined
  /** `undefined` when the key is absent. */
  readonly touches: ReadonlyArray<TouchInput> | undefined
}

const readTemplate = (r: JsonRecord): TemplateInput | undefined => {
  const t = readRecord(r, "emailer_template")
  if (t === undefined) return undefined
  return { id: readString(t, "id"), subject: readString(t, "subject"), body_html: readString(t, "body_html") }
}

const readTouch = (r: JsonRecord): TouchInput => ({
  id: readString(r, "id"),
  type: readEnum(r, "type", touchTypes),
  status: readEnum(r, "status", touchStatuses),
  include_signature: readBoolean(r, "include_signature"),
  attachment_ids: readStringArray(r, "attachment_ids"),
  template: readTemplate(r)
})

export const readStep = (r: JsonRecord): StepInput => ({
  id: readString(r, "id"),
  type: readEnum(r, "type", stepTypes),
  wait_time: readNullableInteger(r, "wait_time"),
  wait_mode: readNullableEnum(r, "wait_mode", waitModes),
  exact_datetime: readNullableString(r, "exact_datetime"),
  priority: readNullableEnum(r, "priority", priorities),
  note: readNullableString(r, "note"),
  max_emails_per_day: readNullableInteger(r, "max_emails_per_day"),
  auto_skip_in_x_days: readNullableInteger(r, "auto_skip_in_x_days"),
  touches: readRecords(r, "emailer_touches")?.map(readTouch)
})

/** Create-only sequence flags, kept as sent. */
export const createOnlyFlags: ReadonlyArray<readonly [string, "boolean" | "integer" | "string" | "strings"]> =
  [
    ["mark_finished_if_reply", "boolean"],
    ["mark_finished_if_click", "boolean"],
    ["mark_finished_if_interested", "boolean"],
    ["mark_paused_if_ooo", "boolean"],
    ["create_task_if_email_open", "boolean"],
    ["ignore_apollo_global_email_bounce_list", "boolean"],
    ["sequence_by_exact_daytime", "boolean"],
    ["days_to_wait_before_mark_as_response", "integer"],
    ["email_open_trigger_task_threshold", "integer"],
    ["folder_id", "string"],
    ["sequence_ruleset_id", "string"],
    ["excluded_account_stage_ids", "strings"],
    ["excluded_contact_stage_ids", "strings"]
  ]

export const readCreateFlags = (r: JsonRecord): Record<string, unknown> => {
  const flags: Record<string, unknown> = {}
  for (const [key, kind] of createOnlyFlags) {
    const value =
      kind === "boolean"
        ? readBoolean(r, key)
        : kind === "integer"
          ? readInteger(r, key)
          : kind === "string"
            ? readString(r, key)
            : readStringArray(r, key)
    if (value !== undefined) flags[key] = value
  }
  return flags
}
