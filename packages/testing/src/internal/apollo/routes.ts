/** Method + path -> operation, and the API-key scope each operation needs. */
import type { Operation } from "./types.js"

/** Scope names as Apollo's document lists them under "API key access". */
export const Scopes: Readonly<Record<Operation, string>> = {
  search: "api/v1/emailer_campaigns/search",
  getCampaign: "api/v1/emailer_campaigns/show",
  listCampaigns: "api/v1/emailer_campaigns/index",
  createSequence: "api/v1/sequences/create",
  updateSequence: "api/v1/sequences/update",
  approve: "api/v1/emailer_campaigns/approve",
  abort: "api/v1/emailer_campaigns/abort",
  archive: "api/v1/emailer_campaigns/archive",
  addContactIds: "api/v1/emailer_campaigns/add_contact_ids",
  removeOrStopContactIds: "api/v1/emailer_campaigns/remove_or_stop_contact_ids",
  listSchedules: "api/v1/emailer_schedules/index",
  listEmailAccounts: "api/v1/email_accounts/index"
}

export const operations: ReadonlyArray<Operation> = [
  "search",
  "getCampaign",
  "listCampaigns",
  "createSequence",
  "updateSequence",
  "approve",
  "abort",
  "archive",
  "addContactIds",
  "removeOrStopContactIds",
  "listSchedules",
  "listEmailAccounts"
]

/** Writes to one sequence: a second one while the first is processed is a 429. */
export const sequenceWrites: ReadonlySet<Operation> = new Set<Operation>([
  "updateSequence",
  "approve",
  "abort",
  "archive",
  "addContactIds"
])

/** Operations that change state (a GET on the collection creates a sequence, reportedly). */
export const writes: ReadonlySet<Operation> = new Set<Operation>([
  "listCampaigns",
  "createSequence",
  "updateSequence",
  "approve",
  "abort",
  "archive",
  "addContactIds",
  "removeOrStopContactIds"
])

export interface Route {
  readonly operation: Operation
  /** The sequence id in the path, if any. */
  readonly id: string | undefined
}

const prefix = "/api/v1/"

const campaignActions: Readonly<Record<string, Operation>> = {
  approve: "approve",
  abort: "abort",
  archive: "archive",
  add_contact_ids: "addContactIds"
}

/** `undefined` when nothing matches (a 404). Trailing slashes are tolerated, as Rails does. */
export const route = (method: string, pathname: string): Route | undefined => {
  if (!pathname.startsWith(prefix)) return undefined
  const parts = pathname
    .slice(prefix.length)
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent)
  const [head, second, third, ...rest] = parts
  if (rest.length > 0 || head === undefined) return undefined
  const one = (operation: Operation, id?: string): Route => ({ operation, id })
  if (method === "GET" && third === undefined) {
    if (head === "emailer_schedules" && second === undefined) return one("listSchedules")
    if (head === "email_accounts" && second === undefined) return one("listEmailAccounts")
    if (head === "emailer_campaigns")
      return second === undefined ? one("listCampaigns") : one("getCampaign", second)
    return undefined
  }
  if (method === "POST" && head === "emailer_campaigns" && second !== undefined) {
    if (third === undefined) {
      if (second === "search") return one("search")
      if (second === "remove_or_stop_contact_ids") return one("removeOrStopContactIds")
      return undefined
    }
    const action = campaignActions[third]
    return action === undefined ? undefined : one(action, second)
  }
  if (head === "sequences" && third === undefined) {
    if (method === "POST" && second === undefined) return one("createSequence")
    if (method === "PUT" && second !== undefined) return one("updateSequence", second)
  }
  return undefined
}
