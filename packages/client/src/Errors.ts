/**
 * The errors a client's Promises reject with: real `Error` subclasses, one per failure of the
 * Effect API, so that both `err instanceof SequenceNotFound` and `err._tag === "SequenceNotFound"`
 * work. Each keeps the Effect error it was made from as `cause`; messages are the same readable
 * text and never carry a key.
 *
 * @example
 * ```ts
 * import { memory, SequenceNotFound, UnisequenceError } from "@unisequence/client"
 *
 * const client = memory()
 * try {
 *   await client.get("missing")
 * } catch (error) {
 *   if (error instanceof SequenceNotFound) console.log(`no sequence ${error.sequenceId}`)
 *   else if (error instanceof UnisequenceError && error.isRetryable) console.log("try again later")
 *   else throw error
 * } finally {
 *   await client.close()
 * }
 * ```
 *
 * @module
 */
import type { Journal, SequenceError as Core, SequenceFile } from "@unisequence/core"
import { Duration } from "effect"

/**
 * One broken rule at a field path such as `steps[2].delay.value`.
 *
 * @example
 * ```ts
 * import { InvalidInput, type Issue } from "@unisequence/client"
 *
 * const issuesOf = (error: unknown): ReadonlyArray<Issue> => (error instanceof InvalidInput ? error.issues : [])
 * ```
 */
export interface Issue {
  readonly path: string
  readonly message: string
}

/**
 * Where a sequence file is wrong: the field path, and the line and column when known.
 *
 * @example
 * ```ts
 * import type { FileIssue } from "@unisequence/client"
 *
 * const line = (issue: FileIssue) => `${issue.line ?? "?"}:${issue.column ?? "?"} ${issue.path}: ${issue.message}`
 * ```
 */
export interface FileIssue {
  readonly path: string
  readonly line?: number | undefined
  readonly column?: number | undefined
  readonly message: string
}

/**
 * The base of every error this package throws.
 *
 * @example
 * ```ts
 * import { memory, UnisequenceError } from "@unisequence/client"
 *
 * const client = memory()
 * await client.get("").catch((error: unknown) => {
 *   if (error instanceof UnisequenceError) console.log(error._tag, error.isRetryable)
 * })
 * await client.close()
 * ```
 */
export abstract class UnisequenceError extends Error {
  /** Which failure this is, as in the Effect API (`"SequenceNotFound"`, …). */
  abstract readonly _tag: string
  /** Whether the same call may succeed later (rate limits, outages, conflicts). */
  abstract readonly isRetryable: boolean
  constructor(message: string, cause: unknown) {
    super(message, { cause })
  }
  override get name(): string {
    return this._tag
  }
}

/**
 * A failure of a provider operation: it says which provider and which operation.
 *
 * @example
 * ```ts
 * import { memory, ProviderError } from "@unisequence/client"
 *
 * const client = memory()
 * await client.remove("missing").catch((error: unknown) => {
 *   if (error instanceof ProviderError) console.log(`${error.provider} ${error.operation} failed`)
 * })
 * await client.close()
 * ```
 */
export abstract class ProviderError extends UnisequenceError {
  /** `"kit"`, `"apollo"` or `"memory"`. */
  readonly provider: string
  /** The operation that failed (`"get"`, `"update"`, …) or the HTTP call behind it. */
  readonly operation: string
  constructor(error: { readonly provider: string; readonly operation: string; readonly message: string }) {
    super(error.message, error)
    this.provider = error.provider
    this.operation = error.operation
  }
}

/** The base of the errors made from an Effect error that names no provider (a file, a journal). */
abstract class FromEffect extends UnisequenceError {
  constructor(error: { readonly message: string }) {
    super(error.message, error)
  }
}

/**
 * Makes the class of one Effect error: on `Base`, with its `_tag`, whether it is retryable, and the
 * fields `fields` reads from the Effect error (the message, provider and operation come from `Base`).
 * Each public error class extends what this returns, so `instanceof` works and its name is its own.
 */
const errorClass = <E extends EffectError, B extends UnisequenceError, F extends object>(
  Base: abstract new (error: E) => B,
  tag: E["_tag"],
  isRetryable: boolean,
  fields: (error: E) => F
) => {
  const Root: abstract new (error: E) => UnisequenceError = Base
  class Tagged extends Root {
    readonly _tag: E["_tag"] = tag
    readonly isRetryable: boolean = isRetryable
    constructor(error: E) {
      super(error)
      Object.assign(this, fields(error))
    }
  }
  // What `Base` adds (a provider error's provider and operation) and the fields assigned above.
  return Tagged as unknown as new (
    error: E
  ) => B & { readonly _tag: E["_tag"]; readonly isRetryable: boolean } & Readonly<F>
}

/**
 * No sequence has this id.
 *
 * @example
 * ```ts
 * import { memory, SequenceNotFound } from "@unisequence/client"
 *
 * const client = memory()
 * const found = await client.get("42").catch((error: unknown) => {
 *   if (error instanceof SequenceNotFound) return undefined
 *   throw error
 * })
 * console.log(found) // undefined
 * await client.close()
 * ```
 */
export class SequenceNotFound extends errorClass(
  ProviderError,
  "SequenceNotFound",
  false,
  (error: Core.SequenceNotFound) => ({ sequenceId: error.sequenceId })
) {}

/**
 * The sequence has no step with this id.
 *
 * @example
 * ```ts
 * import { memory, StepNotFound } from "@unisequence/client"
 *
 * const client = memory()
 * const { id } = await client.create({ name: "Welcome", steps: [] })
 * await client.removeStep(id, "nope").catch((error: unknown) => {
 *   if (error instanceof StepNotFound) console.log(`no step ${error.stepId}`)
 * })
 * await client.close()
 * ```
 */
export class StepNotFound extends errorClass(
  ProviderError,
  "StepNotFound",
  false,
  (error: Core.StepNotFound) => ({ sequenceId: error.sequenceId, stepId: error.stepId })
) {}

/**
 * The provider refused the key or token.
 *
 * @example
 * ```ts
 * import { AuthenticationFailed, kit } from "@unisequence/client"
 *
 * const client = kit({ apiKey: "wrong", baseUrl: "http://127.0.0.1:9" })
 * await client.get("1").catch((error: unknown) => {
 *   if (error instanceof AuthenticationFailed) console.log("check KIT_API_KEY")
 * })
 * await client.close()
 * ```
 */
export class AuthenticationFailed extends errorClass(
  ProviderError,
  "AuthenticationFailed",
  false,
  (error: Core.AuthenticationFailed) => ({ detail: error.detail })
) {}

/**
 * The key is valid but may not do this (an Apollo key without the scope, for example).
 *
 * @example
 * ```ts
 * import { PermissionDenied } from "@unisequence/client"
 *
 * const explain = (error: unknown) =>
 *   error instanceof PermissionDenied ? `missing scope ${error.requiredScope ?? "?"}` : String(error)
 * console.log(explain(new Error("other")))
 * ```
 */
export class PermissionDenied extends errorClass(
  ProviderError,
  "PermissionDenied",
  false,
  (error: Core.PermissionDenied) => ({
    reason: error.reason,
    /** The scope the key lacks, when the provider names it. */
    requiredScope: error.requiredScope
  })
) {}

/**
 * The input broke a rule; nothing was sent. `issues` names every broken rule at its path.
 *
 * @example
 * ```ts
 * import { InvalidInput, memory } from "@unisequence/client"
 *
 * const client = memory()
 * await client
 *   .create({ name: "", steps: [] })
 *   .catch((error: unknown) => {
 *     if (error instanceof InvalidInput) for (const issue of error.issues) console.log(issue.path, issue.message)
 *   })
 * await client.close()
 * ```
 */
export class InvalidInput extends errorClass(
  ProviderError,
  "InvalidInput",
  false,
  (error: Core.InvalidInput) => ({
    issues: error.issues.map((issue): Issue => ({ path: issue.path, message: issue.message }))
  })
) {}

/**
 * The provider cannot hold what was asked (translate the sequence first to convert it with warnings).
 *
 * @example
 * ```ts
 * import { Unsupported } from "@unisequence/client"
 *
 * const isUnsupported = (error: unknown): error is Unsupported => error instanceof Unsupported
 * console.log(isUnsupported(new Error("x"))) // false
 * ```
 */
export class Unsupported extends errorClass(
  ProviderError,
  "Unsupported",
  false,
  (error: Core.Unsupported) => ({ feature: error.feature, detail: error.detail })
) {}

/**
 * The provider's rate limit was hit (after the client's own retries). `retryAfter` is in milliseconds,
 * when the provider said how long to wait.
 *
 * @example
 * ```ts
 * import { RateLimited } from "@unisequence/client"
 *
 * const waitFor = (error: unknown) => (error instanceof RateLimited ? (error.retryAfter ?? 60_000) : 0)
 * console.log(waitFor(new Error("x"))) // 0
 * ```
 */
export class RateLimited extends errorClass(
  ProviderError,
  "RateLimited",
  true,
  (error: Core.RateLimited) => ({
    /** Milliseconds the provider asked to wait, when it said. */
    retryAfter: error.retryAfter === undefined ? undefined : Duration.toMillis(error.retryAfter),
    detail: error.detail
  })
) {}

/**
 * The provider refused a write that clashes with another (Apollo's "already processing").
 *
 * @example
 * ```ts
 * import { Conflict } from "@unisequence/client"
 *
 * console.log(new Error("x") instanceof Conflict) // false
 * ```
 */
export class Conflict extends errorClass(ProviderError, "Conflict", true, (error: Core.Conflict) => ({
  reason: error.reason
})) {}

/**
 * The provider did not answer, timed out or answered 5xx (after the client's own retries).
 *
 * @example
 * ```ts
 * import { memory, ProviderUnavailable } from "@unisequence/client"
 *
 * const client = memory()
 * const sequences = await client.get("1").catch((error: unknown) =>
 *   error instanceof ProviderUnavailable ? "later" : "other"
 * )
 * console.log(sequences)
 * await client.close()
 * ```
 */
export class ProviderUnavailable extends errorClass(
  ProviderError,
  "ProviderUnavailable",
  true,
  (error: Core.ProviderUnavailable) => ({
    reason: error.reason,
    /** The HTTP status, when there was an answer. */
    status: error.status
  })
) {}

/**
 * The provider answered something that is not what its documents say.
 *
 * @example
 * ```ts
 * import { MalformedResponse } from "@unisequence/client"
 *
 * console.log(new Error("x") instanceof MalformedResponse) // false
 * ```
 */
export class MalformedResponse extends errorClass(
  ProviderError,
  "MalformedResponse",
  false,
  (error: Core.MalformedResponse) => ({ reason: error.reason, status: error.status })
) {}

/**
 * A sequence file that cannot be read or does not follow the format: one issue per problem, with its
 * line when known.
 *
 * @example
 * ```ts
 * import { memory, plan, SequenceFileError } from "@unisequence/client"
 *
 * const client = memory()
 * await plan({ file: { version: 2 }, to: client }).catch((error: unknown) => {
 *   if (error instanceof SequenceFileError) for (const issue of error.issues) console.log(issue.path, issue.message)
 * })
 * await client.close()
 * ```
 */
export class SequenceFileError extends errorClass(
  FromEffect,
  "SequenceFileError",
  false,
  (error: SequenceFile.SequenceFileError) => ({
    file: error.file,
    issues: error.issues.map((issue): FileIssue => ({ ...issue }))
  })
) {}

/**
 * The journal of a migration or an apply could not be read or written.
 *
 * @example
 * ```ts
 * import { JournalError } from "@unisequence/client"
 *
 * const where = (error: unknown) => (error instanceof JournalError ? error.location : undefined)
 * console.log(where(new Error("x"))) // undefined
 * ```
 */
export class JournalError extends errorClass(
  FromEffect,
  "JournalError",
  false,
  (error: Journal.JournalError) => ({
    /** Where the journal is kept (its file path). */
    location: error.location,
    reason: error.reason
  })
) {}

/**
 * A call on a client after `close()`.
 *
 * @example
 * ```ts
 * import { ClientClosed, memory } from "@unisequence/client"
 *
 * const client = memory()
 * await client.close()
 * await client.get("1").catch((error: unknown) => console.log(error instanceof ClientClosed)) // true
 * ```
 */
export class ClientClosed extends UnisequenceError {
  readonly _tag = "ClientClosed" as const
  readonly isRetryable = false
  readonly provider: string
  constructor(provider: string) {
    super(`the ${provider} client is closed`, undefined)
    this.provider = provider
  }
}

/**
 * Every failure of the Effect API this package converts (for code that mixes both APIs).
 *
 * @example
 * ```ts
 * import { type EffectError, fromEffectError } from "@unisequence/client"
 *
 * const toThrow = (error: EffectError): Error => fromEffectError(error)
 * ```
 */
export type EffectError = Core.SequenceError | SequenceFile.SequenceFileError | Journal.JournalError

/**
 * The `Error` subclass for a failure of the Effect API.
 *
 * @example
 * ```ts
 * import { fromEffectError, SequenceNotFound } from "@unisequence/client"
 * import { SequenceError } from "@unisequence/core"
 *
 * const error = fromEffectError(
 *   new SequenceError.SequenceNotFound({ provider: "memory", operation: "get", sequenceId: "1" })
 * )
 * console.log(error instanceof SequenceNotFound, error._tag) // true SequenceNotFound
 * ```
 */
export const fromEffectError = (error: EffectError): UnisequenceError => {
  switch (error._tag) {
    case "SequenceNotFound":
      return new SequenceNotFound(error)
    case "StepNotFound":
      return new StepNotFound(error)
    case "AuthenticationFailed":
      return new AuthenticationFailed(error)
    case "PermissionDenied":
      return new PermissionDenied(error)
    case "InvalidInput":
      return new InvalidInput(error)
    case "Unsupported":
      return new Unsupported(error)
    case "RateLimited":
      return new RateLimited(error)
    case "Conflict":
      return new Conflict(error)
    case "ProviderUnavailable":
      return new ProviderUnavailable(error)
    case "MalformedResponse":
      return new MalformedResponse(error)
    case "SequenceFileError":
      return new SequenceFileError(error)
    case "JournalError":
      return new JournalError(error)
  }
}
