/**
 * A thin, authenticated, typed client for every sequence endpoint of Apollo's REST API: requests and
 * answers are `Schema` wire types from Apollo's own document, every answer is decoded, every failure
 * is a typed `SequenceError`.
 *
 * - Auth is the `x-api-key` header with a `Redacted` key (a bearer header is a 401 on Apollo); the
 *   header name is kept in `Headers.currentRedactedNames` and the key's value is scrubbed from any
 *   text that goes into an error.
 * - Reads and idempotent writes (GET, PUT, approve/abort/archive, search, remove/stop) are retried
 *   on `RateLimited`, `Conflict` ("already processing") and `ProviderUnavailable`; creates and
 *   enrolments only when Apollo refused them before doing anything (429), never after an ambiguous
 *   failure.
 * - A limiter per endpoint learns Apollo's `x-*-requests-left` headers (and the older `x-daily-*`
 *   names): the strictest window wins.
 * - `GET /emailer_campaigns` without an id is never called: it creates a sequence on Apollo.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { HttpPipeline, Resilience, type SequenceError as E } from "@unisequence/core"
import {
  Config,
  Context,
  Duration,
  Effect,
  Layer,
  Option,
  type RateLimiter,
  type Redacted,
  type Stream
} from "effect"
import * as Endpoints from "./internal/endpoints.js"
import * as Errors from "./internal/errors.js"
import type * as W from "./internal/wire.js"

export * as Wire from "./internal/wire.js"

export type Operation = Errors.Operation

/** Scope names Apollo checks for each call (for scoped API keys). */
export const scopes: Readonly<Record<Operation, string>> = Errors.scopes

export interface Options {
  readonly apiKey: Redacted.Redacted<string>
  /** Default `https://api.apollo.io`; paths are `/api/v1/…` below it. */
  readonly baseUrl?: string
  /** Cloudflare answers 403 to some default agents, so a real one is always sent. */
  readonly userAgent?: string
  /** Per request, answer body included (default 30 seconds); past it: `ProviderUnavailable`. */
  readonly timeout?: Duration.DurationInput
  /** Retry policy for retryable failures (`schedule` replaces the backoff); `false` turns retries off. */
  readonly retry?: Resilience.RetryOptions | false
  /**
   * An extra client-side cap on top of what Apollo's headers say: a limit per endpoint, or a
   * `RateLimiter` of your own that every endpoint shares.
   */
  readonly rateLimit?:
    | { readonly limit: number; readonly window: Duration.DurationInput }
    | RateLimiter.RateLimiter
  /** Page size of `search` (default 100). */
  readonly pageSize?: number
  /** Applied to the authenticated client: tracing, proxies, test probes. */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

export const defaultBaseUrl = "https://api.apollo.io"
export const defaultUserAgent = "unisequence/0.1.0 (+https://github.com/unisequence/unisequence)"
export const defaultTimeout: Duration.Duration = Duration.seconds(30)

/** A decoded answer and the JSON it came from (kept as `raw` by the adapter). */
export interface Decoded<A> {
  readonly value: A
  readonly raw: unknown
}

/** `unavailable`: the account does not serve the endpoint (the single-sequence read, not in the document). */
export type ProbeStatus = "reachable" | "denied" | "unprobed" | "failed" | "unavailable"

export interface Probe {
  readonly operation: Operation
  readonly scope: string
  readonly status: ProbeStatus
  /** How it was probed, and what came back. */
  readonly detail: string
}

export interface Verification {
  /**
   * `master` when every probed endpoint answered past the key check (a scoped key that holds every
   * probed scope looks the same), `scoped` otherwise.
   */
  readonly keyKind: "master" | "scoped"
  readonly probes: ReadonlyArray<Probe>
}

export interface VerifyOptions {
  /**
   * `POST /sequences` cannot be probed without risking a write, so it is reported `unprobed`
   * unless this is set; it then sends a create Apollo refuses on validation (`max_emails_per_day:
   * -1`), which is documented to be refused but not documented to be refused before writing.
   */
  readonly probeCreate?: boolean
}

export interface AddContactIdsParams extends W.AddContactIdsParams {}
export interface RemoveOrStopParams extends W.RemoveOrStopParams {}

export interface SearchOptions {
  /** Keywords Apollo matches against part of the name (`q_name`). */
  readonly nameContains?: string
  /** Results per page (`per_page`; default the client's `pageSize`). */
  readonly pageSize?: number
}

export interface Service {
  /** Where the client sends its requests (`…/api/v1`). */
  readonly baseUrl: string
  /** `POST /emailer_campaigns/search`: one page. */
  readonly searchSequences: (
    params?: W.SearchParams
  ) => Effect.Effect<Decoded<W.SearchResponse>, E.SequenceError>
  /** Every sequence the search finds, following pages lazily. */
  readonly search: (options?: SearchOptions) => Stream.Stream<Decoded<W.Campaign>, E.SequenceError>
  /** `GET /emailer_campaigns/{id}`: the sequence with steps, touches and templates. */
  readonly getSequence: (id: string) => Effect.Effect<Decoded<W.SequenceDetail>, E.SequenceError>
  /** `POST /sequences`, steps inline. Never retried after an ambiguous failure. */
  readonly createSequence: (
    body: W.CreateSequenceBody
  ) => Effect.Effect<Decoded<W.SequenceDetail>, E.SequenceError>
  /** `PUT /sequences/{id}`. With `emailer_steps`, every step (and touch) not listed is removed. */
  readonly updateSequence: (
    id: string,
    body: W.UpdateSequenceBody
  ) => Effect.Effect<Decoded<W.UpdateResponse>, E.SequenceError>
  /** `POST /emailer_campaigns/{id}/approve`: activates (422 when already active). */
  readonly approve: (id: string) => Effect.Effect<Decoded<W.ActionResponse>, E.SequenceError>
  /** `POST /emailer_campaigns/{id}/abort`: deactivates (422 when already inactive). */
  readonly abort: (id: string) => Effect.Effect<Decoded<W.ActionResponse>, E.SequenceError>
  /** `POST /emailer_campaigns/{id}/archive`: Apollo's only removal. */
  readonly archive: (id: string) => Effect.Effect<Decoded<W.ActionResponse>, E.SequenceError>
  /** `POST /emailer_campaigns/{id}/add_contact_ids`, parameters in the query (`contact_ids[]=…`). */
  readonly addContactIds: (
    id: string,
    params: AddContactIdsParams
  ) => Effect.Effect<Decoded<W.AddContactsResponse>, E.SequenceError>
  /** `POST /emailer_campaigns/remove_or_stop_contact_ids`. */
  readonly removeOrStopContactIds: (
    params: RemoveOrStopParams
  ) => Effect.Effect<Decoded<W.RemoveOrStopResponse>, E.SequenceError>
  /** `GET /emailer_schedules`: the team's sending schedules. */
  readonly listSchedules: Effect.Effect<Decoded<ReadonlyArray<W.EmailerSchedule>>, E.SequenceError>
  /** `GET /email_accounts`: the team's mailboxes. */
  readonly listEmailAccounts: Effect.Effect<Decoded<ReadonlyArray<W.EmailAccount>>, E.SequenceError>
  /**
   * Checks the key and which sequence endpoints it reaches, writing nothing: reads are called
   * (search with one result, schedules, mailboxes); writes and the single-sequence read are called
   * on an id that cannot exist (`000000000000000000000000`), which Apollo answers 404 past its key
   * check (reachable) or 403 `API_INACCESSIBLE` before it (denied). Fails with
   * `AuthenticationFailed` when the key itself is refused.
   */
  readonly verify: (options?: VerifyOptions) => Effect.Effect<Verification, E.SequenceError>
}

export class ApolloClient extends Context.Tag("@unisequence/apollo/ApolloClient")<ApolloClient, Service>() {}

/** An id no Apollo record has: probes on it are refused (404) before anything is written. */
export const probeId = "000000000000000000000000"

/** Refusals that prove nothing was done: the only retries a create may take. */
const refusedBeforeWork = (error: E.SequenceError) =>
  error._tag === "RateLimited" || error._tag === "Conflict"

const normaliseBase = (url: string) => url.replace(/\/+$/, "").replace(/\/api\/v1$/, "")

/** Windows of Apollo's rate headers; `day` also reads the older `x-daily-*` names. */
const windows = [
  {
    key: "minute",
    left: ["x-minute-requests-left"],
    limit: ["x-rate-limit-minute"],
    usage: ["x-minute-usage"],
    ms: 60_000
  },
  {
    key: "hour",
    left: ["x-hourly-requests-left"],
    limit: ["x-rate-limit-hourly"],
    usage: ["x-hourly-usage"],
    ms: 3_600_000
  },
  {
    key: "day",
    left: ["x-24-hour-requests-left", "x-daily-requests-left"],
    limit: ["x-rate-limit-24-hour", "x-rate-limit-daily"],
    usage: ["x-24-hour-usage", "x-daily-usage"],
    ms: 86_400_000
  }
] as const

const numberHeader = (
  headers: Readonly<Record<string, string | undefined>>,
  names: ReadonlyArray<string>
): number | undefined => {
  for (const name of names) {
    const value = headers[name]
    if (value !== undefined && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value)
  }
  return undefined
}

/** What the headers say of each window, with the time left until the fixed window ends. */
export const budgetsFromHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  now: number
): ReadonlyArray<Resilience.Budget> =>
  windows.flatMap((w) => {
    const left = numberHeader(headers, w.left)
    const limit = numberHeader(headers, w.limit)
    const usage = numberHeader(headers, w.usage)
    const remaining = left ?? (limit !== undefined && usage !== undefined ? limit - usage : undefined)
    if (remaining === undefined) return []
    return [{ key: w.key, remaining, resetAfter: Duration.millis(w.ms - (now % w.ms)) }]
  })

/** Builds the client on an `HttpClient`; each client has its own limiters (one credential). */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const base = `${normaliseBase(options.baseUrl ?? defaultBaseUrl)}/api/v1`
    const pageSize = Math.max(1, Math.min(100, options.pageSize ?? 100))

    // One limiter per endpoint: Apollo counts each endpoint's calls apart.
    const limiters = new Map<string, Resilience.Limiter>()
    const rateLimit = options.rateLimit
    for (const operation of Object.keys(Errors.scopes)) {
      limiters.set(
        operation,
        yield* Resilience.makeLimiter(
          rateLimit === undefined ? {} : typeof rateLimit === "function" ? { cap: rateLimit } : rateLimit
        )
      )
    }

    const pipeline = yield* HttpPipeline.make({
      provider: "apollo",
      spanPrefix: "ApolloClient",
      baseUrl: base,
      headers: { "user-agent": options.userAgent ?? defaultUserAgent, accept: "application/json" },
      // A bearer header is a 401 on Apollo.
      credential: {
        secret: options.apiKey,
        apply: (request, key) => HttpClientRequest.setHeader(request, "x-api-key", key)
      },
      secretHeaders: ["x-api-key"],
      timeout: options.timeout ?? defaultTimeout,
      retry: options.retry,
      refusedBeforeWork,
      statusError: Errors.statusError,
      limiter: (operation) => limiters.get(operation),
      // The window a request was counted in is known from when it was sent.
      observe: ({ operation, headers, sentAt }) => {
        const limiter = limiters.get(operation)
        return limiter === undefined
          ? Effect.void
          : Effect.forEach(budgetsFromHeaders(headers, sentAt), limiter.observe, { discard: true })
      },
      transformClient: options.transformClient
    })

    const run = <A>(call: HttpPipeline.Call<A>): Effect.Effect<Decoded<A>, E.SequenceError> =>
      Effect.map(pipeline.send(call), ({ value, raw }) => ({ value, raw }))

    const searchSequences = (params: W.SearchParams = {}) => run(Endpoints.searchSequences(params))

    const search = (searchOptions: SearchOptions = {}) => {
      const perPage = searchOptions.pageSize ?? pageSize
      return HttpPipeline.pages(1, (page: number) =>
        searchSequences({
          ...(searchOptions.nameContains === undefined ? {} : { q_name: searchOptions.nameContains }),
          page,
          per_page: perPage
        }).pipe(
          Effect.map(({ value, raw }) => {
            const rawItems =
              typeof raw === "object" &&
              raw !== null &&
              "emailer_campaigns" in raw &&
              Array.isArray(raw.emailer_campaigns)
                ? (raw.emailer_campaigns as ReadonlyArray<unknown>)
                : []
            const items = (value.emailer_campaigns ?? []).map((campaign, i) => ({
              value: campaign,
              raw: rawItems[i]
            }))
            const totalPages = value.pagination?.total_pages
            const more =
              items.length > 0 && (totalPages == null ? items.length >= perPage : page < totalPages)
            return [items, more ? Option.some(page + 1) : Option.none<number>()] as const
          })
        )
      )
    }

    const getSequence = (id: string) => run(Endpoints.getSequence(id))
    const createSequence = (body: W.CreateSequenceBody) => run(Endpoints.createSequence(body))
    const updateSequence = (id: string, body: W.UpdateSequenceBody) => run(Endpoints.updateSequence(id, body))
    const action = (operation: Endpoints.Action) => (id: string) => run(Endpoints.action(operation, id))
    const addContactIds = (id: string, params: AddContactIdsParams) =>
      run(Endpoints.addContactIds(id, params))
    const removeOrStopContactIds = (params: RemoveOrStopParams) =>
      run(Endpoints.removeOrStopContactIds(params))

    const listSchedules = run(Endpoints.listSchedules).pipe(
      Effect.map(({ value, raw }) => ({ value: value.emailer_schedules ?? [], raw }))
    )

    const listEmailAccounts = run(Endpoints.listEmailAccounts).pipe(
      Effect.map(({ value, raw }) => ({ value: value.email_accounts ?? [], raw }))
    )

    const verify = (verifyOptions: VerifyOptions = {}) =>
      Effect.gen(function* () {
        const probe = <A>(
          operation: Operation,
          how: string,
          effect: Effect.Effect<A, E.SequenceError>
        ): Effect.Effect<Probe, E.SequenceError> =>
          effect.pipe(
            Effect.map(
              (): Probe => ({
                operation,
                scope: scopes[operation],
                status: "reachable",
                detail: `${how}: answered`
              })
            ),
            Effect.catchAll((error): Effect.Effect<Probe, E.SequenceError> => {
              const result = (status: ProbeStatus, detail: string): Probe => ({
                operation,
                scope: scopes[operation],
                status,
                detail: `${how}: ${detail}`
              })
              switch (error._tag) {
                case "AuthenticationFailed":
                  return Effect.fail(error)
                case "PermissionDenied":
                  return Effect.succeed(result("denied", error.reason))
                case "SequenceNotFound":
                  return Effect.succeed(result("reachable", "404 past the key check"))
                case "InvalidInput":
                  return Effect.succeed(result("reachable", `422 past the key check (${error.message})`))
                case "Unsupported":
                  return Effect.succeed(result("unavailable", error.detail))
                default:
                  return Effect.succeed(result("failed", error.message))
              }
            })
          )
        const probes: Array<Probe> = []
        probes.push(yield* probe("listEmailAccounts", "GET /email_accounts", listEmailAccounts))
        probes.push(yield* probe("listSchedules", "GET /emailer_schedules", listSchedules))
        probes.push(
          yield* probe(
            "searchSequences",
            "POST /emailer_campaigns/search?per_page=1",
            searchSequences({ per_page: 1 })
          )
        )
        probes.push(yield* probe("getSequence", `GET /emailer_campaigns/${probeId}`, getSequence(probeId)))
        probes.push(
          yield* probe("updateSequence", `PUT /sequences/${probeId} {}`, updateSequence(probeId, {}))
        )
        for (const operation of ["approve", "abort", "archive"] as const) {
          probes.push(
            yield* probe(
              operation,
              `POST /emailer_campaigns/${probeId}/${operation}`,
              action(operation)(probeId)
            )
          )
        }
        probes.push(
          yield* probe(
            "addContactIds",
            `POST /emailer_campaigns/${probeId}/add_contact_ids with unknown contact and mailbox ids`,
            addContactIds(probeId, { contactIds: [probeId], sendEmailFromEmailAccountId: probeId })
          )
        )
        probes.push(
          yield* probe(
            "removeOrStopContactIds",
            "POST /emailer_campaigns/remove_or_stop_contact_ids mode=stop for unknown ids",
            removeOrStopContactIds({ sequenceIds: [probeId], contactIds: [probeId], mode: "stop" })
          )
        )
        if (verifyOptions.probeCreate === true) {
          probes.push(
            yield* probe(
              "createSequence",
              "POST /sequences with max_emails_per_day -1 (refused on validation)",
              createSequence({ name: "unisequence verify probe", max_emails_per_day: -1 })
            )
          )
        } else {
          probes.push({
            operation: "createSequence",
            scope: scopes.createSequence,
            status: "unprobed",
            detail: "POST /sequences has no request Apollo is documented to refuse before writing"
          })
        }
        const probed = probes.filter((p) => p.status !== "unprobed" && p.status !== "unavailable")
        return {
          keyKind: probed.every((p) => p.status === "reachable") ? ("master" as const) : ("scoped" as const),
          probes
        }
      }).pipe(
        Effect.withSpan("ApolloClient.verify", {
          kind: "client",
          attributes: { "unisequence.provider": "apollo" }
        })
      )

    return {
      baseUrl: base,
      searchSequences,
      search,
      getSequence,
      createSequence,
      updateSequence,
      approve: action("approve"),
      abort: action("abort"),
      archive: action("archive"),
      addContactIds,
      removeOrStopContactIds,
      listSchedules,
      listEmailAccounts,
      verify
    }
  })

/** Provides `ApolloClient` alone; `Apollo.layer` provides it with `Sequences`. */
export const layer = (options: Options): Layer.Layer<ApolloClient, never, HttpClient.HttpClient> =>
  Layer.effect(ApolloClient, make(options))

/**
 * Reads `APOLLO_API_KEY` (with `Config.redacted`, so it stays redacted from the environment on) and
 * the optional `APOLLO_BASE_URL` as client options.
 */
export const config: Config.Config<Options> = Config.all({
  apiKey: Config.redacted("APOLLO_API_KEY"),
  baseUrl: Config.option(Config.nonEmptyString("APOLLO_BASE_URL"))
}).pipe(
  Config.map(
    ({ apiKey, baseUrl }): Options => ({
      apiKey,
      ...(Option.isSome(baseUrl) ? { baseUrl: baseUrl.value } : {})
    })
  )
)
