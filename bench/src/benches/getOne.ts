/**
 * 1. `get` of one Kit sequence through the neutral adapter, on the default HTTP client of the CLI
 * and of the Promise API (core's `DispatcherHttpClient` over an undici `Agent`), vs a plain-fetch
 * client: the same two requests with Node's `fetch` and `JSON.parse` (no decoding), sequentially and
 * at concurrency 16. Also against raw `undici.request` (the floor: no client could do less) and the
 * same adapter on `NodeHttpClient.layerUndici` and on `FetchHttpClient`, for users who bring those.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import Undici from "@effect/platform-node/Undici"
import { Effect, Stream } from "effect"
import * as Adapters from "../adapters.js"
import { type Bench, sized } from "../bench.js"
import { atMost, type Figure, fixed } from "../figures.js"
import { interleaved, median, pool, range } from "../measure.js"
import { startKit } from "../simulators/host.js"

/** Adapter on the default client / plain fetch, by concurrency. */
const TARGETS: Readonly<Record<number, number>> = { 1: 1.0, 16: 1.2 }
const EMAILS = 5
const CONTENT_BYTES = 1_000

export const bench: Bench = {
  id: 1,
  title: "get ×N, adapter vs plain fetch",
  run: async ({ host, size, progress }) => {
    // Tiny (the tests): as many gets as the concurrency, one round of each part of the breakdown.
    const n = sized(size, 16, 2_000)
    // Nine pairs: the median of per-pair ratios that spread ±10% on a shared machine.
    const rounds = sized(size, 2, 9)
    const breakdownRounds = sized(size, 1, 3)
    const warmup = sized(size, 2, 300)
    const sim = await startKit(host, {
      rateLimit: false,
      seed: { spec: { sequences: 1, emails: EMAILS, contentBytes: CONTENT_BYTES } }
    })
    try {
      const onDefault = await Adapters.kit(sim.url, { rateLimit: false }, "default")
      const onUndici = await Adapters.kit(sim.url, { rateLimit: false }, "undici")
      const onFetch = await Adapters.kit(sim.url, { rateLimit: false }, "fetch")
      const headers = {
        "x-kit-api-key": Adapters.KIT_KEY,
        accept: "application/json",
        "user-agent": "unisequence-bench"
      }
      const sequenceUrl = `${sim.url}/v4/sequences/1`
      const emailsUrl = `${sim.url}/v4/sequences/1/emails?per_page=1000&include_content=true`
      const rawGet = async () => {
        const a = await fetch(sequenceUrl, { headers })
        const sequence: unknown = JSON.parse(await a.text())
        const b = await fetch(emailsUrl, { headers })
        const emails: unknown = JSON.parse(await b.text())
        if (!a.ok || !b.ok || sequence === null || emails === null) throw new Error("raw get failed")
      }
      // The floor: undici's own request API, no WHATWG Request/Response objects.
      const undiciGet = async () => {
        const a = await Undici.request(sequenceUrl, { headers })
        const sequence: unknown = JSON.parse(await a.body.text())
        const b = await Undici.request(emailsUrl, { headers })
        const emails: unknown = JSON.parse(await b.body.text())
        if (a.statusCode !== 200 || b.statusCode !== 200 || sequence === null || emails === null)
          throw new Error("undici get failed")
      }
      const adapterGet = onDefault.sequences.get("1")
      const undiciAdapterGet = onUndici.sequences.get("1")
      const fetchAdapterGet = onFetch.sequences.get("1")
      // Where the overhead sits: the same two requests through @effect/platform's HttpClient alone
      // (text + JSON.parse) on each transport, and through KitClient (limiter, retry, spans, wire
      // decoding) without the neutral mapping.
      const plainGet = (http: HttpClient.HttpClient) => {
        const plain = (url: string) =>
          http.execute(HttpClientRequest.get(url, { headers })).pipe(
            Effect.flatMap((response) => response.text),
            Effect.map((text): unknown => JSON.parse(text)),
            Effect.scoped
          )
        return Effect.zip(plain(sequenceUrl), plain(emailsUrl))
      }
      const platformDefault = plainGet(await Adapters.httpClient("default"))
      const platformUndici = plainGet(await Adapters.httpClient("undici"))
      const platformFetch = plainGet(await Adapters.httpClient("fetch"))
      const clientGet = Effect.zip(
        onDefault.client.getSequence(1),
        Stream.runDrain(onDefault.client.listEmails(1, { includeContent: true }))
      )

      // Every path must fetch the same thing: check the adapters' answers once.
      for (const get of [adapterGet, undiciAdapterGet, fetchAdapterGet]) {
        const one = await Effect.runPromise(get)
        if (one.steps.length !== EMAILS) throw new Error(`adapter get returned ${one.steps.length} steps`)
      }

      const figures: Array<Figure> = []
      for (const concurrency of [1, 16]) {
        const target = TARGETS[concurrency]!
        const raw = () => pool(n, concurrency, rawGet)
        const runAll = (effect: Effect.Effect<unknown, unknown>) => () =>
          Effect.runPromise(Effect.forEach(range(n), () => effect, { concurrency, discard: true }))
        const adapter = runAll(adapterGet)
        await pool(warmup, concurrency, rawGet)
        await pool(warmup, concurrency, undiciGet)
        for (const effect of [adapterGet, undiciAdapterGet, fetchAdapterGet])
          await Effect.runPromise(Effect.forEach(range(warmup), () => effect, { concurrency, discard: true }))
        await sim.clearLog()
        const result = await interleaved(rounds, raw, adapter)
        const log = await sim.log()
        await sim.clearLog()
        const label = concurrency === 1 ? "sequential" : `concurrency ${concurrency}`
        progress(
          `  [1] ${label}: plain fetch ${result.a.map((t) => t.toFixed(0)).join("/")} ms, adapter ${result.b.map((t) => t.toFixed(0)).join("/")} ms`
        )
        figures.push({
          bench: 1,
          benchmark: `get ×${n} (${label})`,
          figure: "wall time adapter / raw",
          value: result.ratio,
          shown: fixed(result.ratio),
          target: `≤ ${fixed(target)}`,
          met: atMost(result.ratio, target),
          note: `adapter on the default client (DispatcherHttpClient over an undici Agent) vs plain fetch + JSON.parse: median raw ${median(result.a).toFixed(0)} ms, adapter ${median(result.b).toFixed(0)} ms for ${n} gets (${rounds} rounds)`
        })
        // Both paths made 2 requests per get, every one answered 200.
        const requests = log.length / (2 * n * rounds)
        const failed = log.filter((r) => r.status !== 200).length
        const reported: ReadonlyArray<readonly [string, () => Promise<unknown>, () => Promise<unknown>]> = [
          ["raw undici.request (the floor) / plain fetch", raw, () => pool(n, concurrency, undiciGet)],
          ["adapter / raw undici.request", () => pool(n, concurrency, undiciGet), adapter],
          ["adapter on NodeHttpClient.layerUndici / plain fetch", raw, runAll(undiciAdapterGet)],
          ["adapter on FetchHttpClient / plain fetch", raw, runAll(fetchAdapterGet)]
        ]
        const breakdown: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
          ["breakdown: DispatcherHttpClient alone (the default) / raw", platformDefault],
          ["breakdown: @effect/platform HttpClient alone (layerUndici) / raw", platformUndici],
          ["breakdown: @effect/platform HttpClient alone (FetchHttpClient) / raw", platformFetch],
          ["breakdown: KitClient (no neutral mapping) / raw", clientGet]
        ]
        for (const [, effect] of breakdown) await runAll(effect)()
        for (const [name, a, b] of [
          ...reported,
          ...breakdown.map(([name, effect]) => [name, raw, runAll(effect)] as const)
        ]) {
          const part = await interleaved(breakdownRounds, a, b)
          figures.push({
            bench: 1,
            benchmark: `get ×${n} (${label})`,
            figure: name,
            value: part.ratio,
            shown: fixed(part.ratio),
            target: "report",
            met: undefined,
            note: `medians ${median(part.a).toFixed(0)} ms and ${median(part.b).toFixed(0)} ms`
          })
        }
        await sim.clearLog()
        figures.push({
          bench: 1,
          benchmark: `get ×${n} (${label})`,
          figure: "requests per get (raw and adapter); non-200",
          value: requests,
          shown: `${fixed(requests, 1)}; ${failed}`,
          target: "= 2; 0",
          met: requests === 2 && failed === 0,
          exact: { expected: 2 }
        })
      }
      return figures
    } finally {
      await sim.close()
    }
  }
}
