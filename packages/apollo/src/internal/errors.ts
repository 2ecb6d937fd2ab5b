/**
 * The one place where Apollo's answers become typed `SequenceError`s. Every message that may carry
 * text from a body goes through `scrub`, so an echoed key can never reach an error.
 */
import { HttpPipeline, SequenceError as E } from "@unisequence/core"
import { ErrorBody } from "./wire.js"

const provider = "apollo" as const

/** The API-key scope Apollo names for each client call (its document's "API key access"). */
export const scopes = {
  searchSequences: "api/v1/emailer_campaigns/search",
  getSequence: "api/v1/emailer_campaigns/show",
  createSequence: "api/v1/sequences/create",
  updateSequence: "api/v1/sequences/update",
  approve: "api/v1/emailer_campaigns/approve",
  abort: "api/v1/emailer_campaigns/abort",
  archive: "api/v1/emailer_campaigns/archive",
  addContactIds: "api/v1/emailer_campaigns/add_contact_ids",
  removeOrStopContactIds: "api/v1/emailer_campaigns/remove_or_stop_contact_ids",
  listSchedules: "api/v1/emailer_schedules/index",
  listEmailAccounts: "api/v1/email_accounts/index"
} as const
export type Operation = keyof typeof scopes

const isOperation = (operation: string): operation is Operation => Object.hasOwn(scopes, operation)

/** The scope of a client call, by its name. */
const scopeOf = (operation: string): string =>
  isOperation(operation) ? scopes[operation] : `api/v1/${operation}`

export interface Context {
  readonly operation: Operation
  readonly sequenceId?: string | undefined
  /** Removes secrets from any text before it goes into an error. */
  readonly scrub: (text: string) => string
}

/** `retry-after` in seconds, or an HTTP date. */
export const parseRetryAfter = HttpPipeline.parseRetryAfter

const scopeIn = (message: string): string | undefined =>
  /(api\/v1\/[A-Za-z0-9_/{}]+?)(?:[.,;:]?\s|[.,;:]?$)/.exec(message)?.[1]

/** A 403: missing scope (`API_INACCESSIBLE`), plan restriction, or Cloudflare refusing the client. */
const forbidden = (operation: string, body: ErrorBody | undefined, text: string): E.PermissionDenied => {
  const said = body?.error ?? body?.message ?? E.excerpt(text)
  if (body?.error_code === "API_INACCESSIBLE" || /not (authorized|accessible)/i.test(said)) {
    const scope = scopeIn(said) ?? scopeOf(operation)
    return new E.PermissionDenied({
      provider,
      operation,
      requiredScope: scope,
      reason: `this API key may not call ${scope}: give the key that endpoint in its scope, or use a master API key (Apollo said: ${said})`
    })
  }
  if (/error code:\s*1010/i.test(text)) {
    return new E.PermissionDenied({
      provider,
      operation,
      reason: `Cloudflare refused the request (error code 1010), which it does for some default user agents: send a real User-Agent`
    })
  }
  return new E.PermissionDenied({ provider, operation, reason: said })
}

/** The path of Apollo's single-sequence read, which its document does not list. */
export const readOneSequencePath = "GET /api/v1/emailer_campaigns/{id}"

/** Reading a sequence where the account does not serve `GET /emailer_campaigns/{id}`. */
export const readUnavailable = (operation: string): E.Unsupported =>
  new E.Unsupported({
    provider,
    operation,
    feature: readOneSequencePath,
    detail:
      "this Apollo account does not serve it (Apollo's document does not list it), and a sequence's steps and touches cannot be read without it"
  })

/** The typed error of a non-2xx answer, for the pipeline: core's mapping with Apollo's cases. */
export const statusError = HttpPipeline.statusErrors({
  provider,
  displayName: "Apollo",
  errorBody: ErrorBody,
  messages: (body) => {
    const said = body.error ?? body.message
    return said === undefined || said === null ? [] : [said]
  },
  invalidInput: [400, 413, 422],
  conflict: [409],
  unavailable: [408],
  special: (failure, body, said) => {
    const { operation, status, text } = failure
    // Apollo's 401 is plain text (`Invalid API key. See …`), not JSON.
    if (status === 401)
      return new E.AuthenticationFailed({ provider, operation, detail: E.excerpt(text) || "401" })
    if (status === 403) return forbidden(operation, body, text)
    // The single-sequence read is not in Apollo's document: an account that does not serve it answers
    // the router's page for an unknown path (not JSON), where a missing record is `{"error": …}` JSON.
    if (status === 404 && operation === "getSequence" && body === undefined) return readUnavailable(operation)
    if (status === 400 || status === 413 || status === 422) {
      const code = body?.code ?? body?.error_code
      return new E.InvalidInput({
        provider,
        operation,
        issues: [{ path: "", message: code === undefined || code === null ? said : `${said} (code ${code})` }]
      })
    }
    if (status === 429 && /already processing/i.test(said))
      return new E.Conflict({ provider, operation, reason: said })
    return undefined
  }
})

/** The typed error for a non-2xx answer, the body scrubbed first. */
export const fromStatus = (
  ctx: Context,
  status: number,
  text: string,
  retryAfterHeader: string | undefined,
  now: number
): E.SequenceError =>
  statusError({
    operation: ctx.operation,
    status,
    text: ctx.scrub(text),
    retryAfter: retryAfterHeader,
    now,
    sequenceId: ctx.sequenceId
  })

/** Apollo's 422 to approve/abort when the sequence is already in that state. */
export const isAlreadyInState = (error: E.SequenceError): boolean =>
  error._tag === "InvalidInput" &&
  error.issues.some((issue) => /\balready (active|inactive)\b/i.test(issue.message))
