/** The HTTP side: node:http server, auth, rate limits, write locks, faults, the request log. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { ApiError, alreadyProcessing, forbidden, unauthorizedText } from "./errors.js"
import { type Decision, FaultInjector } from "../faults.js"
import { htmlErrorPage, wrongTypes } from "./faults.js"
import { type ApiRequest, handle, type Query } from "./handlers.js"
import { isRecord, parseJson } from "./json.js"
import { RateLimiter } from "./rateLimit.js"
import { type Route, route, Scopes, sequenceWrites, writes } from "./routes.js"
import { Store } from "./store.js"
import type {
  FaultCounts,
  FaultOptions,
  KeyKind,
  LoggedRequest,
  Operation,
  Options,
  Seed,
  Snapshot
} from "./types.js"

export interface ApolloSimulator {
  /** `http://127.0.0.1:PORT`: the adapter's base URL; API paths are `url + "/api/v1/…"`. */
  readonly url: string
  readonly requests: ReadonlyArray<LoggedRequest>
  clearLog(): void
  /** Back to the seed (or to `seed`, which becomes the new baseline); also clears the log, rate windows and faults' PRNG. */
  reset(seed?: Seed): void
  state(): Snapshot
  /** Adds the seed's entities to the current state. */
  seed(seed: Seed): void
  setFaults(faults: FaultOptions | undefined): void
  readonly faultCounts: FaultCounts
  close(): Promise<void>
}

interface Outgoing {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

type MutableLogged = { -readonly [K in keyof LoggedRequest]: LoggedRequest[K] }

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Outgoing => ({
  status,
  headers: { ...headers, "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify(body)
})

const text = (
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {}
): Outgoing => ({
  status,
  headers: { ...headers, "content-type": contentType + "; charset=utf-8" },
  body
})

/** Repeated parameters and every `name[]` parameter become arrays; others stay strings. */
export const parseQuery = (params: URLSearchParams): Query => {
  const query: Record<string, string | Array<string>> = {}
  for (const [key, value] of params) {
    const known = query[key]
    if (known === undefined) query[key] = key.endsWith("[]") ? [value] : value
    else if (Array.isArray(known)) known.push(value)
    else query[key] = [known, value]
  }
  return query
}

/** Form bodies become a record like a JSON one (`a[]` keys as arrays), since Rails reads both. */
const parseBody = (raw: string, contentType: string | undefined): { readonly value: unknown } | undefined => {
  if (raw.trim() === "") return { value: undefined }
  if (contentType?.includes("application/x-www-form-urlencoded") === true) {
    const form = parseQuery(new URLSearchParams(raw))
    return {
      value: Object.fromEntries(
        Object.entries(form).map(([k, v]) => [k.endsWith("[]") ? k.slice(0, -2) : k, v])
      )
    }
  }
  return parseJson(raw)
}

const readRaw = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const statusPages: Readonly<Record<500 | 502 | 503, Outgoing>> = {
  500: json(500, { error: "Something went wrong. Please try again later." }),
  502: text(
    502,
    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
    "text/html"
  ),
  503: text(
    503,
    "<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
    "text/html"
  )
}

export const startServer = async (options: Options): Promise<ApolloSimulator> => {
  const now = options.now ?? Date.now
  const masterKeys = new Set(options.masterKeys ?? ["apollo_master_key"])
  const scopedKeys = new Map(
    Object.entries(options.scopedKeys ?? {}).map(([k, scopes]) => [k, new Set(scopes)])
  )
  const writeMs = options.writeProcessingMs ?? 0
  const plan = options.plan ?? {}
  let baseline: Seed = options.seed ?? {}
  const profile = options.profile ?? "documented"
  const observed = profile === "observed"
  const readOneSequence = options.quirks?.readOneSequence ?? observed
  const stringEncodedLists = options.quirks?.stringEncodedLists ?? false
  let store = new Store(baseline, now, profile)
  let log: Array<MutableLogged> = []
  const limiter = new RateLimiter(options.rateLimit, now)
  const faults = new FaultInjector<Operation>(options.faults)
  const locks = new Set<string>()
  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  const kindOf = (key: string | undefined): KeyKind =>
    key === undefined ? "none" : masterKeys.has(key) ? "master" : scopedKeys.has(key) ? "scoped" : "none"

  const authorize = (key: string | undefined, operation: Operation): Outgoing | undefined => {
    const kind = kindOf(key)
    // Only `x-api-key` counts: a bearer header carrying an API key is refused like no key at all.
    if (kind === "none" || key === undefined) return text(401, unauthorizedText, "text/plain")
    if (kind === "scoped" && scopedKeys.get(key)?.has(Scopes[operation]) !== true) {
      const error = forbidden(Scopes[operation])
      return json(error.status, error.body)
    }
    return undefined
  }

  /** Runs the operation: holding a per-sequence write lock when it writes to a sequence. */
  const process = async (
    r: Route,
    apiRequest: ApiRequest,
    headers: Record<string, string>
  ): Promise<Outgoing> => {
    const lockKey = sequenceWrites.has(r.operation) ? r.id : undefined
    if (lockKey !== undefined) {
      if (locks.has(lockKey)) {
        const busy = alreadyProcessing()
        return json(busy.status, busy.body, headers)
      }
      if (writeMs > 0) {
        locks.add(lockKey)
        await delay(writeMs)
        locks.delete(lockKey)
      }
    }
    try {
      const body = handle({ store, plan }, apiRequest)
      // The document's examples of these two answers are JSON strings holding the object.
      if (stringEncodedLists && (r.operation === "listSchedules" || r.operation === "listEmailAccounts"))
        return json(200, JSON.stringify(body), headers)
      return json(200, body, headers)
    } catch (error) {
      if (error instanceof ApiError) return json(error.status, error.body, headers)
      return json(500, { error: "Internal error" }, headers)
    }
  }

  /** Sends `out`, garbled, cut or dripped as the fault says. */
  const send = (
    res: ServerResponse,
    entry: MutableLogged,
    out: Outgoing,
    fault: Decision | undefined
  ): void => {
    let status = out.status
    let headers = out.headers
    let payload = out.body
    if (fault?.kind === "malformed") {
      if (fault.malformed === "truncated_json")
        payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)))
      else if (fault.malformed === "wrong_types") {
        const parsed = parseJson(payload)
        if (parsed !== undefined) payload = JSON.stringify(wrongTypes(parsed.value)) ?? payload
      } else {
        status = fault.malformed === "html_200" ? 200 : 502
        headers = { ...headers, "content-type": "text/html; charset=utf-8" }
        payload = htmlErrorPage
      }
    }
    const bytes = Buffer.from(payload, "utf8")
    entry.status = status
    if (fault === undefined) entry.response = { contentType: headers["content-type"] ?? null, text: payload }
    res.writeHead(status, { ...headers, "content-length": String(bytes.length) })
    if (fault?.kind === "reset") {
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy())
      return
    }
    if (fault?.kind === "slowBody") {
      void drip(res, bytes, fault.slowMs)
      return
    }
    res.end(bytes)
  }

  const drip = async (res: ServerResponse, bytes: Buffer, ms: number): Promise<void> => {
    const parts = 10
    const size = Math.ceil(bytes.length / parts)
    for (let i = 0; i < parts; i++) {
      if (res.destroyed) return
      res.write(bytes.subarray(i * size, (i + 1) * size))
      await delay(ms / parts)
    }
    if (!res.destroyed) res.end()
  }

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = now()
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const method = req.method ?? "GET"
    const query = parseQuery(url.searchParams)
    const raw = await readRaw(req)
    const parsed = parseBody(raw, req.headers["content-type"])
    const headerKey = req.headers["x-api-key"]
    const key = typeof headerKey === "string" ? headerKey : undefined
    const found = route(method, url.pathname)
    // Not in the document: `GET /emailer_campaigns/{id}` (unless turned on) and the collection GET.
    const r =
      (found?.operation === "getCampaign" && !readOneSequence) ||
      (found?.operation === "listCampaigns" && !observed)
        ? undefined
        : found
    const entry: MutableLogged = {
      method,
      path: url.pathname,
      query,
      body: parsed?.value ?? null,
      status: null,
      keyKind: kindOf(key),
      operation: r?.operation ?? null,
      fault: null,
      at,
      response: null
    }
    log.push(entry)
    if (r === undefined) {
      send(
        res,
        entry,
        text(404, "<html><body>The page you were looking for doesn't exist.</body></html>", "text/html"),
        undefined
      )
      return
    }
    const operation = r.operation
    /** Auth, rate limit and the operation itself: the provider's answer as if nothing went wrong. */
    const respond = async (): Promise<Outgoing> => {
      const denied = authorize(key, operation)
      if (denied !== undefined) return denied
      const rate = limiter.check(operation)
      if (!rate.ok) {
        const message =
          "The maximum number of api calls allowed for " +
          Scopes[operation] +
          " is " +
          rate.limit +
          " times per " +
          rate.window +
          ". Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."
        return json(429, { message }, { ...rate.headers, "retry-after": String(rate.retryAfterSeconds) })
      }
      if (parsed === undefined)
        return json(400, { error: "The request body is not valid JSON." }, rate.headers)
      return process(r, { route: r, query, body: parsed.value }, rate.headers)
    }
    const gone = () => res.destroyed || req.socket.destroyed
    const fault = faults.decide(operation)
    entry.fault = fault?.kind ?? null
    switch (fault?.kind) {
      case undefined: {
        const out = await respond()
        if (!gone()) send(res, entry, out, undefined)
        return
      }
      case "serverError":
        if (fault.afterCommit) await respond()
        if (!gone()) send(res, entry, statusPages[fault.status], undefined)
        return
      case "reset": {
        if (!fault.afterCommit) {
          req.socket.destroy()
          return
        }
        const out = await respond()
        if (!gone()) send(res, entry, out, fault)
        return
      }
      case "hang": {
        // No answer: until the client gives up (or the simulator closes), or for `hangMs`.
        const early = fault.afterCommit ? await respond() : undefined
        if (fault.hangMs === undefined) return
        await delay(fault.hangMs)
        if (gone()) return
        const out = early ?? (await respond())
        if (!gone()) send(res, entry, out, undefined)
        return
      }
      case "slowBody": {
        const out = await respond()
        if (!gone()) send(res, entry, out, fault)
        return
      }
      case "malformed": {
        // Before the write, a write is not processed: the garbled answer is that of a failure.
        const out =
          fault.afterCommit || !writes.has(operation)
            ? await respond()
            : json(500, { error: "Something went wrong. Please try again later." })
        if (!gone()) send(res, entry, out, fault)
        return
      }
    }
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "Internal error" }))
    })
  })
  server.keepAliveTimeout = 5_000
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve())
  })
  const address = server.address()
  const port = isRecord(address) && typeof address.port === "number" ? address.port : (options.port ?? 0)
  const url = "http://127.0.0.1:" + port

  let closed: Promise<void> | undefined
  return {
    url,
    get requests() {
      return [...log]
    },
    clearLog: () => {
      log = []
    },
    reset: (seed) => {
      if (seed !== undefined) baseline = seed
      store = new Store(baseline, now, profile)
      log = []
      limiter.reset()
      faults.reset()
      locks.clear()
    },
    state: () => store.snapshot(),
    seed: (seed) => store.add(seed),
    setFaults: (f) => faults.set(f),
    get faultCounts() {
      return faults.faultCounts
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closed
    }
  }
}
