/** One function per Apollo operation: request in, JSON body out (errors are thrown `ApiError`s). */
import { notFound, unprocessable } from "./errors.js"
import { isRecord, isString, isStringArray } from "./json.js"
import {
  campaignJson,
  childrenJson,
  contactJson,
  emailAccountJson,
  scheduleJson,
  stepJson
} from "./render.js"
import type { Route } from "./routes.js"
import { createSequence, type SequenceContext, updateSequence } from "./sequences.js"
import type { Campaign, Store } from "./store.js"
import type { MembershipStatus, RemoveMode } from "./types.js"

export type Query = Readonly<Record<string, string | ReadonlyArray<string>>>

export interface ApiRequest {
  readonly route: Route
  readonly query: Query
  /** Parsed JSON body; `undefined` when there was none. */
  readonly body: unknown
}

/** A parameter from the query string or, failing that, from a JSON body (Apollo accepts both). */
const scalar = (req: ApiRequest, name: string): string | undefined => {
  const q = req.query[name]
  if (isString(q)) return q
  if (q !== undefined) return q[q.length - 1]
  if (!isRecord(req.body)) return undefined
  const v = req.body[name]
  return isString(v) ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined
}

/** An array parameter: `name[]=a&name[]=b` in the query (a bare `name=` is not an array), or a JSON array. */
const list = (req: ApiRequest, name: string): ReadonlyArray<string> | undefined => {
  const q = req.query[name + "[]"]
  if (q !== undefined) return isString(q) ? [q] : q
  if (!isRecord(req.body)) return undefined
  const v = req.body[name] ?? req.body[name + "[]"]
  return isStringArray(v) ? v : undefined
}

const flag = (req: ApiRequest, name: string): boolean => {
  const v = scalar(req, name)
  return v === "true" || v === "1"
}

const positiveInt = (raw: string | undefined, fallback: number, max: number): number => {
  const n = raw === undefined ? Number.NaN : Number(raw)
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback
}

const campaignOf = (store: Store, id: string | undefined): Campaign => {
  const campaign = id === undefined ? undefined : store.campaigns.get(id)
  if (campaign === undefined) throw notFound()
  return campaign
}

const search = (store: Store, req: ApiRequest): unknown => {
  const q = scalar(req, "q_name")?.trim() ?? ""
  const needle = q.toLowerCase()
  const page = positiveInt(scalar(req, "page"), 1, Number.MAX_SAFE_INTEGER)
  const perPage = positiveInt(scalar(req, "per_page"), 25, 100)
  // Not in the document: archived sequences are left out unless `include_archived=true`.
  const includeArchived = flag(req, "include_archived")
  const first = (page - 1) * perPage
  const rows: Array<unknown> = []
  let total = 0
  for (const c of store.campaigns.values()) {
    if (c.archived && !includeArchived) continue
    if (needle !== "" && !c.nameLower.includes(needle)) continue
    if (total >= first && rows.length < perPage) rows.push(campaignJson(store, c))
    total += 1
  }
  return {
    pagination: { page, per_page: perPage, total_entries: total, total_pages: Math.ceil(total / perPage) },
    breadcrumbs: q === "" ? [] : [{ label: "Name", signal_field_name: "q_name", value: q, display_name: q }],
    emailer_campaigns: rows,
    num_fetch_result: null
  }
}

const withChildren = (store: Store, c: Campaign): unknown => ({
  emailer_campaign: campaignJson(store, c, { contactStatuses: true }),
  ...childrenJson(store, c)
})

/** Reportedly, a GET on the collection creates an empty sequence on Apollo: so it does here. */
const listCampaigns = (store: Store): unknown => {
  const campaign = store.newCampaign({
    name: "Untitled Sequence",
    active: false,
    archived: false,
    creation_type: "draft",
    emailer_schedule_id: store.defaultScheduleId(),
    label_names: [],
    max_emails_per_day: null,
    same_account_reply_delay_days: 30,
    cc_emails: "",
    bcc_emails: "",
    sharing: { visibility: "restricted", access_type: null, sharing_accesses: [] },
    user_id: store.userId,
    settings: {}
  })
  return withChildren(store, campaign)
}

const stepsOf = (store: Store, c: Campaign): ReadonlyArray<unknown> =>
  c.stepIds.flatMap((id, index) => {
    const step = store.steps.get(id)
    return step === undefined ? [] : [stepJson(step, index + 1)]
  })

const setActive = (store: Store, req: ApiRequest, active: boolean): unknown => {
  const c = campaignOf(store, req.route.id)
  if (active) {
    if (c.active) throw unprocessable("The sequence is already active.")
    if (c.archived) throw unprocessable("The sequence is archived.")
    if (c.stepIds.length === 0)
      throw unprocessable("Please make sure you have added at least 1 step before turning on the sequence.")
  } else if (!c.active) throw unprocessable("The sequence is already inactive.")
  c.active = active
  c.updated_at = store.timestamp()
  return { emailer_campaign: campaignJson(store, c), emailer_steps: stepsOf(store, c) }
}

const archive = (store: Store, req: ApiRequest): unknown => {
  const c = campaignOf(store, req.route.id)
  c.archived = true
  c.active = false
  c.updated_at = store.timestamp()
  // Archiving finishes every contact still in the sequence.
  for (const m of store.membershipsOfCampaign(c.id)) {
    if (m.status === "finished") continue
    m.status = "finished"
    m.finished_at = c.updated_at
    m.inactive_reason = "Sequence archived"
  }
  return { emailer_campaign: { ...campaignJson(store, c), deleted: true } }
}

/** Why a contact is skipped, following the add_contact_ids flags (all off by default). */
const skipReason = (store: Store, req: ApiRequest, c: Campaign, contactId: string): string | undefined => {
  const contact = store.contacts.get(contactId)
  if (contact === undefined) return "contact_not_found"
  const existing = store.membership(c.id, contactId)
  if (existing !== undefined && existing.status !== "finished") return "contact_already_in_campaign"
  if (contact.email === null && !flag(req, "sequence_no_email")) return "contact_no_email"
  if (
    contact.email !== null &&
    contact.email_status !== "verified" &&
    !flag(req, "sequence_unverified_email")
  )
    return "contact_unverified_email"
  const others = store.membershipsOfContact(contactId).filter((m) => m.emailer_campaign_id !== c.id)
  if (others.some((m) => m.status !== "finished") && !flag(req, "sequence_active_in_other_campaigns"))
    return "contact_in_other_campaigns"
  if (others.some((m) => m.status === "finished") && !flag(req, "sequence_finished_in_other_campaigns"))
    return "contact_finished_in_other_campaigns"
  return undefined
}

/**
 * The document's form: one id, or the name repeated (an OpenAPI array in the query). Rails' `name[]`,
 * which the document does not name, is read only in `observed`: a client relying on it would fail
 * against a server that keeps to the document.
 */
const senderAccounts = (store: Store, req: ApiRequest): ReadonlyArray<string> => {
  const name = "send_email_from_email_account_id"
  const given = (ids: ReadonlyArray<string>) => ids.filter((id) => id !== "")
  const q = req.query[name]
  if (q !== undefined) return given(isString(q) ? [q] : q)
  if (store.profile === "observed") {
    const rails = list(req, name)
    if (rails !== undefined) return given(rails)
  }
  const v = isRecord(req.body) ? req.body[name] : undefined
  return isString(v) ? given([v]) : isStringArray(v) ? given(v) : []
}

const addContactIds = (store: Store, req: ApiRequest): unknown => {
  const c = campaignOf(store, req.route.id)
  const campaignParam = scalar(req, "emailer_campaign_id")
  const accounts = senderAccounts(store, req)
  if (campaignParam === undefined || campaignParam === "" || accounts.length === 0)
    throw unprocessable("Please specify a emailer_campaign_id and send_email_from_email_account_id.")
  if (campaignParam !== c.id)
    throw unprocessable("emailer_campaign_id does not match the sequence in the path.")
  const contactIds = list(req, "contact_ids")
  const labelNames = list(req, "label_names")
  if (
    (contactIds === undefined || contactIds.length === 0) &&
    (labelNames === undefined || labelNames.length === 0)
  )
    throw unprocessable("Please specify either contact_ids or label_names.")
  const unknown = accounts.filter((id) => !store.accounts.has(id))
  if (unknown.length > 0) throw unprocessable("Email accounts not found: " + unknown.join(", "))
  const inactive = accounts.flatMap((id) => {
    const account = store.accounts.get(id)
    return account !== undefined && !account.active ? [account.email] : []
  })
  if (inactive.length > 0) throw unprocessable("These mailboxes are no longer active. " + inactive.join(", "))
  const status = scalar(req, "status")
  if (status !== undefined && status !== "active" && status !== "paused")
    throw unprocessable("status must be one of: active, paused")
  const labelled = new Set(labelNames ?? [])
  const candidates = new Set(contactIds ?? [])
  if (labelled.size > 0)
    for (const contact of store.contacts.values())
      if (contact.label_names.some((l) => labelled.has(l))) candidates.add(contact.id)

  const now = store.timestamp()
  const skipped: Record<string, string> = {}
  const added: Array<unknown> = []
  let rotation = 0
  for (const contactId of candidates) {
    const reason = skipReason(store, req, c, contactId)
    if (reason !== undefined) {
      skipped[contactId] = reason
      continue
    }
    const initial: MembershipStatus = status === "paused" || !c.active ? "paused" : "active"
    store.putMembership({
      contact_id: contactId,
      emailer_campaign_id: c.id,
      status: initial,
      // Several accounts rotate, one contact each.
      send_email_from_email_account_id: accounts[rotation++ % accounts.length] ?? "",
      added_at: now,
      finished_at: null,
      inactive_reason: c.active ? null : "Sequence inactive"
    })
    const contact = store.contacts.get(contactId)
    if (contact !== undefined) added.push(contactJson(store, contact, now))
  }
  const children = childrenJson(store, c)
  return {
    contacts: added,
    skipped_contact_ids: skipped,
    emailer_campaign: campaignJson(store, c, { contactStatuses: true }),
    emailer_steps: children.emailer_steps,
    emailer_touches: children.emailer_touches,
    team: { id: store.teamId, sequences_finder_empty: false },
    signals_hash: null
  }
}

const removeModes: ReadonlyArray<RemoveMode> = ["mark_as_finished", "remove", "stop"]

const removeOrStop = (store: Store, req: ApiRequest): unknown => {
  const campaignIds = list(req, "emailer_campaign_ids") ?? []
  const contactIds = list(req, "contact_ids") ?? []
  const modeRaw = scalar(req, "mode")
  const mode = removeModes.find((m) => m === modeRaw)
  if (campaignIds.length === 0) throw unprocessable("Please specify emailer_campaign_ids.")
  if (contactIds.length === 0) throw unprocessable("Please specify contact_ids.")
  if (mode === undefined) throw unprocessable("mode must be one of: " + removeModes.join(", "))
  const campaigns = campaignIds.map((id) => campaignOf(store, id))
  const now = store.timestamp()
  let touched = 0
  for (const c of campaigns) {
    for (const contactId of contactIds) {
      const m = store.membership(c.id, contactId)
      if (m === undefined) continue
      touched += 1
      if (mode === "remove") store.removeMembership(c.id, contactId)
      else if (mode === "mark_as_finished") {
        m.status = "finished"
        m.finished_at = now
        m.inactive_reason = "manually finished"
      } else {
        m.status = "paused"
        m.inactive_reason = "manually stopped"
      }
    }
  }
  const contacts = contactIds.flatMap((id) => {
    const contact = store.contacts.get(id)
    return contact === undefined ? [] : [contactJson(store, contact, now)]
  })
  const statuses = {
    active: 0,
    failed: 0,
    paused: 0,
    finished: 0,
    bounced: 0,
    hard_bounced: 0,
    spam_blocked: 0,
    not_sent: 0
  }
  for (const c of campaigns) for (const m of store.membershipsOfCampaign(c.id)) statuses[m.status] += 1
  return {
    contacts,
    emailer_campaigns: campaigns.map((c) => ({ id: c.id })),
    num_contacts: touched,
    contact_statuses: statuses,
    emailer_steps: campaigns.flatMap((c) => stepsOf(store, c))
  }
}

export const handle = (ctx: SequenceContext, req: ApiRequest): unknown => {
  const { store } = ctx
  switch (req.route.operation) {
    case "search":
      return search(store, req)
    case "getCampaign":
      return withChildren(store, campaignOf(store, req.route.id))
    case "listCampaigns":
      return listCampaigns(store)
    case "createSequence":
      return createSequence(ctx, req.body)
    case "updateSequence":
      return updateSequence(ctx, req.route.id ?? "", req.body)
    case "approve":
      return setActive(store, req, true)
    case "abort":
      return setActive(store, req, false)
    case "archive":
      return archive(store, req)
    case "addContactIds":
      return addContactIds(store, req)
    case "removeOrStopContactIds":
      return removeOrStop(store, req)
    case "listSchedules":
      return {
        emailer_schedules: [...store.schedules.values()].map((s) => scheduleJson(s, store.timestamp()))
      }
    case "listEmailAccounts":
      return {
        email_accounts: [...store.accounts.values()].map((a) => emailAccountJson(a, store.timestamp()))
      }
  }
}
