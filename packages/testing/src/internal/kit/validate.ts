/**
 * Field validation with Kit's wording. Each parser reads only the fields present in the body, so the
 * result doubles as a partial-update patch (absent = unchanged).
 */
import { has, isInteger, isObject, isStringArray, type JsonObject } from "./json.js"
import {
  DAYS,
  type Day,
  DELAY_UNITS,
  type DelayUnit,
  type ExcludeSource,
  SOURCE_TYPES,
  type SourceType
} from "./types.js"

const isDay = (s: string): s is Day => DAYS.some((d) => d === s)
const isSourceType = (s: string): s is SourceType => SOURCE_TYPES.some((t) => t === s)
const isDelayUnit = (u: unknown): u is DelayUnit => DELAY_UNITS.some((d) => d === u)

let zoneSet: ReadonlySet<string> | undefined
/** IANA zones: the runtime's canonical list, plus aliases `Intl.DateTimeFormat` accepts (e.g. `UTC`). */
export const isTimeZone = (zone: string): boolean => {
  zoneSet ??= new Set(Intl.supportedValuesOf("timeZone"))
  if (zoneSet.has(zone)) return true
  // Reject offsets such as "+01:00" that newer engines accept but are not IANA names.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const DAYS_MESSAGE = `send_days must be one of: ${DAYS.join(", ")}`

export const parseDays = (u: unknown): ReadonlyArray<Day> | undefined => {
  if (!isStringArray(u) || u.length === 0) return undefined
  const days: Array<Day> = []
  for (const s of u) {
    if (!isDay(s)) return undefined
    if (!days.includes(s)) days.push(s)
  }
  return days
}

const parseSources = (u: unknown): ReadonlyArray<ExcludeSource> | string => {
  if (!Array.isArray(u)) return "exclude_subscriber_sources must be an array"
  const out: Array<ExcludeSource> = []
  for (const item of u) {
    if (!isObject(item) || typeof item.type !== "string" || !isSourceType(item.type)) {
      return `exclude_subscriber_sources type must be one of: ${SOURCE_TYPES.join(", ")}`
    }
    const ids = item.ids
    if (!Array.isArray(ids) || !ids.every((id) => isInteger(id) && id > 0)) {
      return "exclude_subscriber_sources ids must be an array of integers"
    }
    out.push({ type: item.type, ids: ids.filter(isInteger) })
  }
  return out
}

export interface SequencePatch {
  name?: string
  hold?: boolean
  repeat?: boolean
  active?: boolean
  email_address?: string | null
  email_template_id?: number | null
  send_days?: ReadonlyArray<Day>
  send_hour?: number
  time_zone?: string
  exclude_subscriber_sources?: ReadonlyArray<ExcludeSource>
}

export interface Parsed<A> {
  readonly patch: A
  readonly errors: ReadonlyArray<string>
}

const booleanField = (body: JsonObject, key: string, errors: Array<string>): boolean | undefined => {
  if (!has(body, key)) return undefined
  const v = body[key]
  if (typeof v === "boolean") return v
  errors.push(`${key} must be a boolean`)
  return undefined
}

export const parseSequence = (body: JsonObject, mode: "create" | "update"): Parsed<SequencePatch> => {
  const errors: Array<string> = []
  const patch: SequencePatch = {}
  if (has(body, "name") || mode === "create") {
    const v = body.name
    if (typeof v === "string" && v.trim() !== "") patch.name = v
    else errors.push("name can't be blank")
  }
  for (const key of ["hold", "repeat", "active"] as const) {
    const v = booleanField(body, key, errors)
    if (v !== undefined) patch[key] = v
  }
  if (has(body, "email_address")) {
    const v = body.email_address
    if (v === null) patch.email_address = null
    else if (typeof v === "string" && /^[^@\s]+@[^@\s]+$/.test(v)) patch.email_address = v
    else errors.push("email_address is invalid")
  }
  if (has(body, "email_template_id")) {
    const v = body.email_template_id
    if (v === null || (isInteger(v) && v > 0)) patch.email_template_id = v
    else errors.push("email_template_id must be an integer")
  }
  if (has(body, "send_days")) {
    const days = parseDays(body.send_days)
    if (days === undefined) errors.push(DAYS_MESSAGE)
    else patch.send_days = days
  }
  if (has(body, "send_hour")) {
    const v = body.send_hour
    if (isInteger(v) && v >= 0 && v <= 23) patch.send_hour = v
    else errors.push("send_hour must be an integer between 0 and 23")
  }
  if (has(body, "time_zone")) {
    const v = body.time_zone
    if (typeof v === "string" && isTimeZone(v)) patch.time_zone = v
    else errors.push("time_zone must be a valid IANA time zone")
  }
  if (has(body, "exclude_subscriber_sources")) {
    const v = parseSources(body.exclude_subscriber_sources)
    if (typeof v === "string") errors.push(v)
    else patch.exclude_subscriber_sources = v
  }
  return { patch, errors }
}

export interface EmailPatch {
  subject?: string
  preview_text?: string | null
  content?: string | null
  email_template_id?: number | null
  /** `null` in a body means "default" on create and "unchanged" on update. */
  published?: boolean
  /** `null` means "revert to the sequence schedule". */
  send_days?: ReadonlyArray<Day> | null
  position?: number
  delay_value?: number
  delay_unit?: DelayUnit
}

const nullableString = (
  body: JsonObject,
  key: "preview_text" | "content",
  patch: EmailPatch,
  errors: Array<string>
): void => {
  if (!has(body, key)) return
  const v = body[key]
  if (v === null || typeof v === "string") patch[key] = v
  else errors.push(`${key} must be a string`)
}

export const parseEmail = (body: JsonObject, mode: "create" | "update"): Parsed<EmailPatch> => {
  const errors: Array<string> = []
  const patch: EmailPatch = {}
  if (has(body, "subject") || mode === "create") {
    const v = body.subject
    if (typeof v === "string" && v.trim() !== "") patch.subject = v
    else errors.push("subject can't be blank")
  }
  nullableString(body, "preview_text", patch, errors)
  nullableString(body, "content", patch, errors)
  if (has(body, "email_template_id")) {
    const v = body.email_template_id
    if (v === null || (isInteger(v) && v > 0)) patch.email_template_id = v
    else errors.push("email_template_id must be an integer")
  }
  if (has(body, "published") && body.published !== null) {
    const v = body.published
    if (typeof v === "boolean") patch.published = v
    else errors.push("published must be a boolean")
  }
  if (has(body, "send_days")) {
    const v = body.send_days
    if (v === null) patch.send_days = null
    else {
      const days = parseDays(v)
      if (days === undefined) errors.push(DAYS_MESSAGE)
      else patch.send_days = days
    }
  }
  if (has(body, "position") && body.position !== null) {
    const v = body.position
    if (isInteger(v) && v >= 0) patch.position = v
    else errors.push("position must be an integer greater than or equal to 0")
  }
  if (has(body, "delay_value") || mode === "create") {
    const v = body.delay_value
    if (v === undefined || v === null) errors.push("delay_value can't be blank")
    else if (isInteger(v) && v >= 0) patch.delay_value = v
    else errors.push("delay_value must be an integer greater than or equal to 0")
  }
  if (has(body, "delay_unit") || mode === "create") {
    const v = body.delay_unit
    if (v === undefined || v === null) errors.push("delay_unit can't be blank")
    else if (isDelayUnit(v)) patch.delay_unit = v
    else errors.push("delay_unit must be one of: days, hours")
  }
  return { patch, errors }
}
