/**
 * The closed union of failures every `Sequences` operation can end with. Adapters map their
 * provider's statuses to these in one internal module each; callers handle them with
 * `Effect.catchTags`.
 *
 * @example
 * ```ts
 * import { Memory, Sequences } from "@unisequence/core"
 * import { Effect } from "effect"
 *
 * const name = Effect.gen(function* () {
 *   const sequences = yield* Sequences.Sequences
 *   return (yield* sequences.get("42")).name
 * }).pipe(
 *   Effect.catchTags({
 *     SequenceNotFound: (e) => Effect.succeed(`no sequence ${e.sequenceId}`),
 *     RateLimited: (e) => Effect.succeed(`retry later (${e.isRetryable})`)
 *   }),
 *   Effect.catchAll((e) => Effect.succeed(e.message))
 * )
 * console.log(await Effect.runPromise(name.pipe(Effect.provide(Memory.layer()))))
 * ```
 *
 * @module
 */
import { Duration, Option, Predicate, Schema } from "effect"
import { ProviderId } from "./Sequence.js"

/** Marks every `SequenceError`, so that `isSequenceError` needs no list of tags. */
export const TypeId: unique symbol = Symbol.for("@unisequence/core/SequenceError")
export type TypeId = typeof TypeId

const common = {
  provider: ProviderId,
  /** The neutral operation (`get`, `update`, …) or the client call that failed. */
  operation: Schema.String,
  /**
   * The id of a sequence a failed `create` wrote part of and could not remove: it is on the provider,
   * incomplete, until someone removes it.
   */
  leftBehind: Schema.optional(Schema.String)
}

/** What a provider's unusable answer said: why it failed, its status, the start of its body (scrubbed). */
const answered = {
  reason: Schema.String,
  status: Schema.optional(Schema.Number),
  excerpt: Schema.optional(Schema.String)
}

/** ` (status 502)`, or nothing when no answer came. */
const statusOf = (e: { readonly status?: number | undefined }) =>
  e.status === undefined ? "" : ` (status ${e.status})`

const where = (e: {
  readonly provider: string
  readonly operation: string
  readonly leftBehind?: string | undefined
}) =>
  `${e.provider} ${e.operation}${e.leftBehind === undefined ? "" : ` (sequence ${e.leftBehind} is left partly written: removing it failed too)`}`

export class SequenceNotFound extends Schema.TaggedError<SequenceNotFound>()("SequenceNotFound", {
  ...common,
  sequenceId: Schema.String
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: sequence ${this.sequenceId} was not found`
  }
  get isRetryable() {
    return false
  }
}

export class StepNotFound extends Schema.TaggedError<StepNotFound>()("StepNotFound", {
  ...common,
  sequenceId: Schema.String,
  stepId: Schema.String
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: step ${this.stepId} of sequence ${this.sequenceId} was not found`
  }
  get isRetryable() {
    return false
  }
}

export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>()("AuthenticationFailed", {
  ...common,
  detail: Schema.String
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: the credentials were refused (${this.detail})`
  }
  get isRetryable() {
    return false
  }
}

export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", {
  ...common,
  reason: Schema.String,
  /** The scope the key lacks, when the provider names it (Apollo `api/v1/sequences/update`). */
  requiredScope: Schema.optional(Schema.String)
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: permission denied: ${this.reason}`
  }
  get isRetryable() {
    return false
  }
}

/** One broken rule, at a field path such as `steps[2].delay.value`. */
export const Issue = Schema.Struct({ path: Schema.String, message: Schema.String })
export type Issue = typeof Issue.Type

export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  ...common,
  issues: Schema.Array(Issue)
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    const list = this.issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")
    return `${where(this)}: invalid input: ${list}`
  }
  get isRetryable() {
    return false
  }
}

export class Unsupported extends Schema.TaggedError<Unsupported>()("Unsupported", {
  ...common,
  feature: Schema.String,
  detail: Schema.String
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: ${this.feature} is not supported: ${this.detail}`
  }
  get isRetryable() {
    return false
  }
}

export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...common,
  /** How long the provider asked to wait, when it said (Apollo `retry-after`; Kit never says). */
  retryAfter: Schema.optional(Schema.Duration),
  detail: Schema.optional(Schema.String)
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    const wait = this.retryAfter === undefined ? "" : `, retry after ${Duration.format(this.retryAfter)}`
    return `${where(this)}: rate limited${wait}${this.detail === undefined ? "" : ` (${this.detail})`}`
  }
  get isRetryable() {
    return true
  }
  get retryAfterOption(): Option.Option<Duration.Duration> {
    return Option.fromNullable(this.retryAfter)
  }
}

export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  ...common,
  reason: Schema.String
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: conflict: ${this.reason}`
  }
  /** Apollo's "already processing" clears once the other write ends. */
  get isRetryable() {
    return true
  }
}

export class ProviderUnavailable extends Schema.TaggedError<ProviderUnavailable>()("ProviderUnavailable", {
  ...common,
  ...answered
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    const excerpt = this.excerpt === undefined ? "" : `: ${this.excerpt}`
    return `${where(this)}: provider unavailable${statusOf(this)}: ${this.reason}${excerpt}`
  }
  get isRetryable() {
    return true
  }
}

export class MalformedResponse extends Schema.TaggedError<MalformedResponse>()("MalformedResponse", {
  ...common,
  ...answered
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    const excerpt = this.excerpt === undefined ? "" : `; body starts: ${this.excerpt}`
    return `${where(this)}: unexpected answer${statusOf(this)}: ${this.reason}${excerpt}`
  }
  get isRetryable() {
    return false
  }
}

export const SequenceError = Schema.Union(
  SequenceNotFound,
  StepNotFound,
  AuthenticationFailed,
  PermissionDenied,
  InvalidInput,
  Unsupported,
  RateLimited,
  Conflict,
  ProviderUnavailable,
  MalformedResponse
)
export type SequenceError = typeof SequenceError.Type

/** Shortens a body for an error message: enough to recognise, never the whole payload. */
export const excerpt = (body: string, max = 160): string => {
  const flat = body.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`
}

/** True for any of the errors above, whatever provider raised it. */
export const isSequenceError = (u: unknown): u is SequenceError => Predicate.hasProperty(u, TypeId)

export const isRetryable = (error: SequenceError): boolean => error.isRetryable

/** The same error, naming the partly written sequence a failed create could not remove. */
export const leavingBehind = (error: SequenceError, sequenceId: string): SequenceError => {
  const fields = { ...error, leftBehind: sequenceId }
  switch (fields._tag) {
    case "SequenceNotFound":
      return new SequenceNotFound(fields)
    case "StepNotFound":
      return new StepNotFound(fields)
    case "AuthenticationFailed":
      return new AuthenticationFailed(fields)
    case "PermissionDenied":
      return new PermissionDenied(fields)
    case "InvalidInput":
      return new InvalidInput(fields)
    case "Unsupported":
      return new Unsupported(fields)
    case "RateLimited":
      return new RateLimited(fields)
    case "Conflict":
      return new Conflict(fields)
    case "ProviderUnavailable":
      return new ProviderUnavailable(fields)
    case "MalformedResponse":
      return new MalformedResponse(fields)
  }
}
