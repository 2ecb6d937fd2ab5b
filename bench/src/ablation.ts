/**
 * `pnpm run ablation`: what each layer KitClient puts around one request costs, over loopback. The
 * same request (a page of 5 emails with content) goes through `@effect/platform`'s `HttpClient` on
 * the default client of the CLI and of the Promise API (`NodeHttpClient.layerUndici`) plus
 * `JSON.parse`, then the same on `FetchHttpClient`, then with one of KitClient's layers added at a time: the per-attempt timeout,
 * the span, the redacted header names, the limiter, the retry wrapper, and Schema decoding (with the
 * decoder made once, and made per call as KitClient does). Each figure is the best of 5 rounds.
 */
import { performance } from "node:perf_hooks"
import { Headers, type HttpClient, HttpClientRequest } from "@effect/platform"
import { Resilience } from "@unisequence/core"
import { KitClient } from "@unisequence/kit"
import { Effect, Schema } from "effect"
import * as Adapters from "./adapters.js"
import { range } from "./measure.js"
import * as Host from "./simulators/host.js"

export interface Layer {
  readonly layer: string
  /** Microseconds per request. */
  readonly micros: number
  /** Over the bare `HttpClient` + `JSON.parse` request. */
  readonly added: number
}

export const measure = async (requests = 1_000, rounds = 5): Promise<ReadonlyArray<Layer>> => {
  const host = await Host.start("child")
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
    const exchange = exchangeOn(await Adapters.httpClient("undici"))
    const parsed = Effect.map(exchange, (text): unknown => JSON.parse(text))
    const onFetch = Effect.map(exchangeOn(await Adapters.httpClient("fetch")), (text): unknown =>
      JSON.parse(text)
    )
    const decodeOnce = Schema.decodeUnknownEither(Schema.parseJson(KitClient.Wire.EmailsPage))
    const variants: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
      ["HttpClient (undici) + JSON.parse", parsed],
      ["FetchHttpClient instead of undici", onFetch],
      [
        "+ Effect.timeoutFail per attempt",
        Effect.timeoutFail(parsed, { duration: "30 seconds", onTimeout: () => "timeout" })
      ],
      ["+ Effect.withSpan", Effect.withSpan(parsed, "request", { kind: "client", attributes: { id: 1 } })],
      [
        "+ locallyWith redacted header names",
        Effect.locallyWith(parsed, Headers.currentRedactedNames, (names) => [...names, "x-kit-api-key"])
      ],
      ["+ limiter.take (no limit)", Effect.zipRight(limiter.take, parsed)],
      ["+ Resilience.retry wrapper", Resilience.retry({})(parsed)],
      ["Schema decode instead of JSON.parse, decoder made once", Effect.map(exchange, decodeOnce)],
      [
        "Schema decode, parseJson made per call (as KitClient)",
        Effect.map(exchange, (text) =>
          Schema.decodeUnknownEither(Schema.parseJson(KitClient.Wire.EmailsPage))(text)
        )
      ]
    ]
    const best = new Map<string, number>()
    for (const [, effect] of variants) await Effect.runPromise(Effect.forEach(range(50), () => effect))
    for (let r = 0; r < rounds; r++) {
      for (const [name, effect] of variants) {
        const start = performance.now()
        await Effect.runPromise(Effect.forEach(range(requests), () => effect, { discard: true }))
        const micros = ((performance.now() - start) * 1000) / requests
        best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, micros))
      }
    }
    const base = best.get(variants[0]![0])!
    return variants.map(([layer]) => ({ layer, micros: best.get(layer)!, added: best.get(layer)! - base }))
  } finally {
    await Adapters.release()
    await sim.close()
    await host.close()
  }
}

if (process.argv[1]?.endsWith("ablation.ts")) {
  measure().then(
    (layers) => {
      for (const l of layers)
        console.log(
          `${l.micros.toFixed(0).padStart(6)} µs/request  ${l.added >= 0 ? "+" : ""}${l.added.toFixed(0).padStart(4)}  ${l.layer}`
        )
    },
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
}
