/**
 * A thin, typed client for every Kit v4 sequence endpoint: sequences, sequence emails and sequence
 * subscribers. Requests and responses are `Schema` wire types from Kit's OpenAPI documents; every
 * answer is decoded; lists are `Stream`s that follow Kit's cursors.
 *
 * Each call takes one slot of a per-credential rate limiter, has a timeout, and is retried when that
 * is safe: reads, updates and deletes on `RateLimited` / `ProviderUnavailable`, creates only on a
 * 429 (Kit refuses those before doing anything). The credential is sent as a header whose name is
 * redacted from logs and spans, and never appears in an error.
 */
import { Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { Resilience, Secret as Secrets, SequenceError } from "@unisequence/core"
import {
  Chunk,
  Config,
  ConfigError,
  Context,
  Duration,
  Effect,
  Either,
  Layer,
  Option,
  ParseResult,
  type RateLimiter,
  Redacted,
  Schema,
  Stream
} from "effect"
import { fromStatus, malformed, type NotFound, unavailable } from "./internal/errors.js"
import * as Wire from "./internal/wire.js"

export * as Wire from "./internal/wire.js"

type Error = SequenceError.SequenceError

export const DEFAULT_BASE_URL = "https://api.kit.com"
export const USER_AGENT = "unisequence/0.1.0 (+https://github.com/unisequence)"
/** Kit's maximum page size: the fewest requests. */
export const DEFAULT_PER_PAGE = 1000
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.seconds(30)
/** Kit's documented budgets per credential. */
export const API_KEY_LIMIT = { limit: 120, window: Duration.seconds(60) } as const
export const OAUTH_LIMIT = { limit: 600, window: Duration.seconds(60) } as const

/** A credential, or an effect yielding the current one (so a caller can refresh an OAuth token). */
export type Secret = Redacted.Redacted<string> | Effect.Effect<Redacted.Redacted<string>, Error>

type Credential =
  | { readonly _tag: "ApiKey"; readonly key: Secret }
  | { readonly _tag: "OAuth"; readonly token: Secret }

export interface Options {
  /** A v4 API key (sent as `X-Kit-Api-Key`). Give this or `oauthToken`; without either every call is refused. */
  readonly apiKey?: Secret | undefined
  /** An OAuth access token (sent as a bearer token); used when no `apiKey` is given. */
  readonly oauthToken?: Secret | undefined
  /** Default `https://api.kit.com`. */
  readonly baseUrl?: string
  /** Page size of every list (Kit's maximum and default here: 1000). */
  readonly pageSize?: number | undefined
  /** Per request, including reading the body (default 30 s). */
  readonly timeout?: Duration.DurationInput
  /**
   * Client-side limit per credential (default 120 / 60 s for an API key, 600 / 60 s for an OAuth
   * token, in fixed windows as Kit counts them); a `RateLimiter` of your own (e.g. one shared by
   * several clients of the same credential); `false` turns it off.
   */
  readonly rateLimit?:
    | { readonly limit: number; readonly window: Duration.DurationInput }
    | RateLimiter.RateLimiter
    | false
  /** Retry policy of safe requests (`schedule` replaces the backoff); `false` turns retries off. */
  readonly retry?: Resilience.RetryOptions | false
  /** Applied to the `HttpClient` before use (proxies, extra headers, test hooks). */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  readonly userAgent?: string
}

export type Id = number | string

export interface PageParams {
  readonly after?: string
  readonly before?: string
  readonly pageSize?: number
  readonly includeTotalCount?: boolean
}

export interface EmailListParams {
  /** Adds each email's `content` (HTML). */
  readonly includeContent?: boolean
}

export interface SubscriberFilters {
  /** Default `active` (Kit's default). */
  readonly status?: Wire.SubscriberStatusFilter
  readonly addedAfter?: string
  readonly addedBefore?: string
  readonly createdAfter?: string
  readonly createdBefore?: string
}

/** The answer of an add: `added` is false when the subscriber was already in (200, not 201). */
export interface AddedSubscriber {
  readonly subscriber: Wire.Subscriber
  readonly added: boolean
}

export type Verification =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly error: Error }

export interface Service {
  readonly baseUrl: string
  /** Which credential the client sends, for reports (never the secret). */
  readonly credentialKind: "API key" | "OAuth token" | "none"
  readonly pageSize: number
  readonly listSequencesPage: (params?: PageParams) => Effect.Effect<Wire.SequencesPage, Error>
  /** Every sequence, following cursors lazily. */
  readonly listSequences: (params?: { readonly pageSize?: number }) => Stream.Stream<Wire.SequenceItem, Error>
  readonly createSequence: (body: Wire.CreateSequenceBody) => Effect.Effect<Wire.Sequence, Error>
  readonly getSequence: (id: Id) => Effect.Effect<Wire.Sequence, Error>
  /** Changes only the fields in `body`. */
  readonly updateSequence: (id: Id, body: Wire.SequenceBody) => Effect.Effect<Wire.Sequence, Error>
  readonly deleteSequence: (id: Id) => Effect.Effect<void, Error>
  readonly listEmailsPage: (
    sequenceId: Id,
    params?: PageParams & EmailListParams
  ) => Effect.Effect<Wire.EmailsPage, Error>
  /** The emails of a sequence in position order, following cursors lazily. */
  readonly listEmails: (
    sequenceId: Id,
    params?: EmailListParams & { readonly pageSize?: number }
  ) => Stream.Stream<Wire.Email, Error>
  readonly createEmail: (sequenceId: Id, body: Wire.CreateEmailBody) => Effect.Effect<Wire.Email, Error>
  readonly getEmail: (sequenceId: Id, id: Id) => Effect.Effect<Wire.Email, Error>
  /** Changes only the fields in `body`. */
  readonly updateEmail: (sequenceId: Id, id: Id, body: Wire.EmailBody) => Effect.Effect<Wire.Email, Error>
  readonly deleteEmail: (sequenceId: Id, id: Id) => Effect.Effect<void, Error>
  readonly listSubscribersPage: (
    sequenceId: Id,
    params?: PageParams & SubscriberFilters
  ) => Effect.Effect<Wire.SubscribersPage, Error>
  readonly listSubscribers: (
    sequenceId: Id,
    params?: SubscriberFilters & { readonly pageSize?: number }
  ) => Stream.Stream<Wire.Subscriber, Error>
  /** The subscriber must exist in Kit; an inactive sequence is a 422 (`InvalidInput`). */
  readonly addSubscriberByEmail: (
    sequenceId: Id,
    emailAddress: string
  ) => Effect.Effect<AddedSubscriber, Error>
  readonly addSubscriberById: (sequenceId: Id, subscriberId: Id) => Effect.Effect<AddedSubscriber, Error>
  /** Checks the credential with one harmless read (`GET /v4/sequences?per_page=1`); writes nothing. */
  readonly verify: Effect.Effect<Verification>
}

export class KitClient extends Context.Tag("@unisequence/kit/KitClient")<KitClient, Service>() {}

/** Header names that carry a credential: redacted wherever `@effect/platform` logs or traces headers. */
const SECRET_HEADERS = ["x-kit-api-key", "authorization"]

type Method = "GET" | "POST" | "PUT" | "DELETE"

interface Call<A, I> {
  readonly operation: string
  readonly method: Method
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>>
  readonly body?: unknown
  /** Response schema; absent for 204 answers. */
  readonly response?: Schema.Schema<A, I>
  readonly notFound?: NotFound
  readonly attributes?: Readonly<Record<string, unknown>>
}

const idPath = (id: Id) => encodeURIComponent(String(id))

const pageQuery = (params: PageParams | undefined, pageSize: number) => ({
  after: params?.after,
  before: params?.before,
  per_page: String(params?.pageSize ?? pageSize),
  include_total_count: params?.includeTotalCount === true ? "true" : undefined
})

const secretOf = (secret: Secret): Effect.Effect<Redacted.Redacted<string>, Error> =>
  Redacted.isRedacted(secret) ? Effect.succeed(secret) : secret

/** Builds a client on the `HttpClient` in context. */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const base = yield* HttpClient.HttpClient
    const http = options.transformClient === undefined ? base : options.transformClient(base)
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PER_PAGE)))
    const timeout = Duration.decode(options.timeout ?? DEFAULT_TIMEOUT)
    const userAgent = options.userAgent ?? USER_AGENT
    const credential: Credential | undefined =
      options.apiKey !== undefined
        ? { _tag: "ApiKey", key: options.apiKey }
        : options.oauthToken !== undefined
          ? { _tag: "OAuth", token: options.oauthToken }
          : undefined
    const rateLimit = options.rateLimit ?? (credential?._tag === "OAuth" ? OAUTH_LIMIT : API_KEY_LIMIT)
    const limiter = yield* Resilience.makeLimiter(
      rateLimit === false ? {} : typeof rateLimit === "function" ? { cap: rateLimit } : rateLimit
    )
    // Kit's windows are 60 s and its 429 says nothing of when the window ends: wait one out.
    const pauseAfter429 =
      rateLimit === false || typeof rateLimit === "function"
        ? Duration.seconds(60)
        : Duration.decode(rateLimit.window)
    const retryOptions = options.retry === false ? undefined : (options.retry ?? {})
    const noRetry = <A>(effect: Effect.Effect<A, Error>): Effect.Effect<A, Error> => effect
    // Reads, updates and deletes retry whatever is safe to repeat. Creates are retried only after a
    // 429: Kit refuses those before doing anything, and any other failure of a POST may have happened
    // after the write, where a blind retry could duplicate it.
    const retrySafe =
      retryOptions === undefined
        ? noRetry
        : Resilience.retry({ ...retryOptions, retryable: Resilience.retryableIfSafe })
    const retryCreate =
      retryOptions === undefined
        ? noRetry
        : Resilience.retry({
            ...retryOptions,
            while: (error) =>
              error._tag === "RateLimited" && (retryOptions.while === undefined || retryOptions.while(error))
          })

    const authenticate = (request: HttpClientRequest.HttpClientRequest, secret: string) =>
      credential?._tag === "ApiKey"
        ? HttpClientRequest.setHeader(request, "X-Kit-Api-Key", secret)
        : HttpClientRequest.bearerToken(request, secret)

    // A hostile or broken server may echo the credential back, in any form: no body text reaches an
    // error with it.
    const scrubber = (secret: string) => Secrets.scrubber([secret])

    /** One attempt: limiter slot, request, status, body, decode. */
    const attempt = <A, I>(
      call: Call<A, I>
    ): Effect.Effect<{ readonly status: number; readonly value: A }, Error> =>
      Effect.gen(function* () {
        const { operation } = call
        const query = Object.fromEntries(
          Object.entries(call.query ?? {}).filter(
            (entry): entry is [string, string] => entry[1] !== undefined
          )
        )
        let request = HttpClientRequest.make(call.method)(`${baseUrl}${call.path}`, {
          urlParams: query,
          headers: { "user-agent": userAgent, accept: "application/json" }
        })
        if (call.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, call.body)
        if (credential === undefined) {
          return yield* new SequenceError.AuthenticationFailed({
            provider: "kit",
            operation,
            detail: "no API key or OAuth token was given"
          })
        }
        const given = Redacted.value(
          yield* secretOf(credential._tag === "ApiKey" ? credential.key : credential.token)
        )
        const scrub = scrubber(given)
        // Trimmed where it is read: a key pasted with a trailing newline is still the key.
        request = authenticate(request, given.trim())
        const exchange = http.execute(request).pipe(
          Effect.flatMap((response) =>
            Effect.map(response.text, (text) => ({ status: response.status, text }))
          ),
          Effect.scoped,
          Effect.catchAll((error) =>
            Effect.fail(
              unavailable(
                operation,
                error._tag === "RequestError"
                  ? `request failed (${error.reason})`
                  : `the answer could not be read (${error.reason})`
              )
            )
          ),
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => unavailable(operation, `no answer within ${Duration.format(timeout)}`)
          })
        )
        // The limiter holds the request, not its timeout: a wait for a window is not a slow answer.
        const { status, text } = yield* limiter.limit(exchange)
        if (status === 429) yield* limiter.pause(pauseAfter429)
        if (status < 200 || status >= 300) {
          return yield* Effect.fail(
            fromStatus({ operation, status, body: scrub(text), notFound: call.notFound })
          )
        }
        if (call.response === undefined) {
          // A delete answers 204 and nothing else: a 200 with a body is not Kit's answer.
          if (status !== 204 && text.trim() !== "") {
            return yield* Effect.fail(malformed(operation, "expected 204 No Content", status, scrub(text)))
          }
          return { status, value: undefined as never }
        }
        const json = Either.try((): unknown => JSON.parse(text))
        if (Either.isLeft(json)) {
          return yield* Effect.fail(malformed(operation, "the body is not JSON", status, scrub(text)))
        }
        // Decoding against the call's own schema (not a per-call `parseJson` wrapper) reuses the
        // parser Effect caches per schema: building one per response cost more than the decode.
        // Fields the schema does not name are kept (`Sequence.raw`), so translation can warn about them.
        const decoded = Schema.decodeUnknownEither(call.response)(json.right, {
          onExcessProperty: "preserve"
        })
        if (Either.isLeft(decoded)) {
          const reason = ParseResult.TreeFormatter.formatErrorSync(decoded.left)
            .split("\n")
            .slice(0, 6)
            .join(" ")
          return yield* Effect.fail(
            malformed(
              operation,
              scrub(`not the documented shape: ${reason.slice(0, 300)}`),
              status,
              scrub(text)
            )
          )
        }
        return { status, value: decoded.right }
      })

    const send = <A, I>(
      call: Call<A, I>
    ): Effect.Effect<{ readonly status: number; readonly value: A }, Error> => {
      // A delete retried after an answer that got lost finds nothing to delete: that is done, not missing.
      let failedBefore = false
      const once = Effect.tapError(attempt(call), (error) =>
        Effect.sync(() => {
          if (Resilience.retryableIfSafe(error)) failedBefore = true
        })
      )
      const retried = call.method === "POST" ? retryCreate(once) : retrySafe(once)
      return retried.pipe(
        Effect.catchIf(
          (error) =>
            call.method === "DELETE" &&
            failedBefore &&
            (error._tag === "SequenceNotFound" || error._tag === "StepNotFound"),
          () => Effect.succeed({ status: 204, value: undefined as never })
        ),
        Effect.withSpan(`KitClient.${call.operation}`, {
          kind: "client",
          attributes: {
            "unisequence.provider": "kit",
            "unisequence.operation": call.operation,
            "http.request.method": call.method,
            ...call.attributes
          }
        }),
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, ...SECRET_HEADERS])
      )
    }

    const value = <A, I>(call: Call<A, I>) => Effect.map(send(call), (r) => r.value)

    const paginate = <P extends { readonly pagination: Wire.Pagination }, A>(
      page: (after: string | undefined) => Effect.Effect<P, Error>,
      items: (page: P) => ReadonlyArray<A>
    ): Stream.Stream<A, Error> =>
      Stream.paginateChunkEffect(undefined as string | undefined, (after) =>
        Effect.map(page(after), (p) => {
          const next = p.pagination.end_cursor
          return [
            Chunk.fromIterable(items(p)),
            p.pagination.has_next_page && next !== null && next !== after ? Option.some(next) : Option.none()
          ] as const
        })
      )

    const seq = (id: Id) => ({ "kit.sequence_id": String(id) })
    const email = (sequenceId: Id, id: Id) => ({ ...seq(sequenceId), "kit.email_id": String(id) })
    const sequenceNotFound = (id: Id): NotFound => ({ _tag: "Sequence", sequenceId: String(id) })
    const emailNotFound = (sequenceId: Id, id: Id): NotFound => ({
      _tag: "Step",
      sequenceId: String(sequenceId),
      stepId: String(id)
    })

    const listSequencesPage = (params?: PageParams) =>
      value({
        operation: "listSequences",
        method: "GET",
        path: "/v4/sequences",
        query: pageQuery(params, pageSize),
        response: Wire.SequencesPage
      })

    const listEmailsPage = (sequenceId: Id, params?: PageParams & EmailListParams) =>
      value({
        operation: "listEmails",
        method: "GET",
        path: `/v4/sequences/${idPath(sequenceId)}/emails`,
        query: {
          ...pageQuery(params, pageSize),
          include_content: params?.includeContent ? "true" : undefined
        },
        response: Wire.EmailsPage,
        notFound: sequenceNotFound(sequenceId),
        attributes: seq(sequenceId)
      })

    const listSubscribersPage = (sequenceId: Id, params?: PageParams & SubscriberFilters) =>
      value({
        operation: "listSubscribers",
        method: "GET",
        path: `/v4/sequences/${idPath(sequenceId)}/subscribers`,
        query: {
          ...pageQuery(params, pageSize),
          status: params?.status,
          added_after: params?.addedAfter,
          added_before: params?.addedBefore,
          created_after: params?.createdAfter,
          created_before: params?.createdBefore
        },
        response: Wire.SubscribersPage,
        notFound: sequenceNotFound(sequenceId),
        attributes: seq(sequenceId)
      })

    const added = (operation: string, sequenceId: Id, path: string, body: unknown) =>
      send({
        operation,
        method: "POST",
        path,
        body,
        response: Wire.SubscriberEnvelope,
        notFound: sequenceNotFound(sequenceId),
        attributes: seq(sequenceId)
      }).pipe(Effect.map(({ status, value }) => ({ subscriber: value.subscriber, added: status === 201 })))

    const client: Service = {
      baseUrl,
      credentialKind:
        credential === undefined ? "none" : credential._tag === "ApiKey" ? "API key" : "OAuth token",
      pageSize,
      listSequencesPage,
      listSequences: (params) =>
        paginate(
          (after) =>
            listSequencesPage({
              ...(after === undefined ? {} : { after }),
              pageSize: params?.pageSize ?? pageSize
            }),
          (p) => p.sequences
        ),
      createSequence: (body) =>
        value({
          operation: "createSequence",
          method: "POST",
          path: "/v4/sequences",
          body: Schema.encodeSync(Wire.CreateSequenceBody)(body),
          response: Wire.SequenceEnvelope
        }).pipe(Effect.map((r) => r.sequence)),
      getSequence: (id) =>
        value({
          operation: "getSequence",
          method: "GET",
          path: `/v4/sequences/${idPath(id)}`,
          response: Wire.SequenceEnvelope,
          notFound: sequenceNotFound(id),
          attributes: seq(id)
        }).pipe(Effect.map((r) => r.sequence)),
      updateSequence: (id, body) =>
        value({
          operation: "updateSequence",
          method: "PUT",
          path: `/v4/sequences/${idPath(id)}`,
          body: Schema.encodeSync(Wire.SequenceBody)(body),
          response: Wire.SequenceEnvelope,
          notFound: sequenceNotFound(id),
          attributes: seq(id)
        }).pipe(Effect.map((r) => r.sequence)),
      deleteSequence: (id) =>
        value({
          operation: "deleteSequence",
          method: "DELETE",
          path: `/v4/sequences/${idPath(id)}`,
          notFound: sequenceNotFound(id),
          attributes: seq(id)
        }),
      listEmailsPage,
      listEmails: (sequenceId, params) =>
        paginate(
          (after) =>
            listEmailsPage(sequenceId, {
              ...(after === undefined ? {} : { after }),
              pageSize: params?.pageSize ?? pageSize,
              includeContent: params?.includeContent === true
            }),
          (p) => p.emails
        ),
      createEmail: (sequenceId, body) =>
        value({
          operation: "createEmail",
          method: "POST",
          path: `/v4/sequences/${idPath(sequenceId)}/emails`,
          body: Schema.encodeSync(Wire.CreateEmailBody)(body),
          response: Wire.EmailEnvelope,
          notFound: sequenceNotFound(sequenceId),
          attributes: seq(sequenceId)
        }).pipe(Effect.map((r) => r.email)),
      getEmail: (sequenceId, id) =>
        value({
          operation: "getEmail",
          method: "GET",
          path: `/v4/sequences/${idPath(sequenceId)}/emails/${idPath(id)}`,
          response: Wire.EmailEnvelope,
          notFound: emailNotFound(sequenceId, id),
          attributes: email(sequenceId, id)
        }).pipe(Effect.map((r) => r.email)),
      updateEmail: (sequenceId, id, body) =>
        value({
          operation: "updateEmail",
          method: "PUT",
          path: `/v4/sequences/${idPath(sequenceId)}/emails/${idPath(id)}`,
          body: Schema.encodeSync(Wire.EmailBody)(body),
          response: Wire.EmailEnvelope,
          notFound: emailNotFound(sequenceId, id),
          attributes: email(sequenceId, id)
        }).pipe(Effect.map((r) => r.email)),
      deleteEmail: (sequenceId, id) =>
        value({
          operation: "deleteEmail",
          method: "DELETE",
          path: `/v4/sequences/${idPath(sequenceId)}/emails/${idPath(id)}`,
          notFound: emailNotFound(sequenceId, id),
          attributes: email(sequenceId, id)
        }),
      listSubscribersPage,
      listSubscribers: (sequenceId, params) =>
        paginate(
          (after) =>
            listSubscribersPage(sequenceId, {
              ...params,
              ...(after === undefined ? {} : { after }),
              pageSize: params?.pageSize ?? pageSize
            }),
          (p) => p.subscribers
        ),
      addSubscriberByEmail: (sequenceId, emailAddress) =>
        added(
          "addSubscriberByEmail",
          sequenceId,
          `/v4/sequences/${idPath(sequenceId)}/subscribers`,
          Schema.encodeSync(Wire.AddSubscriberBody)({ email_address: emailAddress })
        ),
      addSubscriberById: (sequenceId, subscriberId) =>
        added(
          "addSubscriberById",
          sequenceId,
          `/v4/sequences/${idPath(sequenceId)}/subscribers/${idPath(subscriberId)}`,
          {}
        ),
      verify: listSequencesPage({ pageSize: 1 }).pipe(
        Effect.match({
          onSuccess: (): Verification => ({ ok: true }),
          onFailure: (error): Verification => ({ ok: false, reason: error.message, error })
        })
      )
    }
    return client
  })

/** A `KitClient` layer; the `Sequences` service comes with `Kit.layer`. */
export const layer = (options: Options): Layer.Layer<KitClient, never, HttpClient.HttpClient> =>
  Layer.effect(KitClient, make(options))

/**
 * Reads `KIT_API_KEY` (or `KIT_OAUTH_TOKEN`) and optional `KIT_BASE_URL` as client options.
 * The key is read with `Config.redacted`, so it stays redacted from the environment on.
 */
export const config: Config.Config<Options> = Config.all({
  apiKey: Config.option(Config.redacted("KIT_API_KEY")),
  oauthToken: Config.option(Config.redacted("KIT_OAUTH_TOKEN")),
  baseUrl: Config.withDefault(Config.string("KIT_BASE_URL"), DEFAULT_BASE_URL)
}).pipe(
  Config.mapOrFail(({ apiKey: key, baseUrl, oauthToken: token }) =>
    Option.isSome(key)
      ? Either.right<Options>({ apiKey: key.value, baseUrl })
      : Option.isSome(token)
        ? Either.right<Options>({ oauthToken: token.value, baseUrl })
        : Either.left(
            ConfigError.MissingData(
              ["KIT_API_KEY"],
              "set KIT_API_KEY (an API key) or KIT_OAUTH_TOKEN (an OAuth access token)"
            )
          )
  )
)
