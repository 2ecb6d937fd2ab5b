/**
 * Kit's statuses mapped to the neutral errors: core's one status mapping, given Kit's error body
 * (`{ "errors": [...] }`) and its one special case (a taken position is a conflict). Bodies are cut
 * to a short excerpt; the pipeline scrubs the credential from a body before it gets here.
 */
import { HttpPipeline, SequenceError as Errors } from "@unisequence/core"
import { Either, Schema } from "effect"
import { ErrorBody } from "./wire.js"

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

/** Kit's words when an email's position is already held by another email of the sequence. */
export const isTaken = (message: string): boolean =>
  /^position has already been taken\b/i.test(message.trim())

/** Kit's messages start with the wire field they are about (`send_hour must be…`): use it as the path. */
const issuePath = (message: string): string => {
  const field = /^([a-z_]+) (?:must|can't|is|has)\b/.exec(message)?.[1]
  return field ?? ""
}

/** The neutral error of a non-2xx answer, for the pipeline. */
export const statusError = HttpPipeline.statusErrors({
  provider,
  displayName: "Kit",
  errorBody: ErrorBody,
  messages: (body) => body.errors,
  issuePath,
  special: (failure, body) => {
    const messages = body?.errors ?? []
    // Another writer took the position between our read and this write: try again, not a bad input.
    if (failure.status === 422 && messages.length > 0 && messages.every(isTaken))
      return new Errors.Conflict({ provider, operation: failure.operation, reason: messages.join("; ") })
    return undefined
  }
})

/** The neutral error for a non-2xx answer (Kit sends no `retry-after`: the limiter decides the wait). */
export const fromStatus = (options: {
  readonly operation: string
  readonly status: number
  readonly body: string
  readonly notFound?: NotFound | undefined
}): SequenceError =>
  statusError({
    operation: options.operation,
    status: options.status,
    text: options.body,
    now: 0,
    sequenceId: options.notFound?.sequenceId,
    stepId: options.notFound?._tag === "Step" ? options.notFound.stepId : undefined
  })
