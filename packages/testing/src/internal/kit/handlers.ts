/**
 * Kit's v4 sequence endpoints as pure plans: each handler validates against the current state and
 * returns the response plus a `commit` thunk that applies the change. Faults can then answer without
 * committing (a failure before processing) or after committing (the provider did the work, the
 * client never heard).
 */
import { isObject, isoSeconds, type JsonObject } from "./json.js"
import { type Key, paginate, parsePageQuery } from "./pagination.js"
import type { Store } from "./store.js"
import { parseEmail, parseSequence } from "./validate.js"
import type { Pagination } from "./pagination.js"
import {
  DAYS,
  type EmailState,
  type Operation,
  type Profile,
  type SequenceState,
  type SubscriberRecord
} from "./types.js"

export interface Quirks {
  /** What hour-based emails return as `send_days`: the create page says `null`, other sources all 7 days. */
  readonly hourEmailSendDays: "null" | "all_days"
  /** The documents' create/update examples show `position: null`; default returns the real position. */
  readonly positionInWriteResponses: "value" | "null"
}

export interface Context {
  readonly store: Store
  readonly now: () => number
  readonly quirks: Quirks
  readonly profile: Profile
  readonly createForbidden: boolean
}

/** Which answer an entity is rendered for: the documents type some fields differently in each. */
type Answer = "read" | "create" | "update"

export interface Plan {
  readonly status: number
  /** JSON value to send; `undefined` = no body (204). */
  readonly body: unknown
  readonly commit: (() => void) | undefined
}

export interface Route {
  readonly operation: Operation
  readonly sequenceId: string | undefined
  readonly id: string | undefined
}

export interface HandlerRequest {
  readonly route: Route
  readonly query: Readonly<Record<string, string>>
  /** Parsed body; `undefined` when empty. */
  readonly body: unknown
  readonly bodyIsJson: boolean
}

const errors = (status: number, messages: ReadonlyArray<string>): Plan => ({
  status,
  body: { errors: messages },
  commit: undefined
})
export const notFound = (): Plan => errors(404, ["Not Found"])
const ok = (status: number, body: unknown, commit?: () => void): Plan => ({ status, body, commit })

/** Maps method + path to an operation; `undefined` for anything Kit does not have. */
export const route = (method: string, path: string): Route | undefined => {
  const s = path.split("/").filter((x) => x !== "")
  if (s[0] !== "v4" || s[1] !== "sequences") return undefined
  const r = (operation: Operation, sequenceId?: string, id?: string): Route => ({ operation, sequenceId, id })
  switch (s.length) {
    case 2:
      return method === "GET" ? r("listSequences") : method === "POST" ? r("createSequence") : undefined
    case 3:
      if (method === "GET") return r("getSequence", s[2])
      if (method === "PUT") return r("updateSequence", s[2])
      if (method === "DELETE") return r("deleteSequence", s[2])
      return undefined
    case 4:
      if (s[3] === "emails") {
        return method === "GET"
          ? r("listEmails", s[2])
          : method === "POST"
            ? r("createEmail", s[2])
            : undefined
      }
      if (s[3] === "subscribers") {
        if (method === "GET") return r("listSubscribers", s[2])
        return method === "POST" ? r("addSubscriberByEmail", s[2]) : undefined
      }
      return undefined
    case 5:
      if (s[3] === "emails") {
        if (method === "GET") return r("getEmail", s[2], s[4])
        if (method === "PUT") return r("updateEmail", s[2], s[4])
        if (method === "DELETE") return r("deleteEmail", s[2], s[4])
        return undefined
      }
      if (s[3] === "subscribers" && method === "POST") return r("addSubscriberById", s[2], s[4])
      return undefined
    default:
      return undefined
  }
}

const parseId = (raw: string | undefined): number | undefined =>
  raw !== undefined && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined

// ---- rendering ----

/**
 * The create/update answers type the sender and template as non-null; when a sequence has none, the
 * documented profile answers the account's (Kit's fallback when sending).
 */
const renderSequence = (ctx: Context, s: SequenceState, answer: Answer = "read") => {
  const strict = ctx.profile === "documented" && answer !== "read"
  return {
    id: s.id,
    name: s.name,
    hold: s.hold,
    repeat: s.repeat,
    created_at: s.created_at,
    updated_at: s.updated_at,
    email_address: strict ? (s.email_address ?? ctx.store.account.email_address) : s.email_address,
    email_template_id: strict
      ? (s.email_template_id ?? ctx.store.account.email_template_id)
      : s.email_template_id,
    send_days: s.send_days,
    send_hour: s.send_hour,
    time_zone: s.time_zone,
    active: s.active,
    exclude_subscriber_sources: s.exclude_subscriber_sources,
    email_count: ctx.store.emailIds.get(s.id)?.length ?? 0,
    subscriber_count: ctx.store.memberships.get(s.id)?.size ?? 0
  }
}

/**
 * In `documented`, a field is null only where that answer's schema allows it: `preview_text` and
 * `content` are strings in the read answers (and `preview_text` in the update answer), so an empty
 * one is `""` there.
 */
const renderEmail = (
  ctx: Context,
  e: EmailState,
  options: { readonly content: boolean; readonly answer: Answer }
) => {
  const sequence = ctx.store.sequences.get(e.sequence_id)
  const documented = ctx.profile === "documented"
  const write = options.answer !== "read"
  const sendDays =
    e.delay_unit === "hours"
      ? ctx.quirks.hourEmailSendDays === "null"
        ? null
        : DAYS
      : // A day-based email without its own days answers all seven: "no per-email restriction".
        (e.send_days ?? DAYS)
  const previewText = documented && options.answer !== "create" ? (e.preview_text ?? "") : e.preview_text
  const content = documented && options.answer === "read" ? (e.content ?? "") : e.content
  return {
    id: e.id,
    sequence_id: e.sequence_id,
    subject: e.subject,
    preview_text: previewText,
    email_address: sequence?.email_address ?? ctx.store.account.email_address,
    email_template_id: e.email_template_id,
    published: e.published,
    position: write && ctx.quirks.positionInWriteResponses === "null" ? null : e.position,
    delay_value: e.delay_value,
    delay_unit: e.delay_unit,
    send_days: sendDays,
    ...(options.content ? { content } : {})
  }
}

/** The documents type both cursors as strings: an empty page answers `""` in `documented`, `null` in `observed`. */
const withCursors = (ctx: Context, p: Pagination): Pagination =>
  ctx.profile === "documented"
    ? { ...p, start_cursor: p.start_cursor ?? "", end_cursor: p.end_cursor ?? "" }
    : p

const renderSubscriber = (ctx: Context, s: SubscriberRecord, addedAt: string) => ({
  id: s.id,
  first_name: s.first_name,
  email_address: s.email_address,
  state: s.state,
  created_at: s.created_at,
  added_at: addedAt,
  fields: {
    ...Object.fromEntries(ctx.store.account.custom_fields.map((f): [string, string | null] => [f, null])),
    ...s.fields
  }
})

// ---- body ----

/** POST/PUT bodies must be JSON objects; an empty body counts as `{}`. */
const objectBody = (req: HandlerRequest): JsonObject | Plan => {
  if (req.body === undefined) return {}
  if (req.bodyIsJson && isObject(req.body)) return req.body
  return errors(422, ["Request body must be a JSON object"])
}
const isPlan = (u: JsonObject | Plan): u is Plan => "status" in u && "commit" in u

// ---- sequences ----

const listSequences = (ctx: Context, req: HandlerRequest): Plan => {
  const q = parsePageQuery(req.query, 1)
  if ("error" in q) return errors(422, [q.error])
  const { sequenceIds, sequences } = ctx.store
  const page = paginate(
    sequenceIds.length,
    (i): Key => [sequenceIds[i] ?? 0],
    (i) => {
      const s = sequences.get(sequenceIds[i] ?? 0)
      return s === undefined ? undefined : renderSequence(ctx, s)
    },
    q
  )
  return ok(200, { sequences: page.items, pagination: withCursors(ctx, page.pagination) })
}

const createSequence = (ctx: Context, req: HandlerRequest): Plan => {
  if (ctx.createForbidden)
    return errors(403, [
      "You do not have sufficient permissions to access this resource. Please contact support."
    ])
  const body = objectBody(req)
  if (isPlan(body)) return body
  const { patch, errors: errs } = parseSequence(body, "create")
  if (errs.length > 0) return errors(422, errs)
  const { account } = ctx.store
  const stamp = isoSeconds(ctx.now())
  const sequence: SequenceState = {
    id: ctx.store.takeSequenceId(),
    name: patch.name ?? "",
    hold: patch.hold ?? false,
    repeat: patch.repeat ?? false,
    active: patch.active ?? true,
    email_address: patch.email_address ?? account.email_address,
    email_template_id: patch.email_template_id ?? account.email_template_id,
    send_days: patch.send_days ?? account.send_days,
    send_hour: patch.send_hour ?? account.send_hour,
    time_zone: patch.time_zone ?? account.time_zone,
    exclude_subscriber_sources: patch.exclude_subscriber_sources ?? [],
    created_at: stamp,
    updated_at: stamp
  }
  return ok(
    201,
    { sequence: { ...renderSequence(ctx, sequence, "create"), email_count: 0, subscriber_count: 0 } },
    () => ctx.store.putSequence(sequence)
  )
}

const findSequence = (ctx: Context, raw: string | undefined): SequenceState | undefined => {
  const id = parseId(raw)
  return id === undefined ? undefined : ctx.store.sequences.get(id)
}

const getSequence = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  return s === undefined ? notFound() : ok(200, { sequence: renderSequence(ctx, s) })
}

const updateSequence = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  if (s === undefined) return notFound()
  const body = objectBody(req)
  if (isPlan(body)) return body
  const { patch, errors: errs } = parseSequence(body, "update")
  if (errs.length > 0) return errors(422, errs)
  const updated: SequenceState = { ...s, ...patch, updated_at: isoSeconds(ctx.now()) }
  return ok(200, { sequence: renderSequence(ctx, updated, "update") }, () => ctx.store.putSequence(updated))
}

const deleteSequence = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  if (s === undefined) return notFound()
  return ok(204, undefined, () => ctx.store.deleteSequence(s.id))
}

// ---- emails ----

const listEmails = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  if (s === undefined) return notFound()
  const q = parsePageQuery(req.query, 2)
  if ("error" in q) return errors(422, [q.error])
  const emails = ctx.store.emailsOf(s.id)
  const content = req.query.include_content === "true"
  const page = paginate(
    emails.length,
    (i): Key => [emails[i]?.position ?? 0, emails[i]?.id ?? 0],
    (i) => {
      const e = emails[i]
      return e === undefined ? undefined : renderEmail(ctx, e, { content, answer: "read" })
    },
    q
  )
  return ok(200, { emails: page.items, pagination: withCursors(ctx, page.pagination) })
}

/** Kit's cross-field rules, checked on the email as it would be after the write. */
const emailRuleErrors = (ctx: Context, e: EmailState, sendDaysSent: boolean): ReadonlyArray<string> => {
  const out: Array<string> = []
  const taken = ctx.store.emailsOf(e.sequence_id).some((o) => o.id !== e.id && o.position === e.position)
  if (taken) out.push("position has already been taken")
  if (e.delay_unit === "hours" && sendDaysSent) {
    out.push("send_days can only be set on emails with a delay_unit of days")
  }
  if (e.delay_value === 0 && e.position !== 0) {
    // The documents: "only the first email … can be an immediate send (`delay_value: 0` with
    // `delay_unit: "days"`). Subsequent emails need a positive delay" — in any unit.
    if (ctx.profile === "documented") out.push("Subsequent emails need a positive delay")
    else if (e.delay_unit === "days")
      out.push("delay_value must be greater than 0: only the first email can be sent immediately")
  }
  return out
}

const createEmail = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  if (s === undefined) return notFound()
  const body = objectBody(req)
  if (isPlan(body)) return body
  const { patch, errors: errs } = parseEmail(body, "create")
  if (errs.length > 0) return errors(422, errs)
  const existing = ctx.store.emailsOf(s.id)
  const last = existing[existing.length - 1]
  const delayUnit = patch.delay_unit ?? "days"
  const planned: EmailState = {
    id: 0,
    sequence_id: s.id,
    subject: patch.subject ?? "",
    preview_text: patch.preview_text ?? null,
    content: patch.content ?? null,
    email_template_id: patch.email_template_id ?? null,
    published: patch.published ?? false,
    position: patch.position ?? (last === undefined ? 0 : last.position + 1),
    delay_value: patch.delay_value ?? 0,
    delay_unit: delayUnit,
    send_days: delayUnit === "hours" ? null : (patch.send_days ?? null)
  }
  const rules = emailRuleErrors(ctx, planned, patch.send_days != null)
  if (rules.length > 0) return errors(422, rules)
  const email: EmailState = { ...planned, id: ctx.store.takeEmailId() }
  return ok(201, { email: renderEmail(ctx, email, { content: true, answer: "create" }) }, () =>
    ctx.store.putEmail(email)
  )
}

const findEmail = (ctx: Context, req: HandlerRequest): EmailState | undefined => {
  const s = findSequence(ctx, req.route.sequenceId)
  const id = parseId(req.route.id)
  if (s === undefined || id === undefined) return undefined
  const e = ctx.store.emails.get(id)
  return e?.sequence_id === s.id ? e : undefined
}

const getEmail = (ctx: Context, req: HandlerRequest): Plan => {
  const e = findEmail(ctx, req)
  return e === undefined
    ? notFound()
    : ok(200, { email: renderEmail(ctx, e, { content: true, answer: "read" }) })
}

const updateEmail = (ctx: Context, req: HandlerRequest): Plan => {
  const e = findEmail(ctx, req)
  if (e === undefined) return notFound()
  const body = objectBody(req)
  if (isPlan(body)) return body
  const { patch, errors: errs } = parseEmail(body, "update")
  if (errs.length > 0) return errors(422, errs)
  const merged: EmailState = { ...e, ...patch }
  // Hour-based emails ignore the schedule, so any stored override is dropped when switching to hours.
  const updated: EmailState = merged.delay_unit === "hours" ? { ...merged, send_days: null } : merged
  const rules = emailRuleErrors(ctx, updated, patch.send_days != null)
  if (rules.length > 0) return errors(422, rules)
  return ok(200, { email: renderEmail(ctx, updated, { content: true, answer: "update" }) }, () =>
    ctx.store.putEmail(updated)
  )
}

const deleteEmail = (ctx: Context, req: HandlerRequest): Plan => {
  const e = findEmail(ctx, req)
  if (e === undefined) return notFound()
  return ok(204, undefined, () => ctx.store.deleteEmail(e.id))
}

// ---- subscribers ----

const STATUS_FILTERS = ["active", "inactive", "bounced", "complained", "cancelled", "all"]

const dateFilter = (raw: string | undefined): number | undefined | "invalid" => {
  if (raw === undefined || raw === "") return undefined
  const t = Date.parse(raw)
  return Number.isNaN(t) ? "invalid" : t
}

const listSubscribers = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  if (s === undefined) return notFound()
  const q = parsePageQuery(req.query, 1)
  if ("error" in q) return errors(422, [q.error])
  const status = req.query.status ?? "active"
  if (!STATUS_FILTERS.includes(status))
    return errors(422, [`status must be one of: ${STATUS_FILTERS.join(", ")}`])
  const filters = {
    added_after: dateFilter(req.query.added_after),
    added_before: dateFilter(req.query.added_before),
    created_after: dateFilter(req.query.created_after),
    created_before: dateFilter(req.query.created_before)
  }
  for (const [name, v] of Object.entries(filters)) {
    if (v === "invalid") return errors(422, [`${name} must be a date`])
  }
  const inRange = (iso: string, after: unknown, before: unknown): boolean => {
    const t = Date.parse(iso)
    return !(typeof after === "number" && t <= after) && !(typeof before === "number" && t >= before)
  }
  const rows: Array<ReturnType<typeof renderSubscriber>> = []
  for (const m of ctx.store.memberships.get(s.id)?.values() ?? []) {
    const sub = ctx.store.subscribers.get(m.subscriber_id)
    if (sub === undefined) continue
    if (status !== "all" && sub.state !== status) continue
    if (!inRange(m.added_at, filters.added_after, filters.added_before)) continue
    if (!inRange(sub.created_at, filters.created_after, filters.created_before)) continue
    rows.push(renderSubscriber(ctx, sub, m.added_at))
  }
  // Newest subscriber first, as in Kit's example; the cursor key is the negated id to keep "ascending".
  rows.sort((a, b) => b.id - a.id)
  const page = paginate(
    rows.length,
    (i): Key => [-(rows[i]?.id ?? 0)],
    (i) => rows[i],
    q
  )
  return ok(200, { subscribers: page.items, pagination: withCursors(ctx, page.pagination) })
}

const addSubscriber = (
  ctx: Context,
  sequence: SequenceState,
  subscriber: SubscriberRecord | undefined
): Plan => {
  if (!sequence.active) return errors(422, ["Sequence is inactive"])
  if (subscriber === undefined) return notFound()
  const members = ctx.store.memberships.get(sequence.id)
  const existing = members?.get(subscriber.id)
  if (existing !== undefined)
    return ok(200, { subscriber: renderSubscriber(ctx, subscriber, existing.added_at) })
  const addedAt = isoSeconds(ctx.now())
  return ok(201, { subscriber: renderSubscriber(ctx, subscriber, addedAt) }, () =>
    members?.set(subscriber.id, { subscriber_id: subscriber.id, added_at: addedAt })
  )
}

const addSubscriberByEmail = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  if (s === undefined) return notFound()
  const body = objectBody(req)
  if (isPlan(body)) return body
  const address = body.email_address
  if (typeof address !== "string" || address.trim() === "")
    return errors(422, ["email_address can't be blank"])
  return addSubscriber(ctx, s, ctx.store.findSubscriber(address.trim()))
}

const addSubscriberById = (ctx: Context, req: HandlerRequest): Plan => {
  const s = findSequence(ctx, req.route.sequenceId)
  if (s === undefined) return notFound()
  const id = parseId(req.route.id)
  return addSubscriber(ctx, s, id === undefined ? undefined : ctx.store.findSubscriber(id))
}

const handlers: Record<Operation, (ctx: Context, req: HandlerRequest) => Plan> = {
  listSequences,
  createSequence,
  getSequence,
  updateSequence,
  deleteSequence,
  listEmails,
  createEmail,
  getEmail,
  updateEmail,
  deleteEmail,
  listSubscribers,
  addSubscriberByEmail,
  addSubscriberById
}

export const handle = (ctx: Context, req: HandlerRequest): Plan => handlers[req.route.operation](ctx, req)
