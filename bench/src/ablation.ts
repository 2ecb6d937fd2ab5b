/**
 * `pnpm run ablation`: what each piece of a Kit request costs, over loopback. The same request (a
 * page of 5 emails with content) goes through each transport bare (`JSON.parse` of the text), then
 * through the default client (core's `DispatcherHttpClient` over an undici `Agent`) with one of the
 * pipeline's layers added at a time: the per-attempt timeout (raced by `Effect.timeoutFail`, or the
 * transport's deadline, set per request by `Effect.locally` or once on the client as the pipeline
 * does), the span (with and without its stack trace; set as the parent or not), the redacted header
 * names, the limiter when off, the retry wrapper, Schema decoding (Effect's preserving decode, the
 * pipeline's equivalent, a plain one), and finally the whole pipeline (`KitClient.listEmailsPage`).
 *
 * Each figure is the best of 5 rounds of 1,000 requests: wall time and this process's CPU time (user +
 * system; the simulators run in a child process, and a loaded machine disturbs CPU time less) of
 * sequential requests, and the CPU time of the same requests 16 at a time.
 */
import { performance } from "node:perf_hooks"
import { Headers, type HttpClient, HttpClientRequest } from "@effect/platform"
import Undici from "@effect/platform-node/Undici"
import { DispatcherHttpClient, HttpPipeline, Resilience } from "@unisequence/core"
import { KitClient } from "@unisequence/kit"
import { Effect, Schema } from "effect"
import * as Adapters from "./adapters.js"
import { pool, range } from "./measure.js"
import * as Host from "./simulators/host.js"

export interface Layer {
  readonly layer: string
  /** Wall-clock microseconds per request. */
  readonly micros: number
  /** This process's CPU microseconds per request. */
  readonly cpuMicros: number
  /** The same, 16 requests at a time (each its own `Effect.runPromise`). */
  readonly cpuMicros16: number
}

type Variant = readonly [string, () => Promise<unknown>]

/** `host`: the simulators' process to use (left running), else one started and closed here. */
export const measure = async (
  requests = 1_000,
  rounds = 5,
  shared?: Host.Host
): Promise<ReadonlyArray<Layer>> => {
  const host = shared ?? (await Host.start("child"))
  const sim = await Host.startKit(host, {
    rateLimit: false,
    seed: { spec: { sequences: 1, emails: 5, contentBytes: 1_000 } }
  })
  try {
    const headers = { "x-kit-api-key": Adapters.KIT_KEY, accept: "application/json" }
    const url = `${sim.url}/v4/sequences/1/emails?per_page=1000&include_content=true`
    const limiter = Effect.runSync(Resilience.makeLimiter({}))
    const exchangeOn = (http: HttpClient.HttpClient) =>
      http.execute(HttpClientRequest.get(url, { headers })).pipe(
        Effect.flatMap((response) => response.text),
        Effect.scoped
      )
    const defaultClient = await Adapters.httpClient("default")
    const exchange = exchangeOn(defaultClient)
    const timedClient = DispatcherHttpClient.withTimeout(defaultClient, 30_000)
    if (timedClient === undefined) throw new Error("the default client is a dispatcher client")
    const parsed = Effect.map(exchange, (text): unknown => JSON.parse(text))
    const parsedOn = async (transport: Adapters.Transport) =>
      Effect.map(exchangeOn(await Adapters.httpClient(transport)), (text): unknown => JSON.parse(text))
    const { client } = await Adapters.kit(sim.url, { rateLimit: false, retry: {} }, "default")
    const preserve = { onExcessProperty: "preserve" } as const
    const effectPreserving = Schema.decodeUnknownEither(KitClient.Wire.EmailsPage, preserve)
    const pipelinePreserving = HttpPipeline.json(KitClient.Wire.EmailsPage, preserve)
    const plainDecode = Schema.decodeUnknownEither(KitClient.Wire.EmailsPage)
    const run = (effect: Effect.Effect<unknown, unknown>) => () => Effect.runPromise(effect)
    const variants: ReadonlyArray<Variant> = [
      [
        "raw undici.request + JSON.parse (the floor)",
        async () => JSON.parse(await (await Undici.request(url, { headers })).body.text())
      ],
      [
        "raw fetch + JSON.parse (the plain client)",
        async () => JSON.parse(await (await fetch(url, { headers })).text())
      ],
      ["DispatcherHttpClient + JSON.parse (the default)", run(parsed)],
      ["NodeHttpClient.layerUndici + JSON.parse", run(await parsedOn("undici"))],
      ["FetchHttpClient + JSON.parse", run(await parsedOn("fetch"))],
      [
        "default + Effect.timeoutFail per attempt",
        run(Effect.timeoutFail(parsed, { duration: "30 seconds", onTimeout: () => "timeout" }))
      ],
      [
        "default + the transport's deadline, Effect.locally(currentTimeout) per request",
        run(Effect.locally(parsed, DispatcherHttpClient.currentTimeout, 30_000))
      ],
      [
        "default + the transport's deadline set once (withTimeout: what the pipeline uses)",
        run(Effect.map(exchangeOn(timedClient), (text): unknown => JSON.parse(text)))
      ],
      [
        "default + Effect.withSpan (stack trace captured)",
        run(Effect.withSpan(parsed, "request", { kind: "client" }))
      ],
      [
        "default + Effect.withSpan without stack trace (the pipeline's, on a client that reads the span)",
        run(Effect.withSpan(parsed, "request", { kind: "client", captureStackTrace: false }))
      ],
      [
        "default + Effect.useSpan, not set as the parent (the pipeline's, on the default client)",
        run(Effect.useSpan("request", { kind: "client", captureStackTrace: false }, () => parsed))
      ],
      [
        "default + locallyWith redacted header names (set only for a client that reads them)",
        run(Effect.locallyWith(parsed, Headers.currentRedactedNames, (names) => [...names, "x-kit-api-key"]))
      ],
      ["default + limiter.limit (no limit set)", run(limiter.limit(parsed))],
      ["default + Resilience.retry wrapper", run(Resilience.retry({})(parsed))],
      [
        "default + Schema decode, Effect's onExcessProperty preserve",
        run(Effect.map(parsed, (json) => effectPreserving(json)))
      ],
      [
        "default + Schema decode, the pipeline's preserve (plain decode + keepExcess)",
        run(
          Effect.map(parsed, (json) =>
            pipelinePreserving._tag === "Json" ? pipelinePreserving.decode(json) : json
          )
        )
      ],
      [
        "default + Schema decode, plain (excess fields dropped)",
        run(Effect.map(parsed, (json) => plainDecode(json)))
      ],
      [
        "the whole pipeline: KitClient.listEmailsPage",
        run(client.listEmailsPage(1, { pageSize: 1000, includeContent: true }))
      ]
    ]
    const best = new Map<string, { wall: number; cpu: number; cpu16: number }>()
    for (const [, f] of variants) for (const _ of range(50)) await f()
    /** CPU microseconds per request of `requests` requests, `concurrency` at a time. */
    const cpuPerRequest = async (f: () => Promise<unknown>, concurrency: number) => {
      const cpu = process.cpuUsage()
      await pool(requests, concurrency, f)
      const used = process.cpuUsage(cpu)
      return (used.user + used.system) / requests
    }
    for (let r = 0; r < rounds; r++) {
      for (const [name, f] of r % 2 === 0 ? variants : [...variants].reverse()) {
        const start = performance.now()
        const cpu = await cpuPerRequest(f, 1)
        const wall = ((performance.now() - start) * 1000) / requests
        const cpu16 = await cpuPerRequest(f, 16)
        const known = best.get(name)
        best.set(name, {
          wall: Math.min(known?.wall ?? Number.POSITIVE_INFINITY, wall),
          cpu: Math.min(known?.cpu ?? Number.POSITIVE_INFINITY, cpu),
          cpu16: Math.min(known?.cpu16 ?? Number.POSITIVE_INFINITY, cpu16)
        })
      }
    }
    return variants.map(([layer]) => ({
      layer,
      micros: best.get(layer)?.wall ?? Number.NaN,
      cpuMicros: best.get(layer)?.cpu ?? Number.NaN,
      cpuMicros16: best.get(layer)?.cpu16 ?? Number.NaN
    }))
  } finally {
    await Adapters.release()
    await sim.close()
    if (shared === undefined) await host.close()
  }
}

if (process.argv[1]?.endsWith("ablation.ts")) {
  measure().then(
    (layers) => {
      console.log("  wall µs   CPU µs  CPU µs at 16  per request (best of 5 rounds of 1,000)")
      for (const l of layers)
        console.log(
          `${l.micros.toFixed(0).padStart(9)} ${l.cpuMicros.toFixed(0).padStart(8)} ${l.cpuMicros16.toFixed(0).padStart(13)}  ${l.layer}`
        )
    },
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
}
