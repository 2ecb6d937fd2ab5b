/**
 * Every Apollo sequence endpoint the client calls, as pipeline calls: method, path, query (Apollo
 * reads most parameters from the query string), the Schema-encoded body and the answer's schema.
 * Reads and idempotent writes (GET, PUT, approve/abort/archive, search, remove/stop) are safe to
 * repeat; creates and enrolments are not.
 *
 * `GET /emailer_campaigns` without an id is never called: it creates a sequence on Apollo.
 */
import { HttpPipeline as P } from "@unisequence/core"
import type { Operation } from "./errors.js"
import * as W from "./wire.js"

type Call<A> = P.Call<A> & { readonly operation: Operation }

type Query = Array<readonly [string, string]>

const id = (value: string) => encodeURIComponent(value)

const searchResponse = P.json(W.SearchResponse)
const sequenceDetail = P.json(W.SequenceDetail)
const updateResponse = P.json(W.UpdateResponse)
const actionResponse = P.json(W.ActionResponse)
const addContactsResponse = P.json(W.AddContactsResponse)
const removeOrStopResponse = P.json(W.RemoveOrStopResponse)
const schedulesResponse = P.json(W.SchedulesResponse)
const emailAccountsResponse = P.json(W.EmailAccountsResponse)

/** `POST /emailer_campaigns/search`: parameters in the query, as the document lists them; no body. */
export const searchSequences = (params: W.SearchParams): Call<W.SearchResponse> => {
  const query: Query = []
  if (params.q_name !== undefined) query.push(["q_name", params.q_name])
  if (params.page !== undefined) query.push(["page", String(params.page)])
  if (params.per_page !== undefined) query.push(["per_page", String(params.per_page)])
  return {
    operation: "searchSequences",
    method: "POST",
    path: "/emailer_campaigns/search",
    urlParams: query,
    answer: searchResponse,
    idempotent: true
  }
}

/** Always with an id: the bare collection path creates a sequence on Apollo. */
export const getSequence = (sequenceId: string): Call<W.SequenceDetail> => ({
  operation: "getSequence",
  method: "GET",
  path: `/emailer_campaigns/${id(sequenceId)}`,
  answer: sequenceDetail,
  idempotent: true,
  sequenceId
})

export const createSequence = (body: W.CreateSequenceBody): Call<W.SequenceDetail> => ({
  operation: "createSequence",
  method: "POST",
  path: "/sequences",
  body: P.body(W.CreateSequenceBody, body),
  answer: sequenceDetail,
  idempotent: false
})

export const updateSequence = (sequenceId: string, body: W.UpdateSequenceBody): Call<W.UpdateResponse> => ({
  operation: "updateSequence",
  method: "PUT",
  path: `/sequences/${id(sequenceId)}`,
  body: P.body(W.UpdateSequenceBody, body),
  answer: updateResponse,
  idempotent: true,
  sequenceId
})

export type Action = "approve" | "abort" | "archive"

export const action = (operation: Action, sequenceId: string): Call<W.ActionResponse> => ({
  operation,
  method: "POST",
  path: `/emailer_campaigns/${id(sequenceId)}/${operation}`,
  answer: actionResponse,
  idempotent: true,
  sequenceId
})

/** Parameters in the query (`contact_ids[]=…`), arrays as `name[]`. */
export const addContactIds = (
  sequenceId: string,
  params: W.AddContactIdsParams
): Call<W.AddContactsResponse> => {
  const query: Query = [["emailer_campaign_id", sequenceId]]
  for (const contact of params.contactIds ?? []) query.push(["contact_ids[]", contact])
  for (const label of params.labelNames ?? []) query.push(["label_names[]", label])
  // The document names it without brackets (string or array, the query's default form: repeated).
  const from = params.sendEmailFromEmailAccountId
  for (const account of typeof from === "string" ? [from] : from)
    query.push(["send_email_from_email_account_id", account])
  const optional: ReadonlyArray<readonly [string, string | boolean | undefined]> = [
    ["send_email_from_email_address", params.sendEmailFromEmailAddress],
    ["sequence_no_email", params.sequenceNoEmail],
    ["sequence_unverified_email", params.sequenceUnverifiedEmail],
    ["sequence_job_change", params.sequenceJobChange],
    ["sequence_active_in_other_campaigns", params.sequenceActiveInOtherCampaigns],
    ["sequence_finished_in_other_campaigns", params.sequenceFinishedInOtherCampaigns],
    ["sequence_same_company_in_same_campaign", params.sequenceSameCompanyInSameCampaign],
    ["contacts_without_ownership_permission", params.contactsWithoutOwnershipPermission],
    ["add_if_in_queue", params.addIfInQueue],
    ["contact_verification_skipped", params.contactVerificationSkipped],
    ["user_id", params.userId],
    ["status", params.status],
    ["auto_unpause_at", params.autoUnpauseAt]
  ]
  for (const [name, value] of optional) if (value !== undefined) query.push([name, String(value)])
  return {
    operation: "addContactIds",
    method: "POST",
    path: `/emailer_campaigns/${id(sequenceId)}/add_contact_ids`,
    urlParams: query,
    answer: addContactsResponse,
    idempotent: false,
    sequenceId
  }
}

export const removeOrStopContactIds = (params: W.RemoveOrStopParams): Call<W.RemoveOrStopResponse> => ({
  operation: "removeOrStopContactIds",
  method: "POST",
  path: "/emailer_campaigns/remove_or_stop_contact_ids",
  urlParams: [
    ...params.sequenceIds.map((sequence) => ["emailer_campaign_ids[]", sequence] as const),
    ...params.contactIds.map((contact) => ["contact_ids[]", contact] as const),
    ["mode", params.mode]
  ],
  answer: removeOrStopResponse,
  idempotent: true,
  // A 404 here names the sequence ids of the query (Apollo answers "Record not found.").
  sequenceId: params.sequenceIds.join(",")
})

export const listSchedules: Call<typeof W.SchedulesResponse.Type> = {
  operation: "listSchedules",
  method: "GET",
  path: "/emailer_schedules",
  answer: schedulesResponse,
  idempotent: true
}

export const listEmailAccounts: Call<typeof W.EmailAccountsResponse.Type> = {
  operation: "listEmailAccounts",
  method: "GET",
  path: "/email_accounts",
  answer: emailAccountsResponse,
  idempotent: true
}
