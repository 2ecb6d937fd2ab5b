/**
 * Kit's statuses mapped to the neutral errors, in one place. Bodies are cut to a short excerpt; the
 * credential is never part of what is mapped (only status and body are), so it cannot leak here.
 */
import { SequenceError as Errors } from "@unisequence/core"
import { Either, Schema } from "effect"
import { ErrorBody } from "./wire.js"

const {
  AuthenticationFailed,
  Conflict,
  excerpt,
  InvalidInput,
  MalformedResponse,
  PermissionDenied,
  ProviderUnavailable,
  RateLimited,
  SequenceNotFound,
  StepNotFound
} = Errors
type SequenceError = Errors.SequenceError

const provider = "kit" as const

/** What a 404 means for the call that got it. */
export type NotFound =
  | { readonly _tag: "Sequence"; readonly sequenceId: string }
  | { readonly _tag: "Step"; readonly sequenceId: string; readonly stepId: string }

const decodeErrors = Schema.decodeUnknownEither(Schema.parseJson(ErrorBody))

/** Kit's `errors` array, or `undefined` when the body is not `{ "errors": [...] }`. */
export const kitMessages = (body: string): ReadonlyArray<string> | undefined =>
  Either.getOrUndefined(decodeErrors(body))?.errors

/** The neutral error for a non-2xx answer. */
export const fromStatus = (options: {
  readonly operation: string
  readonly status: number
  readonly body: string
  readonly notFound?: NotFound | undefined
}): SequenceError => {
  const { operation, status, body } = options
  const messages = kitMessages(body)
  const said = messages?.join("; ") ?? excerpt(body)
  switch (true) {
    case status === 401:
      return new AuthenticationFailed({ provider, operation, detail: said === "" ? "status 401" : said })
    case status === 403:
      return new PermissionDenied({ provider, operation, reason: said === "" ? "status 403" : said })
    case status === 404: {
      const notFound = options.notFound
      if (notFound?._tag === "Step") {
        return new StepNotFound({
          provider,
          operation,
          sequenceId: notFound.sequenceId,
          stepId: notFound.stepId
        })
      }
      if (notFound?._tag === "Sequence") {
        return new SequenceNotFound({ provider, operation, sequenceId: notFound.sequenceId })
      }
      return new MalformedResponse({
        provider,
        operation,
        reason: "unexpected 404",
        status,
        excerpt: excerpt(body)
      })
    }
    case status === 422 && messages !== undefined && messages.length > 0 && messages.every(isTaken):
      // Another writer took the position between our read and this write: try again, not a bad input.
      return new Conflict({ provider, operation, reason: messages.join("; ") })
    case status === 422:
      return new InvalidInput({
        provider,
        operation,
        issues: (messages ?? [excerpt(body)]).map((message) => ({ path: issuePath(message), message }))
      })
    case status === 429:
      // Kit answers the plain text `Retry later`, without Retry-After: the limiter decides the wait.
      return new RateLimited({ provider, operation, detail: excerpt(body, 60) })
    case status >= 500:
      return new ProviderUnavailable({
        provider,
        operation,
        reason: `Kit answered ${status}`,
        status,
        excerpt: excerpt(body)
      })
    default:
      return new MalformedResponse({
        provider,
        operation,
        reason: `unexpected status ${status}`,
        status,
        excerpt: excerpt(body)
      })
  }
}

/** Kit's words when an email's position is already held by another email of the sequence. */
export const isTaken = (message: string): boolean =>
  /^position has already been taken\b/i.test(message.trim())

/** Kit's messages start with the wire field they are about (`send_hour must be…`): use it as the path. */
const issuePath = (message: string): string => {
  const field = /^([a-z_]+) (?:must|can't|is|has)\b/.exec(message)?.[1]
  return field ?? ""
}

/** A transport failure: connection refused or reset, DNS, a body cut short. */
export const unavailable = (operation: string, reason: string, status?: number): Errors.ProviderUnavailable =>
  new ProviderUnavailable({ provider, operation, reason, ...(status === undefined ? {} : { status }) })

/** A 2xx body that is not what the documents describe. */
export const malformed = (
  operation: string,
  reason: string,
  status: number,
  body: string
): Errors.MalformedResponse =>
  new MalformedResponse({ provider, operation, reason, status, excerpt: excerpt(body) })
