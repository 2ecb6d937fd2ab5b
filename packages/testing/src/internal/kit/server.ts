/** The HTTP side of the Kit simulator: auth, rate limit, routing, logging and fault delivery. */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { type Decision, FaultInjector } from "../faults.js"
import { htmlPage, withWrongTypes } from "./faults.js"
import { handle, notFound, type Plan, type Quirks, route } from "./handlers.js"
import { parseJson } from "./json.js"
import { type Limit, RateLimiter } from "./rateLimit.js"
import { Store } from "./store.js"
import type {
  AuthKind,
  FaultCounts,
  FaultOptions,
  KitSimulator,
  LoggedRequest,
  Operation,
  Options,
  RateLimitOptions,
  Seed
} from "./types.js"

const JSON_TYPE = "application/json; charset=utf-8"

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

interface Auth {
  readonly kind: AuthKind
  /** The credential itself, only as a rate-limit map key; never logged. */
  readonly credential: string | undefined
  readonly valid: boolean
}

const authenticate = (
  headers: http.IncomingHttpHeaders,
  apiKeys: ReadonlySet<string>,
  tokens: ReadonlySet<string>
): Auth => {
  const key = headers["x-kit-api-key"]
  if (typeof key === "string") return { kind: "api_key", credential: `k:${key}`, valid: apiKeys.has(key) }
  const authorization = headers.authorization
  const bearer = typeof authorization === "string" ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null
  if (bearer?.[1] !== undefined) {
    return { kind: "oauth", credential: `o:${bearer[1]}`, valid: tokens.has(bearer[1]) }
  }
  return { kind: "none", credential: undefined, valid: false }
}

const resolveLimits = (
  options: false | RateLimitOptions | undefined
): { readonly apiKey: Limit; readonly oauth: Limit } | undefined =>
  options === false
    ? undefined
    : {
        apiKey: options?.apiKey ?? { limit: 120, windowMs: 60_000 },
        oauth: options?.oauth ?? { limit: 600, windowMs: 60_000 }
      }

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", () => resolve(""))
  })

const bodyBytes = (plan: Plan): Buffer =>
  plan.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(plan.body), "utf8")

const send = (
  res: http.ServerResponse,
  status: number,
  body: Buffer,
  contentType: string | undefined
): void => {
  const headers: http.OutgoingHttpHeaders = { "content-length": body.length }
  if (contentType !== undefined && status !== 204) headers["content-type"] = contentType
  res.writeHead(status, headers)
  res.end(status === 204 ? undefined : body)
}

/** Logs the answer sent whole (faults that garble or cut an answer leave `response` null). */
const answered = (entry: Mutable<LoggedRequest>, status: number, body: Buffer, contentType: string): void => {
  entry.status = status
  entry.response = { contentType: status === 204 ? null : contentType, text: body.toString("utf8") }
}

export const startServer = async (options: Options = {}): Promise<KitSimulator> => {
  const now = options.now ?? Date.now
  const store = new Store(now)
  let baseline: Seed = options.seed ?? {}
  store.apply(baseline)
  const profile = options.profile ?? "documented"
  const documented = profile === "documented"
  const quirks: Quirks = {
    hourEmailSendDays: options.quirks?.hourEmailSendDays ?? (documented ? "all_days" : "null"),
    positionInWriteResponses: options.quirks?.positionInWriteResponses ?? (documented ? "null" : "value")
  }
  const ctx = { store, now, quirks, profile, createForbidden: options.createForbidden ?? false }
  const apiKeys: ReadonlySet<string> = new Set(options.apiKeys ?? ["kit_test_key"])
  const tokens: ReadonlySet<string> = new Set(options.oauthTokens ?? [])
  const limits = resolveLimits(options.rateLimit)
  const limiter = new RateLimiter(now)
  const log: Array<Mutable<LoggedRequest>> = []
  const faults = new FaultInjector<Operation>(options.faults)
  const timers = new Set<NodeJS.Timeout>()

  const later = (ms: number, f: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t)
      f()
    }, ms)
    timers.add(t)
  }

  /** Answers with `plan` under fault `decision`; returns the status line sent (null if none). */
  const deliver = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    plan: Plan,
    decision: Decision | undefined,
    entry: Mutable<LoggedRequest>
  ): void => {
    const commit = () => plan.commit?.()
    const normal = () => {
      commit()
      const body = bodyBytes(plan)
      answered(entry, plan.status, body, JSON_TYPE)
      send(res, plan.status, body, JSON_TYPE)
    }
    if (decision === undefined) {
      normal()
      return
    }
    entry.fault = decision.kind
    if ("afterCommit" in decision && decision.afterCommit) commit()
    switch (decision.kind) {
      case "serverError": {
        const s = decision.status
        entry.status = s
        // A 500 from the app is JSON; 502/503 come from the load balancer in front of it, as HTML.
        if (s === 500)
          send(res, s, Buffer.from(JSON.stringify({ errors: ["Internal Server Error"] })), JSON_TYPE)
        else send(res, s, Buffer.from(htmlPage(s)), "text/html; charset=utf-8")
        return
      }
      case "hang": {
        if (decision.hangMs === undefined) return
        later(decision.hangMs, () => {
          if (req.socket.destroyed) return
          // A delayed answer: the work happens now unless it already happened.
          if (!decision.afterCommit) commit()
          const body = bodyBytes(plan)
          answered(entry, plan.status, body, JSON_TYPE)
          send(res, plan.status, body, JSON_TYPE)
        })
        return
      }
      case "reset": {
        const body = bodyBytes(plan)
        if (body.length === 0) {
          req.socket.destroy()
          return
        }
        entry.status = plan.status
        res.writeHead(plan.status, { "content-type": JSON_TYPE, "content-length": body.length })
        res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => req.socket.destroy())
        return
      }
      case "slowBody": {
        commit()
        const body = bodyBytes(plan)
        entry.status = plan.status
        res.writeHead(plan.status, { "content-type": JSON_TYPE, "content-length": body.length })
        const parts = Math.max(1, Math.min(10, body.length))
        const size = Math.ceil(body.length / parts)
        const step = (i: number): void => {
          if (res.destroyed) return
          if (i >= parts) {
            res.end()
            return
          }
          res.write(body.subarray(i * size, (i + 1) * size))
          later(decision.slowMs / parts, () => step(i + 1))
        }
        later(0, () => step(0))
        return
      }
      case "malformed": {
        switch (decision.malformed) {
          case "truncated_json": {
            const body = plan.body === undefined ? Buffer.from('{"errors":["x"]}') : bodyBytes(plan)
            const status = plan.body === undefined ? 200 : plan.status
            entry.status = status
            send(res, status, body.subarray(0, Math.max(1, Math.floor(body.length / 2))), JSON_TYPE)
            return
          }
          case "wrong_types": {
            const value = plan.body === undefined ? { id: "abc" } : withWrongTypes(plan.body)
            const status = plan.body === undefined ? 200 : plan.status
            entry.status = status
            send(res, status, Buffer.from(JSON.stringify(value)), JSON_TYPE)
            return
          }
          case "html_200":
          case "html_502": {
            const status = decision.malformed === "html_200" ? 200 : 502
            entry.status = status
            send(res, status, Buffer.from(htmlPage(status)), "text/html; charset=utf-8")
            return
          }
        }
      }
    }
  }

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const at = now()
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const method = (req.method ?? "GET").toUpperCase()
    const query: Record<string, string> = Object.fromEntries(url.searchParams)
    const text = await readBody(req)
    const parsed = text.trim() === "" ? undefined : parseJson(text)
    const auth = authenticate(req.headers, apiKeys, tokens)
    const r = route(method, url.pathname)
    const entry: Mutable<LoggedRequest> = {
      method,
      path: url.pathname,
      query,
      body: parsed?.ok === true ? parsed.value : null,
      status: null,
      auth: auth.kind,
      operation: r?.operation ?? null,
      fault: null,
      at,
      response: null
    }
    log.push(entry)
    const reply = (status: number, body: Buffer, type: string) => {
      answered(entry, status, body, type)
      send(res, status, body, type)
    }
    if (!auth.valid || auth.credential === undefined) {
      return reply(401, Buffer.from(JSON.stringify({ errors: ["The access token is invalid"] })), JSON_TYPE)
    }
    if (
      limits !== undefined &&
      !limiter.take(auth.credential, auth.kind === "oauth" ? limits.oauth : limits.apiKey)
    ) {
      // Kit's 429 is plain text with no Retry-After and no rate headers.
      return reply(429, Buffer.from("Retry later"), "text/plain")
    }
    if (r === undefined) return reply(404, bodyBytes(notFound()), JSON_TYPE)
    const plan = handle(ctx, {
      route: r,
      query,
      body: parsed === undefined ? undefined : parsed.ok ? parsed.value : text,
      bodyIsJson: parsed?.ok === true
    })
    deliver(req, res, plan, faults.decide(r.operation), entry)
  }

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, Buffer.from('{"errors":["Internal Server Error"]}'), JSON_TYPE)
    })
  })
  // Generous idle timeout so a client's keep-alive pool is reused across a long test.
  server.keepAliveTimeout = 30_000

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address: AddressInfo | string | null = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0

  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests(): ReadonlyArray<LoggedRequest> {
      return log.map((e) => ({ ...e }))
    },
    clearLog: () => {
      log.length = 0
    },
    reset: (seed?: Seed) => {
      if (seed !== undefined) baseline = seed
      store.clear()
      store.apply(baseline)
      limiter.clear()
    },
    state: () => store.snapshot(),
    seed: (seed: Seed) => store.apply(seed),
    setFaults: (f: FaultOptions | undefined) => faults.set(f),
    get faultCounts(): FaultCounts {
      return faults.faultCounts
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    }
  }
}
