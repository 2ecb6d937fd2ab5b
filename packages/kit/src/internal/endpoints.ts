/**
 * Every Kit v4 sequence endpoint the client calls, as pipeline calls: method, path, query, the
 * Schema-encoded body and the answer's schema. Reads, updates and deletes are safe to repeat; creates
 * and adds are not (only a 429, which Kit answers before doing anything, is retried).
 */
import { HttpPipeline as P } from "@unisequence/core"
import { Schema } from "effect"
import * as Wire from "./wire.js"

type Call<A> = P.Call<A>

export type Id = number | string

export interface Page {
  readonly after?: string | undefined
  readonly before?: string | undefined
  readonly pageSize: number
  readonly includeTotalCount?: boolean | undefined
}

export interface SubscriberFilters {
  readonly status?: Wire.SubscriberStatusFilter | undefined
  readonly addedAfter?: string | undefined
  readonly addedBefore?: string | undefined
  readonly createdAfter?: string | undefined
  readonly createdBefore?: string | undefined
}

const id = (value: Id) => encodeURIComponent(String(value))

/** Query pairs, the absent ones left out. */
const query = (
  pairs: ReadonlyArray<readonly [string, string | undefined]>
): ReadonlyArray<readonly [string, string]> =>
  pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined)

const pageQuery = (page: Page): ReadonlyArray<readonly [string, string | undefined]> => [
  ["after", page.after],
  ["before", page.before],
  ["per_page", String(page.pageSize)],
  ["include_total_count", page.includeTotalCount === true ? "true" : undefined]
]

/** The empty object Kit expects as the body of an add by id. */
const NoFields = Schema.Struct({})

// Fields the schemas do not name are kept (`Sequence.raw`), so translation can warn about them.
const preserve = { onExcessProperty: "preserve" } as const
const sequencesPage = P.json(Wire.SequencesPage, preserve)
const sequenceEnvelope = P.json(Wire.SequenceEnvelope, preserve)
const emailsPage = P.json(Wire.EmailsPage, preserve)
const emailEnvelope = P.json(Wire.EmailEnvelope, preserve)
const subscribersPage = P.json(Wire.SubscribersPage, preserve)
const subscriberEnvelope = P.json(Wire.SubscriberEnvelope, preserve)

export const listSequences = (page: Page): Call<Wire.SequencesPage> => ({
  operation: "listSequences",
  method: "GET",
  path: "/v4/sequences",
  urlParams: query(pageQuery(page)),
  answer: sequencesPage,
  idempotent: true
})

export const createSequence = (body: Wire.CreateSequenceBody): Call<typeof Wire.SequenceEnvelope.Type> => ({
  operation: "createSequence",
  method: "POST",
  path: "/v4/sequences",
  body: P.body(Wire.CreateSequenceBody, body),
  answer: sequenceEnvelope,
  idempotent: false
})

export const getSequence = (sequenceId: Id): Call<typeof Wire.SequenceEnvelope.Type> => ({
  operation: "getSequence",
  method: "GET",
  path: `/v4/sequences/${id(sequenceId)}`,
  answer: sequenceEnvelope,
  idempotent: true,
  sequenceId: String(sequenceId)
})

export const updateSequence = (
  sequenceId: Id,
  body: Wire.SequenceBody
): Call<typeof Wire.SequenceEnvelope.Type> => ({
  operation: "updateSequence",
  method: "PUT",
  path: `/v4/sequences/${id(sequenceId)}`,
  body: P.body(Wire.SequenceBody, body),
  answer: sequenceEnvelope,
  idempotent: true,
  sequenceId: String(sequenceId)
})

export const deleteSequence = (sequenceId: Id): Call<void> => ({
  operation: "deleteSequence",
  method: "DELETE",
  path: `/v4/sequences/${id(sequenceId)}`,
  answer: P.noContent,
  idempotent: true,
  sequenceId: String(sequenceId)
})

export const listEmails = (
  sequenceId: Id,
  page: Page & { readonly includeContent?: boolean | undefined }
): Call<Wire.EmailsPage> => ({
  operation: "listEmails",
  method: "GET",
  path: `/v4/sequences/${id(sequenceId)}/emails`,
  urlParams: query([...pageQuery(page), ["include_content", page.includeContent ? "true" : undefined]]),
  answer: emailsPage,
  idempotent: true,
  sequenceId: String(sequenceId)
})

export const createEmail = (
  sequenceId: Id,
  body: Wire.CreateEmailBody
): Call<typeof Wire.EmailEnvelope.Type> => ({
  operation: "createEmail",
  method: "POST",
  path: `/v4/sequences/${id(sequenceId)}/emails`,
  body: P.body(Wire.CreateEmailBody, body),
  answer: emailEnvelope,
  idempotent: false,
  sequenceId: String(sequenceId)
})

export const getEmail = (sequenceId: Id, emailId: Id): Call<typeof Wire.EmailEnvelope.Type> => ({
  operation: "getEmail",
  method: "GET",
  path: `/v4/sequences/${id(sequenceId)}/emails/${id(emailId)}`,
  answer: emailEnvelope,
  idempotent: true,
  sequenceId: String(sequenceId),
  stepId: String(emailId)
})

export const updateEmail = (
  sequenceId: Id,
  emailId: Id,
  body: Wire.EmailBody
): Call<typeof Wire.EmailEnvelope.Type> => ({
  operation: "updateEmail",
  method: "PUT",
  path: `/v4/sequences/${id(sequenceId)}/emails/${id(emailId)}`,
  body: P.body(Wire.EmailBody, body),
  answer: emailEnvelope,
  idempotent: true,
  sequenceId: String(sequenceId),
  stepId: String(emailId)
})

export const deleteEmail = (sequenceId: Id, emailId: Id): Call<void> => ({
  operation: "deleteEmail",
  method: "DELETE",
  path: `/v4/sequences/${id(sequenceId)}/emails/${id(emailId)}`,
  answer: P.noContent,
  idempotent: true,
  sequenceId: String(sequenceId),
  stepId: String(emailId)
})

export const listSubscribers = (
  sequenceId: Id,
  page: Page & SubscriberFilters
): Call<Wire.SubscribersPage> => ({
  operation: "listSubscribers",
  method: "GET",
  path: `/v4/sequences/${id(sequenceId)}/subscribers`,
  urlParams: query([
    ...pageQuery(page),
    ["status", page.status],
    ["added_after", page.addedAfter],
    ["added_before", page.addedBefore],
    ["created_after", page.createdAfter],
    ["created_before", page.createdBefore]
  ]),
  answer: subscribersPage,
  idempotent: true,
  sequenceId: String(sequenceId)
})

export const addSubscriberByEmail = (
  sequenceId: Id,
  emailAddress: string
): Call<typeof Wire.SubscriberEnvelope.Type> => ({
  operation: "addSubscriberByEmail",
  method: "POST",
  path: `/v4/sequences/${id(sequenceId)}/subscribers`,
  body: P.body(Wire.AddSubscriberBody, { email_address: emailAddress }),
  answer: subscriberEnvelope,
  idempotent: false,
  sequenceId: String(sequenceId)
})

export const addSubscriberById = (
  sequenceId: Id,
  subscriberId: Id
): Call<typeof Wire.SubscriberEnvelope.Type> => ({
  operation: "addSubscriberById",
  method: "POST",
  path: `/v4/sequences/${id(sequenceId)}/subscribers/${id(subscriberId)}`,
  body: P.body(NoFields, {}),
  answer: subscriberEnvelope,
  idempotent: false,
  sequenceId: String(sequenceId)
})
