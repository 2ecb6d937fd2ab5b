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
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { HttpPipeline, Resilience, type SequenceError } from "@unisequence/core"
import {
  Config,
  ConfigError,
  Context,
  Duration,
  Effect,
  Either,
  Layer,
  Option,
  type RateLimiter,
  type Redacted,
  type Stream
} from "effect"
import * as Endpoints from "./internal/endpoints.js"
import { statusError } from "./internal/errors.js"
import type * as Wire from "./internal/wire.js"

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

/** Builds a client on the `HttpClient` in context. */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PER_PAGE)))
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
    const pipeline = yield* HttpPipeline.make({
      provider: "kit",
      spanPrefix: "KitClient",
      baseUrl,
      headers: { "user-agent": options.userAgent ?? USER_AGENT, accept: "application/json" },
      credential:
        credential === undefined
          ? undefined
          : credential._tag === "ApiKey"
            ? {
                secret: credential.key,
                apply: (request, key) => HttpClientRequest.setHeader(request, "x-kit-api-key", key)
              }
            : { secret: credential.token, apply: HttpClientRequest.bearerToken },
      noCredential: "no API key or OAuth token was given",
      secretHeaders: SECRET_HEADERS,
      timeout: options.timeout ?? DEFAULT_TIMEOUT,
      retry: options.retry,
      // Creates are retried only after a 429: Kit refuses those before doing anything, and any other
      // failure of a POST may have happened after the write, where a blind retry could duplicate it.
      refusedBeforeWork: (error) => error._tag === "RateLimited",
      statusError,
      // One limiter per credential, whatever the endpoint.
      limiter: () => limiter,
      // Kit's windows are 60 s and its 429 says nothing of when the window ends: wait one out.
      pauseAfter429:
        rateLimit === false || typeof rateLimit === "function" ? Duration.seconds(60) : rateLimit.window,
      transformClient: options.transformClient
    })
    const { value } = pipeline

    const paginate = <P extends { readonly pagination: Wire.Pagination }, A>(
      page: (after: string | undefined) => Effect.Effect<P, Error>,
      items: (page: P) => ReadonlyArray<A>
    ): Stream.Stream<A, Error> =>
      HttpPipeline.pages(undefined as string | undefined, (after) =>
        Effect.map(page(after), (p) => {
          const next = p.pagination.end_cursor
          return [
            items(p),
            p.pagination.has_next_page && next !== null && next !== after ? Option.some(next) : Option.none()
          ] as const
        })
      )

    const pageOf = (params: PageParams | undefined): Endpoints.Page => ({
      after: params?.after,
      before: params?.before,
      pageSize: params?.pageSize ?? pageSize,
      includeTotalCount: params?.includeTotalCount
    })

    const listSequencesPage = (params?: PageParams) => value(Endpoints.listSequences(pageOf(params)))
    const listEmailsPage = (sequenceId: Id, params?: PageParams & EmailListParams) =>
      value(Endpoints.listEmails(sequenceId, { ...pageOf(params), includeContent: params?.includeContent }))
    const listSubscribersPage = (sequenceId: Id, params?: PageParams & SubscriberFilters) =>
      value(Endpoints.listSubscribers(sequenceId, { ...params, ...pageOf(params) }))
    const added = (call: HttpPipeline.Call<typeof Wire.SubscriberEnvelope.Type>) =>
      Effect.map(pipeline.send(call), ({ status, value }) => ({
        subscriber: value.subscriber,
        added: status === 201
      }))

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
      createSequence: (body) => Effect.map(value(Endpoints.createSequence(body)), (r) => r.sequence),
      getSequence: (id) => Effect.map(value(Endpoints.getSequence(id)), (r) => r.sequence),
      updateSequence: (id, body) => Effect.map(value(Endpoints.updateSequence(id, body)), (r) => r.sequence),
      deleteSequence: (id) => value(Endpoints.deleteSequence(id)),
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
        Effect.map(value(Endpoints.createEmail(sequenceId, body)), (r) => r.email),
      getEmail: (sequenceId, id) => Effect.map(value(Endpoints.getEmail(sequenceId, id)), (r) => r.email),
      updateEmail: (sequenceId, id, body) =>
        Effect.map(value(Endpoints.updateEmail(sequenceId, id, body)), (r) => r.email),
      deleteEmail: (sequenceId, id) => value(Endpoints.deleteEmail(sequenceId, id)),
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
        added(Endpoints.addSubscriberByEmail(sequenceId, emailAddress)),
      addSubscriberById: (sequenceId, subscriberId) =>
        added(Endpoints.addSubscriberById(sequenceId, subscriberId)),
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
