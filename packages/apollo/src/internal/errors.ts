/**
 * The one place where Apollo's answers become typed `SequenceError`s. Every message that may carry
 * text from a body goes through `scrub`, so an echoed key can never reach an error.
 */
import { Duration, Either, Option, Schema } from "effect"
import { SequenceError as E } from "@unisequence/core"
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

export interface Context {
  readonly operation: Operation
  readonly sequenceId?: string | undefined
  /** Removes secrets from any text before it goes into an error. */
  readonly scrub: (text: string) => string
}

const decodeBody = Schema.decodeUnknownEither(Schema.parseJson(ErrorBody))

const parseBody = (text: string): ErrorBody | undefined =>
  Either.getOrUndefined(decodeBody(text.trim() === "" ? "{}" : text))

/** `retry-after` in seconds, or an HTTP date. */
export const parseRetryAfter = (value: string | undefined, now: number): Option.Option<Duration.Duration> => {
  if (value === undefined || value.trim() === "") return Option.none()
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Option.some(Duration.seconds(seconds))
  const at = Date.parse(value)
  return Number.isNaN(at) ? Option.none() : Option.some(Duration.millis(Math.max(0, at - now)))
}

const scopeIn = (message: string): string | undefined =>
  /(api\/v1\/[A-Za-z0-9_/{}]+?)(?:[.,;:]?\s|[.,;:]?$)/.exec(message)?.[1]

/** A 403: missing scope (`API_INACCESSIBLE`), plan restriction, or Cloudflare refusing the client. */
const forbidden = (ctx: Context, body: ErrorBody | undefined, text: string): E.PermissionDenied => {
  const said = ctx.scrub(body?.error ?? body?.message ?? E.excerpt(text))
  if (body?.error_code === "API_INACCESSIBLE" || /not (authorized|accessible)/i.test(said)) {
    const scope = scopeIn(said) ?? scopes[ctx.operation]
    return new E.PermissionDenied({
      provider,
      operation: ctx.operation,
      requiredScope: scope,
      reason: `this API key may not call ${scope}: give the key that endpoint in its scope, or use a master API key (Apollo said: ${said})`
    })
  }
  if (/error code:\s*1010/i.test(text)) {
    return new E.PermissionDenied({
      provider,
      operation: ctx.operation,
      reason: `Cloudflare refused the request (error code 1010), which it does for some default user agents: send a real User-Agent`
    })
  }
  return new E.PermissionDenied({ provider, operation: ctx.operation, reason: said })
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

/** The typed error for a non-2xx answer. */
export const fromStatus = (
  ctx: Context,
  status: number,
  text: string,
  retryAfterHeader: string | undefined,
  now: number
): E.SequenceError => {
  const { operation } = ctx
  const body = parseBody(text)
  const said = ctx.scrub(body?.error ?? body?.message ?? E.excerpt(text))
  if (status === 401) {
    // Apollo's 401 is plain text (`Invalid API key. See …`), not JSON.
    return new E.AuthenticationFailed({ provider, operation, detail: ctx.scrub(E.excerpt(text)) || "401" })
  }
  if (status === 403) return forbidden(ctx, body, text)
  if (status === 404) {
    // The single-sequence read is not in Apollo's document: an account that does not serve it answers
    // the router's page for an unknown path (not JSON), where a missing record is `{"error": …}` JSON.
    if (operation === "getSequence" && body === undefined) return readUnavailable(operation)
    return ctx.sequenceId !== undefined
      ? new E.SequenceNotFound({ provider, operation, sequenceId: ctx.sequenceId })
      : new E.MalformedResponse({
          provider,
          operation,
          status,
          reason: "404 from an endpoint that takes no id: is the base URL right?",
          excerpt: ctx.scrub(E.excerpt(text))
        })
  }
  if (status === 422 || status === 400 || status === 413) {
    const code = body?.code ?? body?.error_code
    return new E.InvalidInput({
      provider,
      operation,
      issues: [{ path: "", message: code === undefined ? said : `${said} (code ${code})` }]
    })
  }
  if (status === 429) {
    if (/already processing/i.test(said)) return new E.Conflict({ provider, operation, reason: said })
    const retryAfter = parseRetryAfter(retryAfterHeader, now)
    return new E.RateLimited({
      provider,
      operation,
      detail: said,
      ...(Option.isSome(retryAfter) ? { retryAfter: retryAfter.value } : {})
    })
  }
  if (status === 409) return new E.Conflict({ provider, operation, reason: said })
  if (status >= 500 || status === 408) {
    return new E.ProviderUnavailable({
      provider,
      operation,
      status,
      reason: `Apollo answered ${status}`,
      excerpt: ctx.scrub(E.excerpt(text))
    })
  }
  return new E.MalformedResponse({
    provider,
    operation,
    status,
    reason: `unexpected status ${status}`,
    excerpt: ctx.scrub(E.excerpt(text))
  })
}

/** Network failure: refused, reset, DNS… */
export const transport = (ctx: Context, reason: string): E.ProviderUnavailable =>
  new E.ProviderUnavailable({ provider, operation: ctx.operation, reason: ctx.scrub(reason) })

export const timedOut = (ctx: Context, after: Duration.Duration): E.ProviderUnavailable =>
  new E.ProviderUnavailable({
    provider,
    operation: ctx.operation,
    reason: `no complete answer within ${Duration.format(after)}`
  })

/** A 2xx body that is not JSON or not the documented shape. */
export const malformed = (ctx: Context, status: number, reason: string, text: string): E.MalformedResponse =>
  new E.MalformedResponse({
    provider,
    operation: ctx.operation,
    status,
    reason: ctx.scrub(reason),
    excerpt: ctx.scrub(E.excerpt(text))
  })

/** Apollo's 422 to approve/abort when the sequence is already in that state. */
export const isAlreadyInState = (error: E.SequenceError): boolean =>
  error._tag === "InvalidInput" &&
  error.issues.some((issue) => /\balready (active|inactive)\b/i.test(issue.message))
