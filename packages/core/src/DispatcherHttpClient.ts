/**
 * An `HttpClient` straight over a dispatcher with undici's `request` API (an `undici.Agent`, a `Pool`,
 * a `ProxyAgent`…): the request goes out as origin, path, method, headers and body, and the answer
 * is read from undici's own body, with no WHATWG `Request`/`Response` objects, no `URL` per request
 * and no span of its own (the adapters' pipeline makes one per call, with the provider, the operation
 * and the ids). It stays a real `HttpClient`: `transformClient`, `mapRequest`, `tap`… all work on it.
 *
 * The CLI and the Promise API use it by default; on this machine it brings an adapter's `get`
 * under a plain `fetch` client (bench/README.md, benchmark 1), where `NodeHttpClient.layerUndici`,
 * which runs every request through `HttpClient.make` (a `URL`, an `AbortController`, a span with
 * every header, a finalization registry entry, a wrapper response), did not.
 *
 * Interruption aborts the request, or destroys the body being read. A body that is never read is
 * left to the dispatcher (undici frees the socket when the body is garbage collected): read or
 * discard what you receive.
 *
 * Core imports no undici: the dispatcher is given, as a structural type, by the caller.
 *
 * @example
 * ```ts
 * import { Agent } from "undici"
 * import { DispatcherHttpClient } from "@unisequence/core"
 *
 * const layer = DispatcherHttpClient.layer(() => {
 *   const agent = new Agent()
 *   return { request: (options) => agent.request(options), close: () => agent.close() }
 * })
 * ```
 *
 * @module
 */
import {
  Cookies,
  Headers,
  HttpClient,
  HttpClientError,
  type HttpClientRequest,
  HttpClientResponse,
  HttpIncomingMessage,
  UrlParams
} from "@effect/platform"
import { Cause, Effect, FiberRef, Inspectable, Layer, Option, Predicate, Stream } from "effect"
import { globalValue } from "effect/GlobalValue"

/**
 * What this client needs of a dispatcher: undici's `Dispatcher.request` (of an `Agent`, a `Pool`, a
 * `Client`), given as `(options) => agent.request(options)`.
 */
export interface Dispatcher {
  readonly request: (options: RequestOptions) => Promise<ResponseData>
}

/** A dispatcher that can be closed with its sockets (`() => agent.close()`). */
export interface ClosableDispatcher extends Dispatcher {
  readonly close: () => Promise<void>
}

export interface RequestOptions {
  readonly origin: string
  readonly path: string
  readonly method: HttpClientRequest.HttpClientRequest["method"]
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | null
  readonly signal: AbortSignal
}

/** undici's body (a Node `Readable`), as far as this client reads it. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  readonly destroyed: boolean
  readonly readableEnded: boolean
  destroy(error?: Error): unknown
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown
  on(event: "end" | "close", listener: () => void): unknown
  on(event: "error", listener: (error: Error) => void): unknown
}

export interface ResponseData {
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: ResponseBody
}

const noop = () => {}

/** UTF-8, a byte order mark dropped, malformed bytes replaced: what undici's `text()` decodes. */
const utf8 = new TextDecoder()

const decode = (bytes: Uint8Array): string => utf8.decode(bytes)

/** The chunks of a body as one array of bytes (the one chunk itself when there is one). */
const concat = (chunks: ReadonlyArray<Uint8Array>, length: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const all = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.length
  }
  return all
}

/** A reader of a body being read. */
interface Waiter {
  readonly keep: boolean
  readonly resume: (effect: Effect.Effect<Uint8Array, HttpClientError.ResponseError>) => void
}

interface Collecting {
  waiters: Array<Waiter>
}

/**
 * A deadline in milliseconds for a request and the reading of its body, when a caller sets one
 * (`Effect.locally`); past it the request is aborted, or the body destroyed, with a
 * `Cause.TimeoutException` as the error's cause. It takes precedence over a client's own `timeout`
 * (`withTimeout`, which the adapters' pipeline uses).
 */
export const currentTimeout: FiberRef.FiberRef<number | undefined> = globalValue(
  Symbol.for("@unisequence/core/DispatcherHttpClient/currentTimeout"),
  () => FiberRef.unsafeMake<number | undefined>(undefined)
)

/** The dispatcher a client of this module sends through: what marks the client as this module's. */
const DispatcherOf: unique symbol = Symbol.for("@unisequence/core/DispatcherHttpClient/Dispatcher")

/** Whether `client` is this module's, which honours `currentTimeout` and `withTimeout`. */
export const honoursTimeout = (client: HttpClient.HttpClient): boolean =>
  Predicate.hasProperty(client, DispatcherOf)

/** The timer of one request: aborts it, or destroys its body, when it fires. */
class Deadline {
  fired: Cause.TimeoutException | undefined
  body: ResponseBody | undefined
  private readonly timer: ReturnType<typeof setTimeout>

  constructor(millis: number, controller: AbortController) {
    this.timer = setTimeout(() => {
      this.fired = new Cause.TimeoutException(`no answer within ${millis} ms`)
      controller.abort(this.fired)
      this.body?.destroy(this.fired)
    }, millis)
  }

  clear() {
    clearTimeout(this.timer)
  }
}

/** `origin` and `path?query#hash` of a request, without a `URL` when the URL has no query of its own. */
const target = (
  request: HttpClientRequest.HttpClientRequest
): { readonly origin: string; readonly path: string } | undefined => {
  const { url } = request
  const scheme = url.indexOf("://")
  const slash = scheme === -1 ? -1 : url.indexOf("/", scheme + 3)
  if (scheme === -1 || url.includes("?") || url.includes("#")) {
    const made = UrlParams.makeUrl(url, request.urlParams, request.hash)
    if (made._tag === "Left") return undefined
    return { origin: made.right.origin, path: made.right.pathname + made.right.search + made.right.hash }
  }
  const origin = slash === -1 ? url : url.slice(0, slash)
  let path = slash === -1 ? "/" : url.slice(slash)
  if (request.urlParams.length > 0) path += `?${UrlParams.toString(request.urlParams)}`
  if (Option.isSome(request.hash)) path += `#${request.hash.value}`
  return { origin, path }
}

const bodyOf = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<
  { readonly body: RequestOptions["body"]; readonly headers: Readonly<Record<string, string>> },
  HttpClientError.RequestError
> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ body: null, headers: request.headers })
    case "Uint8Array":
      return Effect.succeed({ body: body.body, headers: request.headers })
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Effect.succeed({ body: body.body, headers: request.headers })
        : Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Encode",
              description: "a raw body must be a string or bytes"
            })
          )
    case "Stream":
      // Collected first: a request body here is small (JSON), and bytes need no stream adapter.
      return body.stream.pipe(
        Stream.runFold(new Uint8Array(0), (all, chunk) => {
          const joined = new Uint8Array(all.length + chunk.length)
          joined.set(all)
          joined.set(chunk, all.length)
          return joined
        }),
        Effect.map((bytes) => ({ body: bytes, headers: request.headers })),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
    case "FormData":
      // Encoded by the platform's own `Response`, which writes the multipart boundary.
      return Effect.tryPromise({
        try: async () => {
          const encoded = new Response(body.formData)
          return {
            body: new Uint8Array(await encoded.arrayBuffer()),
            headers: { ...request.headers, "content-type": encoded.headers.get("content-type") ?? "" }
          }
        },
        catch: (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
      })
  }
}

class DispatcherResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly status: number
  private cachedHeaders: Headers.Headers | undefined
  /** Who waits for the body being read; the bytes kept for a later read once it is. */
  private body: Collecting | Uint8Array | "consumed" | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: ResponseData,
    private readonly deadline: Deadline | undefined
  ) {
    super()
    this.status = source.statusCode
    // A body destroyed on interruption or at the deadline reports it; nobody else is listening then.
    source.body.on("error", noop)
    if (deadline !== undefined) deadline.body = source.body
  }

  private fail(cause: unknown) {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      cause
    })
  }

  /**
   * The body's bytes, read once with the body's own events. `keep`: kept for the next read (a
   * `transformClient` that logs the text, then the caller); otherwise the last reader takes them.
   *
   * Nothing made before the body arrives is given the body: not this response, not a promise. Such
   * an object has often been moved to the old generation by then, and whatever it points to is kept
   * (and promoted) until the next full collection; a page's bytes held so made about one full
   * collection per listing of 100 pages (bench/README.md, benchmark 2). The reader's array of chunks
   * is emptied at the end, and the bytes are kept only when a reader asks for it.
   */
  private bytes(keep: boolean): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    return Effect.async<Uint8Array, HttpClientError.ResponseError>((resume) => {
      const state = this.body
      if (state instanceof Uint8Array) {
        if (!keep) this.body = "consumed"
        return resume(Effect.succeed(state))
      }
      if (state === "consumed") return resume(Effect.fail(this.fail(new Error("the body was already read"))))
      const waiter: Waiter = { keep, resume }
      if (state !== undefined) state.waiters.push(waiter)
      else this.collect(waiter)
      return Effect.sync(() => {
        this.deadline?.clear()
        this.source.body.destroy()
      })
    })
  }

  private collect(first: Waiter) {
    const collecting: Collecting = { waiters: [first] }
    this.body = collecting
    let chunks: Array<Uint8Array> = []
    let length = 0
    const settle = (outcome: unknown) => {
      this.deadline?.clear()
      const { waiters } = collecting
      collecting.waiters = []
      chunks = []
      if (outcome instanceof Uint8Array) {
        this.body = waiters.some((waiter) => waiter.keep) ? outcome : "consumed"
        for (const waiter of waiters) waiter.resume(Effect.succeed(outcome))
      } else {
        this.body = "consumed"
        for (const waiter of waiters) waiter.resume(Effect.fail(this.fail(this.deadline?.fired ?? outcome)))
      }
    }
    const body = this.source.body
    if (body.destroyed || body.readableEnded) return settle(new Error("the body was already read"))
    body.on("data", (chunk) => {
      chunks.push(chunk)
      length += chunk.length
    })
    body.on("end", () => settle(concat(chunks, length)))
    body.on("error", (error) => {
      if (this.body === collecting) settle(error)
    })
    body.on("close", () => {
      if (this.body === collecting) settle(new Error("the body ended before it was complete"))
    })
  }

  /** The body as text for its last reader: the bytes are not kept (`takeText`). */
  get lastText(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.bytes(false), decode)
  }

  get headers(): Headers.Headers {
    if (this.cachedHeaders === undefined) this.cachedHeaders = Headers.fromInput(this.source.headers)
    return this.cachedHeaders
  }

  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.bytes(true), decode)
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: (): unknown => (text === "" ? null : JSON.parse(text)),
        catch: (cause) => this.fail(cause)
      })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    // A copy unless the bytes span their whole buffer (a chunk is a view of a larger read; and a
    // Node `Buffer`'s `slice` is a view too, so the copy is a plain `Uint8Array`'s).
    return Effect.map(this.bytes(true), (bytes) =>
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer
        ? bytes.buffer
        : new Uint8Array(bytes).buffer
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.fail(cause)
      })
    )
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.arrayBuffer, (bytes) =>
      Effect.tryPromise({
        try: () =>
          new Response(bytes, {
            headers: { "content-type": this.headers["content-type"] ?? "" }
          }).formData(),
        catch: (cause) => this.fail(cause)
      })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    // Bytes another read kept are the body; otherwise the stream reads it, and nothing after can.
    if (this.body instanceof Uint8Array) return Stream.succeed(this.body)
    if (this.body === undefined) this.body = "consumed"
    return Stream.fromAsyncIterable(this.source.body, (cause) => this.fail(cause)).pipe(
      Stream.ensuring(
        Effect.sync(() => {
          this.source.body.destroy()
        })
      )
    )
  }

  override toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", request: this.request.toJSON(), status: this.status }
  }
}

export interface Options {
  /**
   * A deadline in milliseconds for every request and the reading of its body (default none;
   * `currentTimeout`, when a caller sets it, takes precedence).
   */
  readonly timeout?: number | undefined
}

/**
 * A response's body as text, for its last reader (the adapters' pipeline): on this module's
 * responses the bytes are not kept for another read, which would keep them alive until a full
 * collection; every other response reads its `text`.
 */
export const takeText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError> =>
  response instanceof DispatcherResponse ? response.lastText : response.text

/** An `HttpClient` over `dispatcher`. */
export const make = (dispatcher: Dispatcher, options: Options = {}): HttpClient.HttpClient => {
  const defaultTimeout = options.timeout
  const send = (
    request: HttpClientRequest.HttpClientRequest,
    where: { readonly origin: string; readonly path: string },
    body: RequestOptions["body"],
    headers: Readonly<Record<string, string>>,
    timeout: number | undefined
  ) =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
      const controller = new AbortController()
      const deadline = timeout === undefined ? undefined : new Deadline(timeout, controller)
      dispatcher
        .request({
          origin: where.origin,
          path: where.path,
          method: request.method,
          headers,
          body,
          signal: controller.signal
        })
        .then(
          (data) => resume(Effect.succeed(new DispatcherResponse(request, data, deadline))),
          (cause: unknown) => {
            deadline?.clear()
            resume(
              Effect.fail(
                new HttpClientError.RequestError({
                  request,
                  reason: "Transport",
                  cause: deadline?.fired ?? cause
                })
              )
            )
          }
        )
      return Effect.sync(() => {
        deadline?.clear()
        controller.abort()
      })
    })
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    Effect.flatMap((request: HttpClientRequest.HttpClientRequest) => {
      const where = target(request)
      if (where === undefined)
        return Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "InvalidUrl",
            description: `not a URL: ${request.url}`
          })
        )
      // The deadline read from the running fiber in the same step as the request is sent.
      const timed = (body: RequestOptions["body"], headers: Readonly<Record<string, string>>) =>
        Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>(
          (fiber) => send(request, where, body, headers, fiber.getFiberRef(currentTimeout) ?? defaultTimeout)
        )
      const given = request.body
      // The usual bodies (none, bytes, a string) need no effect of their own to be prepared.
      if (given._tag === "Empty") return timed(null, request.headers)
      if (given._tag === "Uint8Array") return timed(given.body, request.headers)
      return Effect.flatMap(bodyOf(request), ({ body, headers }) => timed(body, headers))
    }),
    Effect.succeed
  )
  return Object.assign(client, { [DispatcherOf]: dispatcher })
}

/**
 * The same client (same dispatcher, same sockets) with a deadline on every request, or `undefined`
 * when `client` is not this module's. The adapters' pipeline builds its client so, once, rather
 * than setting `currentTimeout` around every attempt (each `Effect.locally` copies the fiber's
 * references twice: measurable per request under concurrency).
 */
export const withTimeout = (
  client: HttpClient.HttpClient,
  millis: number
): HttpClient.HttpClient | undefined => {
  if (!Predicate.hasProperty(client, DispatcherOf)) return undefined
  const dispatcher = client[DispatcherOf]
  return isDispatcher(dispatcher) ? make(dispatcher, { timeout: millis }) : undefined
}

const isDispatcher = (u: unknown): u is Dispatcher =>
  Predicate.hasProperty(u, "request") && typeof u.request === "function"

/**
 * A layer of the client over a dispatcher made when the layer is built and closed with its scope
 * (its sockets with it).
 */
export const layer = (makeDispatcher: () => ClosableDispatcher): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(Effect.sync(makeDispatcher), (dispatcher) =>
        Effect.promise(() => dispatcher.close())
      ),
      make
    )
  )
