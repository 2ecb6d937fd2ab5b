/**
 * The request pipeline every HTTP adapter runs its calls through, built once from `@effect/platform`
 * pieces: each call's request made with the base URL and fixed headers, the credential set per
 * request (and its header name redacted wherever the platform logs or traces headers), a limiter
 * slot, one attempt with its timeout, the status mapped to a `SequenceError` by the provider's
 * `StatusErrors`, the body parsed and decoded by the call's precompiled schema, the shared retry
 * policy, and a span named after the operation with the provider, the operation and the ids (never
 * a key).
 *
 * An adapter describes each endpoint as a `Call` (one table per provider) and keeps only what is its
 * own: the error-body schema and the statuses' special cases, its limiters, and any learning from
 * answers (`observe`).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { HttpPipeline } from "@unisequence/core"
 * import { Effect, Redacted, Schema } from "effect"
 *
 * const Thing = Schema.Struct({ id: Schema.Int })
 * const getThing = (id: string): HttpPipeline.Call<typeof Thing.Type> => ({
 *   operation: "getThing",
 *   method: "GET",
 *   path: `/things/${encodeURIComponent(id)}`,
 *   answer: HttpPipeline.json(Thing),
 *   idempotent: true,
 *   sequenceId: id
 * })
 * const program = Effect.gen(function* () {
 *   const pipeline = yield* HttpPipeline.make({
 *     provider: "example",
 *     spanPrefix: "ExampleClient",
 *     baseUrl: "https://api.example.com",
 *     credential: {
 *       secret: Redacted.make("key"),
 *       apply: (request, key) => HttpPipeline.HttpClientRequest.setHeader(request, "x-api-key", key)
 *     },
 *     secretHeaders: ["x-api-key"],
 *     statusError: HttpPipeline.statusErrors({ provider: "example", displayName: "Example" })
 *   })
 *   return yield* pipeline.value(getThing("1"))
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @module
 */
import {
  Headers,
  HttpClient,
  type HttpClientError,
  HttpClientRequest,
  type HttpClientResponse
} from "@effect/platform"
import {
  Cause,
  Chunk,
  Duration,
  Effect,
  Either,
  identity,
  Option,
  ParseResult,
  Predicate,
  Redacted,
  Schema,
  Stream
} from "effect"
import type { ParseOptions } from "effect/SchemaAST"
import * as DispatcherHttpClient from "./DispatcherHttpClient.js"
import * as Validate from "./internal/validate.js"
import * as Resilience from "./Resilience.js"
import * as Secret from "./Secret.js"
import * as E from "./SequenceError.js"

export { HttpClientRequest }

type SequenceError = E.SequenceError

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** What a call expects back: a JSON body of a schema, or no content (a 204). */
export type Answer<A> =
  | {
      readonly _tag: "Json"
      /** Precompiled once per answer, not per response. */
      readonly decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
    }
  | {
      readonly _tag: "NoContent"
      /** The call's value when the provider answers nothing. */
      readonly value: A
    }

const isRecord = (u: unknown): u is object => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Copies into `decoded` (fresh objects the decoder made) every field of `raw` the schema did not
 * name, at every level where both are objects or arrays of the same length: what
 * `onExcessProperty: "preserve"` yields, at a fraction of its cost (Effect's preserving decode
 * walks every key of every object against the schema: 3 to 8 times the plain decode of a page).
 */
export const keepExcess = (raw: unknown, decoded: unknown): void => {
  if (Array.isArray(raw) && Array.isArray(decoded)) {
    if (raw.length === decoded.length) for (let i = 0; i < raw.length; i++) keepExcess(raw[i], decoded[i])
    return
  }
  if (!isRecord(raw) || !isRecord(decoded) || raw === decoded) return
  for (const key of Object.keys(raw)) {
    const value: unknown = Reflect.get(raw, key)
    if (Object.hasOwn(decoded, key)) keepExcess(value, Reflect.get(decoded, key))
    // A `__proto__` key of the JSON is a field like any other: copied as one, never assigned (an
    // assignment would replace the decoded object's prototype).
    else if (key === "__proto__")
      Object.defineProperty(decoded, key, { value, enumerable: true, writable: true, configurable: true })
    else Reflect.set(decoded, key, value)
  }
}

/**
 * A JSON answer decoded by `schema` with `options`; `onExcessProperty: "preserve"` keeps the fields
 * the schema does not name (the input itself where the schema only validates, otherwise by
 * `keepExcess` after a plain decode). The decoder is compiled here:
 * make each answer once, beside the endpoint table, not per call.
 */
export const json = <A, I>(schema: Schema.Schema<A, I>, options?: ParseOptions): Answer<A> => {
  if (options?.onExcessProperty !== "preserve") {
    const decode = Schema.decodeUnknownEither(schema, options)
    return { _tag: "Json", decode: (input) => decode(input) }
  }
  const decode = Schema.decodeUnknownEither(schema, { ...options, onExcessProperty: "ignore" })
  const preserving = (input: unknown) => {
    const decoded = decode(input)
    if (Either.isRight(decoded)) keepExcess(input, decoded.right)
    return decoded
  }
  // A schema that only validates decodes to a copy of its input: an input that passes is the value
  // (nothing rebuilt per item of a page); one that does not is decoded, for its error.
  const check = Validate.compile(schema.ast)
  if (check === undefined) return { _tag: "Json", decode: preserving }
  const valid = (input: unknown): input is A => check(input)
  return { _tag: "Json", decode: (input) => (valid(input) ? Either.right(input) : preserving(input)) }
}

/** No body: the call's value is `void`, and a 2xx with a body is not the provider's answer. */
export const noContent: Answer<void> = { _tag: "NoContent", value: undefined }

/** A request body and the schema that encodes it to JSON. */
export interface Body {
  readonly schema: Schema.Schema<unknown, unknown>
  readonly value: unknown
}

/** The body `value`, encoded by `schema` when the request is made. */
export const body = <A, I>(schema: Schema.Schema<A, I>, value: A): Body => ({
  // The pair is consumed only by `HttpClientRequest.schemaBodyJson(schema)(request, value)`.
  schema: schema as unknown as Schema.Schema<unknown, unknown>,
  value
})

/** One request of a provider's API, as its endpoint table describes it. */
export interface Call<A> {
  readonly operation: string
  readonly method: Method
  /** Below the base URL, ids already encoded. */
  readonly path: string
  readonly urlParams?: ReadonlyArray<readonly [string, string]> | undefined
  readonly body?: Body | undefined
  readonly answer: Answer<A>
  /**
   * Safe to repeat (reads, updates, deletes): every transient failure and a garbled answer are
   * retried. Otherwise only what the provider refused before doing anything (`refusedBeforeWork`).
   */
  readonly idempotent: boolean
  /** The sequence the call is about: a 404 is `SequenceNotFound`, and the span names it. */
  readonly sequenceId?: string | undefined
  /** The step the call is about: a 404 is `StepNotFound`. */
  readonly stepId?: string | undefined
}

/** A decoded answer with what came with it. */
export interface Reply<A> {
  readonly status: number
  readonly headers: Headers.Headers
  readonly value: A
  /** The JSON the value was decoded from (`undefined` for no content). */
  readonly raw: unknown
}

/** A non-2xx answer, as the status mapping sees it. */
export interface Failure {
  readonly operation: string
  readonly status: number
  /** The body, every secret already scrubbed from it. */
  readonly text: string
  readonly retryAfter?: string | undefined
  /** When the answer arrived (ms), to read an HTTP-date `retry-after`. */
  readonly now: number
  readonly sequenceId?: string | undefined
  readonly stepId?: string | undefined
}

/** A provider's statuses: its error body, its statuses beyond the common ones, its special cases. */
export interface StatusErrorsSpec<B, I = B> {
  readonly provider: string
  /** In messages (`Kit answered 503`). */
  readonly displayName: string
  /** The provider's error body, decoded from the parsed JSON. */
  readonly errorBody?: Schema.Schema<B, I> | undefined
  /** The messages an error body carries (joined for a message, one issue each for invalid input). */
  readonly messages?: ((body: B) => ReadonlyArray<string>) | undefined
  /** The field an invalid-input message is about (default none). */
  readonly issuePath?: ((message: string) => string) | undefined
  /** Statuses that mean an invalid input (default 422). */
  readonly invalidInput?: ReadonlyArray<number> | undefined
  /** Statuses that mean a conflict to retry (default none). */
  readonly conflict?: ReadonlyArray<number> | undefined
  /** Statuses below 500 that mean the provider is unavailable (default none). */
  readonly unavailable?: ReadonlyArray<number> | undefined
  /** The provider's own cases, tried first; `undefined` falls through to the common mapping. */
  readonly special?:
    | ((failure: Failure, body: B | undefined, said: string) => SequenceError | undefined)
    | undefined
}

/** `retry-after` in seconds, or an HTTP date. */
export const parseRetryAfter = (value: string | undefined, now: number): Option.Option<Duration.Duration> => {
  if (value === undefined || value.trim() === "") return Option.none()
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Option.some(Duration.seconds(seconds))
  const at = Date.parse(value)
  return Number.isNaN(at) ? Option.none() : Option.some(Duration.millis(Math.max(0, at - now)))
}

const parseJson = (text: string): Either.Either<unknown, unknown> => Either.try(() => JSON.parse(text))

/** The one status → error function, parameterised by a provider's error body and special cases. */
export const statusErrors = <B = never, I = B>(
  spec: StatusErrorsSpec<B, I>
): ((failure: Failure) => SequenceError) => {
  const { provider } = spec
  const decodeBody = spec.errorBody === undefined ? undefined : Schema.decodeUnknownOption(spec.errorBody)
  const invalid = new Set(spec.invalidInput ?? [422])
  const conflict = new Set(spec.conflict ?? [])
  const unavailable = new Set(spec.unavailable ?? [])
  return (failure) => {
    const { operation, status, text } = failure
    const parsed = text.trim() === "" ? Either.right({}) : parseJson(text)
    const errorBody =
      decodeBody === undefined || Either.isLeft(parsed)
        ? undefined
        : Option.getOrUndefined(decodeBody(parsed.right))
    const messages = errorBody === undefined || spec.messages === undefined ? [] : spec.messages(errorBody)
    const said = messages.length > 0 ? messages.join("; ") : E.excerpt(text)
    const special = spec.special?.(failure, errorBody, said)
    if (special !== undefined) return special
    if (status === 401)
      return new E.AuthenticationFailed({ provider, operation, detail: said === "" ? "status 401" : said })
    if (status === 403)
      return new E.PermissionDenied({ provider, operation, reason: said === "" ? "status 403" : said })
    if (status === 404) {
      if (failure.sequenceId !== undefined && failure.stepId !== undefined)
        return new E.StepNotFound({
          provider,
          operation,
          sequenceId: failure.sequenceId,
          stepId: failure.stepId
        })
      if (failure.sequenceId !== undefined)
        return new E.SequenceNotFound({ provider, operation, sequenceId: failure.sequenceId })
      return new E.MalformedResponse({
        provider,
        operation,
        status,
        reason: "404 from an endpoint that takes no id: is the base URL right?",
        excerpt: E.excerpt(text)
      })
    }
    if (invalid.has(status)) {
      const issuePath = spec.issuePath ?? (() => "")
      return new E.InvalidInput({
        provider,
        operation,
        issues: (messages.length > 0 ? messages : [said]).map((message) => ({
          path: issuePath(message),
          message
        }))
      })
    }
    if (conflict.has(status)) return new E.Conflict({ provider, operation, reason: said })
    if (status === 429) {
      const retryAfter = parseRetryAfter(failure.retryAfter, failure.now)
      return new E.RateLimited({
        provider,
        operation,
        detail: said,
        ...(Option.isSome(retryAfter) ? { retryAfter: retryAfter.value } : {})
      })
    }
    if (status >= 500 || unavailable.has(status))
      return new E.ProviderUnavailable({
        provider,
        operation,
        status,
        reason: `${spec.displayName} answered ${status}`,
        excerpt: E.excerpt(text)
      })
    return new E.MalformedResponse({
      provider,
      operation,
      status,
      reason: `unexpected status ${status}`,
      excerpt: E.excerpt(text)
    })
  }
}

/** How a request carries the credential. */
export interface Credential {
  /** The secret, or an effect yielding the current one (so a caller can refresh a token). */
  readonly secret: Redacted.Redacted<string> | Effect.Effect<Redacted.Redacted<string>, SequenceError>
  /** Puts the secret (trimmed: a key pasted with a trailing newline is still the key) on a request. */
  readonly apply: (
    request: HttpClientRequest.HttpClientRequest,
    secret: string
  ) => HttpClientRequest.HttpClientRequest
}

export interface Options {
  readonly provider: string
  /** Spans are `${spanPrefix}.${operation}`. */
  readonly spanPrefix: string
  /** Prepended to every call's path. */
  readonly baseUrl: string
  /** Sent with every request (user agent, accept). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** `undefined`: every call fails with `AuthenticationFailed` (`noCredential`) before sending. */
  readonly credential: Credential | undefined
  readonly noCredential?: string | undefined
  /** Header names that carry the credential: redacted wherever the platform logs or traces headers. */
  readonly secretHeaders: ReadonlyArray<string>
  /** Per attempt, reading the body included (default 30 s; `Duration.infinity`: none). */
  readonly timeout?: Duration.DurationInput | undefined
  /** The shared policy (`Resilience.retry`); `false` turns retries off. */
  readonly retry?: Resilience.RetryOptions | false | undefined
  /** What a call that is not idempotent may be retried after (default: a 429 only). */
  readonly refusedBeforeWork?: ((error: SequenceError) => boolean) | undefined
  readonly statusError: (failure: Failure) => SequenceError
  /** The limiter of an operation (default none). */
  readonly limiter?: ((operation: string) => Resilience.Limiter | undefined) | undefined
  /** How long nobody sends after a 429 that does not say (default: nothing beyond its `retryAfter`). */
  readonly pauseAfter429?: Duration.DurationInput | undefined
  /** Learns from every answer, before its status is mapped (e.g. budgets from rate headers). */
  readonly observe?:
    | ((answer: {
        readonly operation: string
        readonly headers: Headers.Headers
        readonly sentAt: number
      }) => Effect.Effect<void>)
    | undefined
  /**
   * Applied to the `HttpClient` before use (proxies, probes): requests reach it complete, with the
   * base URL, the fixed headers and the credential. It runs inside the call's span, with the
   * credential's header names among the platform's redacted ones (what it logs or traces hides them).
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

export interface Pipeline {
  readonly send: <A>(call: Call<A>) => Effect.Effect<Reply<A>, SequenceError>
  /** `send`, keeping the value only. */
  readonly value: <A>(call: Call<A>) => Effect.Effect<A, SequenceError>
}

/**
 * The items of a paged listing, a page per chunk, each page asked for once the one before is
 * consumed: `page(state)` gives the page's items and the state of the next page (none after the
 * last). Both adapters' listings are made of it.
 */
export const pages = <S, A, E, R>(
  first: S,
  page: (state: S) => Effect.Effect<readonly [ReadonlyArray<A>, Option.Option<S>], E, R>
): Stream.Stream<A, E, R> =>
  Stream.paginateChunkEffect(first, (state) =>
    Effect.map(page(state), ([items, next]) => [Chunk.unsafeFromArray(items), next] as const)
  )

export const DEFAULT_TIMEOUT: Duration.Duration = Duration.seconds(30)

/** What follows a failed first attempt: more attempts under a policy, or the failure itself. */
type Retries = <A>(
  effect: Effect.Effect<A, SequenceError>,
  first: SequenceError
) => Effect.Effect<A, SequenceError>

const noRetry: Retries = (_, first) => Effect.fail(first)

/** Where a call's retries run: inside its span, when that span is not already the fiber's parent. */
type AroundRetries<A> = (
  retries: Effect.Effect<Reply<A>, SequenceError>
) => Effect.Effect<Reply<A>, SequenceError>

const rateLimitedOnly = (error: SequenceError) => error._tag === "RateLimited"

/** A failure's reason: an error's message, whatever its type. */
const reasonOf = (error: HttpClientError.HttpClientError) =>
  error._tag === "RequestError"
    ? `request failed (${error.reason}${Predicate.hasProperty(error.cause, "message") ? `: ${String(error.cause.message)}` : ""})`
    : `the answer could not be read (${error.reason})`

/** The parse error's first lines: enough to see which field, never the whole body. */
const shapeReason = (error: ParseResult.ParseError) =>
  `not the documented shape: ${ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 6).join(" ").slice(0, 300)}`

/**
 * `effect` run inside `around` (a span), its value handed over beside it rather than through it.
 *
 * A span ends with the exit of what it wraps, and keeps it. A call's span is made before the
 * request and outlives the wait for the answer, so by then the collector has often moved it to the
 * old generation, whose objects are roots to a young collection until the next full one: an answer
 * written into the span would be kept, and promoted, though the span itself is garbage (during a
 * listing, 3.9 MB promoted at each young collection with the answer in the exit, 0.5 MB without:
 * bench/README.md, benchmark 2). The span ends with no value; the value is passed through a box
 * emptied as soon as it is read.
 */
const valueBeside = <A, E, T>(
  around: (inner: (t: T) => Effect.Effect<void, E>) => Effect.Effect<void, E>,
  effect: (t: T) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    const box: Array<A> = []
    return Effect.map(
      around((t) =>
        Effect.map(effect(t), (value) => {
          box.push(value)
        })
      ),
      () => box.pop()!
    )
  })

/** Builds a pipeline on the `HttpClient` in context. */
export const make = (options: Options): Effect.Effect<Pipeline, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (base) => {
    const { provider, statusError } = options
    const baseUrl = options.baseUrl.replace(/\/+$/, "")
    const headers = options.headers ?? {}
    const timeout = Duration.decode(options.timeout ?? DEFAULT_TIMEOUT)
    const timeoutReason = `no answer within ${Duration.format(timeout)}`
    const timed = Duration.isFinite(timeout)
    // The cheapest per-attempt timeout: a timer in the transport, where the transport has one (the
    // same client with its deadline set once: no fiber raced against each attempt, no fiber
    // reference set around it); otherwise `Effect.timeoutFail`.
    const deadlined = timed ? DispatcherHttpClient.withTimeout(base, Duration.toMillis(timeout)) : undefined
    const timedByTransport = deadlined !== undefined
    const client = deadlined ?? base
    const http = options.transformClient === undefined ? client : options.transformClient(client)
    // Whether anything a call runs may read the fiber's span or its redacted header names: a client
    // of the platform (it makes a span of its own, with the headers) or the user's `transformClient`.
    // Core's dispatcher client reads neither, so on it a call sets neither around the exchange
    // (about 4 µs each per call, in fiber references copied and compared); the call's span is still
    // made and ended, with the same parent and attributes, and set as the parent of the retries.
    const observed = options.transformClient !== undefined || !DispatcherHttpClient.honoursTimeout(base)
    const pauseAfter429 =
      options.pauseAfter429 === undefined ? undefined : Duration.decode(options.pauseAfter429)
    const limiterOf = options.limiter ?? (() => undefined)
    const observe = options.observe

    // The two policies, built once: what is safe to repeat retries every transient failure (and a
    // garbled answer); the rest only what the provider refused before doing anything.
    const retryOptions = options.retry === false ? undefined : (options.retry ?? {})
    const refusedBeforeWork = options.refusedBeforeWork ?? rateLimitedOnly
    const retrySafe: Retries =
      retryOptions === undefined
        ? noRetry
        : Resilience.retryAfter({ ...retryOptions, retryable: Resilience.retryableIfSafe })
    const retryUnsafe: Retries =
      retryOptions === undefined
        ? noRetry
        : Resilience.retryAfter({
            ...retryOptions,
            while: (error) =>
              refusedBeforeWork(error) && (retryOptions.while === undefined || retryOptions.while(error))
          })

    // The credential: a fixed secret is trimmed and its scrubber built once; an effectful one (a
    // refreshable token) is read per request, its scrubber rebuilt only when the secret changes.
    interface Key {
      readonly given: string
      readonly value: string
      readonly scrub: (text: string) => string
    }
    const keyOf = (given: string): Key => ({ given, value: given.trim(), scrub: Secret.scrubber([given]) })
    const credential = options.credential
    const noCredential = options.noCredential ?? "no credential was given"
    let lastKey: Key | undefined
    const keyFor: (operation: string) => Effect.Effect<Key, SequenceError> =
      credential === undefined
        ? (operation) =>
            Effect.fail(new E.AuthenticationFailed({ provider, operation, detail: noCredential }))
        : Redacted.isRedacted(credential.secret)
          ? (
              (fixed) => () =>
                fixed
            )(Effect.succeed(keyOf(Redacted.value(credential.secret))))
          : (
              (current) => () =>
                Effect.map(current, (secret) => {
                  const given = Redacted.value(secret)
                  if (lastKey === undefined || lastKey.given !== given) lastKey = keyOf(given)
                  return lastKey
                })
            )(credential.secret)

    // Names added to the platform's redacted header names once per distinct input, not per call.
    let redactedIn: ReadonlyArray<string | RegExp> | undefined
    let redactedOut: ReadonlyArray<string | RegExp> = []
    const withSecretHeaders = (names: ReadonlyArray<string | RegExp>) => {
      if (names !== redactedIn) {
        redactedIn = names
        const missing = options.secretHeaders.filter((name) => !names.includes(name))
        redactedOut = missing.length === 0 ? names : [...names, ...missing]
      }
      return redactedOut
    }

    const unavailable = (operation: string, reason: string) =>
      new E.ProviderUnavailable({ provider, operation, reason })
    const malformed = (operation: string, status: number, reason: string, text: string) =>
      new E.MalformedResponse({ provider, operation, status, reason, excerpt: E.excerpt(text) })

    /**
     * The request of a call, credential excluded: base URL, fixed headers and query made in one
     * request (each `HttpClientRequest` combinator copies the request and its headers).
     */
    const requestOf = (
      call: Call<unknown>
    ): Effect.Effect<HttpClientRequest.HttpClientRequest, SequenceError> => {
      const request = HttpClientRequest.make(call.method)(baseUrl + call.path, {
        headers,
        ...(call.urlParams === undefined ? {} : { urlParams: call.urlParams })
      })
      if (call.body === undefined) return Effect.succeed(request)
      return HttpClientRequest.schemaBodyJson(call.body.schema)(request, call.body.value).pipe(
        Effect.mapError(
          (error) =>
            new E.InvalidInput({
              provider,
              operation: call.operation,
              issues: [
                {
                  path: "",
                  message: `the request body could not be encoded: ${
                    error.reason._tag === "SchemaError"
                      ? ParseResult.TreeFormatter.formatErrorSync(error.reason.error)
                      : "not JSON"
                  }`
                }
              ]
            })
        )
      )
    }

    interface Answered {
      readonly response: HttpClientResponse.HttpClientResponse
      readonly text: string
    }

    const reply = <A>(response: HttpClientResponse.HttpClientResponse, value: A, raw: unknown): Reply<A> => ({
      status: response.status,
      get headers() {
        return response.headers
      },
      value,
      raw
    })

    /** An answer as it arrived, with what its reading needs. */
    interface Sent<A> {
      readonly call: Call<A>
      readonly sentAt: number
      readonly answer: Answered
      readonly scrub: (text: string) => string
    }

    /** One attempt: credential, limiter slot, exchange with its timeout, then `settle`. */
    const attempt = <A>(call: Call<A>): Effect.Effect<Reply<A>, SequenceError> =>
      Effect.gen(function* () {
        const { operation } = call
        const { value: secret, scrub } = yield* keyFor(operation)
        const request = credential!.apply(yield* requestOf(call), secret)
        const answered = http.execute(request).pipe(
          // The headers are converted only when read (a status error, `observe`, a caller).
          // Read as the last reader: the body is not kept on the response for another read.
          Effect.flatMap((response) =>
            Effect.map(DispatcherHttpClient.takeText(response), (text): Answered => ({ response, text }))
          ),
          Effect.mapError((error) =>
            unavailable(
              operation,
              Cause.isTimeoutException(error.cause) ? timeoutReason : scrub(reasonOf(error))
            )
          )
        )
        const exchange =
          !timed || timedByTransport
            ? answered
            : Effect.timeoutFail(answered, {
                duration: timeout,
                onTimeout: () => unavailable(operation, timeoutReason)
              })
        const limiter = limiterOf(operation)
        // The window a request was counted in is known from when it was sent: an answer that arrives
        // after a window's end still speaks of the window that just ended. The limiter holds the
        // request, not its timeout: a wait for a window is not a slow answer.
        const sentAndAnswered: Effect.Effect<readonly [number, Answered], SequenceError> =
          observe === undefined
            ? Effect.map(exchange, (answer) => [0, answer] as const)
            : Effect.zip(
                Effect.clockWith((clock) => clock.currentTimeMillis),
                exchange
              )
        const [sentAt, answer] = yield* limiter === undefined
          ? sentAndAnswered
          : limiter.limit(sentAndAnswered)
        return { call, sentAt, answer, scrub } satisfies Sent<A>
      }).pipe(Effect.flatMap(settle))

    /** What `observe` learns from an answer, then `read`. */
    const settle = <A>(sent: Sent<A>): Effect.Effect<Reply<A>, SequenceError> =>
      observe === undefined
        ? read(sent)
        : Effect.flatMap(
            observe({
              operation: sent.call.operation,
              headers: sent.answer.response.headers,
              sentAt: sent.sentAt
            }),
            () => read(sent)
          )

    /**
     * An answer's status, body and decoding, in plain functions. As an `Effect.gen`, every page's
     * text stayed reachable into the next young collection, which promoted them all (10 MB at each
     * during a listing, `pnpm run gc-listing wire` under `--trace-gc-nvp`; 0.5 MB so), to wait for a
     * full one.
     */
    const read = <A>({ call, answer, scrub }: Sent<A>): Effect.Effect<Reply<A>, SequenceError> => {
      const { operation } = call
      const { response, text } = answer
      const { status } = response
      if (status < 200 || status >= 300) return failed(call, answer, scrub)
      if (call.answer._tag === "NoContent") {
        if (status !== 204 && text.trim() !== "")
          return Effect.fail(malformed(operation, status, "expected no content", scrub(text)))
        return Effect.succeed(reply(response, call.answer.value, undefined))
      }
      const raw = parseJson(text)
      if (Either.isLeft(raw))
        return Effect.fail(malformed(operation, status, "the body is not JSON", scrub(text)))
      const decoded = call.answer.decode(raw.right)
      if (Either.isLeft(decoded))
        return Effect.fail(malformed(operation, status, scrub(shapeReason(decoded.left)), scrub(text)))
      return Effect.succeed(reply(response, decoded.right, raw.right))
    }

    /** A status that is not 2xx: its error, after a pause of the limiter for a 429 that says how long. */
    const failed = (
      call: Call<unknown>,
      answer: Answered,
      scrub: (text: string) => string
    ): Effect.Effect<never, SequenceError> =>
      Effect.flatMap(
        Effect.clockWith((clock) => clock.currentTimeMillis),
        (now) => {
          const { response } = answer
          const error = statusError({
            operation: call.operation,
            status: response.status,
            text: scrub(answer.text),
            retryAfter: response.headers["retry-after"],
            now,
            sequenceId: call.sequenceId,
            stepId: call.stepId
          })
          const limiter = limiterOf(call.operation)
          const pause = error._tag === "RateLimited" ? (error.retryAfter ?? pauseAfter429) : undefined
          return limiter === undefined || pause === undefined
            ? Effect.fail(error)
            : Effect.zipRight(limiter.pause(pause), Effect.fail(error))
        }
      )

    /**
     * The call's attempts: the first bare, the retries its policy allows after a failure, inside
     * `retrying` (where the call's span is set as the parent, for the retries' annotations and logs).
     */
    const attempts = <A>(
      call: Call<A>,
      once: Effect.Effect<Reply<A>, SequenceError>,
      retrying: AroundRetries<A>
    ) => {
      const retries = call.idempotent ? retrySafe : retryUnsafe
      return Effect.catchAll(once, (first) => retrying(retries(once, first)))
    }

    /** A delete retried after an answer that got lost finds nothing to delete: that is done, not missing. */
    const deleteOnce = <A>(
      call: Call<A>,
      answer: A,
      retrying: AroundRetries<A>
    ): Effect.Effect<Reply<A>, SequenceError> =>
      Effect.suspend(() => {
        let failedBefore = false
        const once = Effect.tapError(attempt(call), (error) =>
          Effect.sync(() => {
            if (Resilience.retryableIfSafe(error)) failedBefore = true
          })
        )
        return Effect.catchIf(
          attempts(call, once, retrying),
          (error) => failedBefore && (error._tag === "SequenceNotFound" || error._tag === "StepNotFound"),
          () => Effect.succeed({ status: 204, headers: Headers.empty, value: answer, raw: undefined })
        )
      })

    const send = <A>(call: Call<A>): Effect.Effect<Reply<A>, SequenceError> => {
      const settled = (retrying: AroundRetries<A>) =>
        call.method === "DELETE" && call.answer._tag === "NoContent"
          ? deleteOnce(call, call.answer.value, retrying)
          : attempts(call, attempt(call), retrying)
      const name = `${options.spanPrefix}.${call.operation}`
      const spanOptions = {
        kind: "client",
        // A stack trace per call costs more than the rest of the span; the name says where it is.
        captureStackTrace: false,
        attributes: {
          "unisequence.provider": provider,
          "unisequence.operation": call.operation,
          "http.request.method": call.method,
          ...(call.sequenceId === undefined ? {} : { "unisequence.sequence_id": call.sequenceId }),
          ...(call.stepId === undefined ? {} : { "unisequence.step_id": call.stepId })
        }
      } as const
      if (!observed)
        return valueBeside(
          (inner) =>
            Effect.useSpan(name, spanOptions, (span) =>
              inner((retries) => Effect.withParentSpan(retries, span))
            ),
          settled
        )
      return valueBeside(
        (inner) =>
          inner(identity).pipe(
            Effect.withSpan(name, spanOptions),
            Effect.locallyWith(Headers.currentRedactedNames, withSecretHeaders)
          ),
        settled
      )
    }

    return { send, value: (call) => Effect.map(send(call), (reply) => reply.value) }
  })
