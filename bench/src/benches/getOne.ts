/**
 * 1. `get` of one Kit sequence through the adapter vs the same two requests with raw `fetch` and
 * `JSON.parse` (no decoding into the neutral model), sequentially and at concurrency 16.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Stream } from "effect"
import * as Adapters from "../adapters.js"
import { type Bench, sized } from "../bench.js"
import { atMost, type Figure, fixed } from "../figures.js"
import { interleaved, median, pool, range } from "../measure.js"
import { startKit } from "../simulators/host.js"

const TARGET = 1.15
const EMAILS = 5
const CONTENT_BYTES = 1_000

export const bench: Bench = {
  id: 1,
  title: "get ×N, adapter vs raw fetch",
  run: async ({ host, size, progress }) => {
    const n = sized(size, 20, 2_000)
    const rounds = sized(size, 2, 5)
    const breakdownRounds = sized(size, 2, 3)
    const warmup = sized(size, 5, 300)
    const sim = await startKit(host, {
      rateLimit: false,
      seed: { spec: { sequences: 1, emails: EMAILS, contentBytes: CONTENT_BYTES } }
    })
    try {
      const { sequences, client } = await Adapters.kit(sim.url, { rateLimit: false })
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
      const adapterGet = sequences.get("1")
      // Where the overhead sits: the same two requests through @effect/platform's HttpClient alone
      // (text + JSON.parse), and through KitClient (limiter, retry, spans, wire decoding) without
      // the neutral mapping.
      const http = await Effect.runPromise(HttpClient.HttpClient.pipe(Effect.provide(FetchHttpClient.layer)))
      const plain = (url: string) =>
        http.execute(HttpClientRequest.get(url, { headers })).pipe(
          Effect.flatMap((response) => response.text),
          Effect.map((text): unknown => JSON.parse(text)),
          Effect.scoped
        )
      const platformGet = Effect.zip(plain(sequenceUrl), plain(emailsUrl))
      const clientGet = Effect.zip(
        client.getSequence(1),
        Stream.runDrain(client.listEmails(1, { includeContent: true }))
      )

      // Both paths must fetch the same thing: check the adapter's answer once.
      const one = await Effect.runPromise(adapterGet)
      if (one.steps.length !== EMAILS) throw new Error(`adapter get returned ${one.steps.length} steps`)

      const figures: Array<Figure> = []
      for (const concurrency of [1, 16]) {
        const raw = () => pool(n, concurrency, rawGet)
        const adapter = () =>
          Effect.runPromise(Effect.forEach(range(n), () => adapterGet, { concurrency, discard: true }))
        await pool(warmup, concurrency, rawGet)
        await Effect.runPromise(
          Effect.forEach(range(warmup), () => adapterGet, { concurrency, discard: true })
        )
        await sim.clearLog()
        const result = await interleaved(rounds, raw, adapter)
        const log = await sim.log()
        await sim.clearLog()
        const label = concurrency === 1 ? "sequential" : `concurrency ${concurrency}`
        progress(
          `  [1] ${label}: raw ${result.a.map((t) => t.toFixed(0)).join("/")} ms, adapter ${result.b.map((t) => t.toFixed(0)).join("/")} ms`
        )
        figures.push({
          bench: 1,
          benchmark: `get ×${n} (${label})`,
          figure: "wall time adapter / raw",
          value: result.ratio,
          shown: fixed(result.ratio),
          target: `≤ ${TARGET}`,
          met: atMost(result.ratio, TARGET),
          note: `median raw ${median(result.a).toFixed(0)} ms, adapter ${median(result.b).toFixed(0)} ms for ${n} gets (${rounds} rounds)`
        })
        // Both paths made 2 requests per get, every one answered 200.
        const requests = log.length / (2 * n * rounds)
        const failed = log.filter((r) => r.status !== 200).length
        {
          const runAll = (effect: Effect.Effect<unknown, unknown>) => () =>
            Effect.runPromise(Effect.forEach(range(n), () => effect, { concurrency, discard: true }))
          await runAll(platformGet)()
          await runAll(clientGet)()
          for (const [name, effect] of [
            ["@effect/platform HttpClient alone / raw", platformGet],
            ["KitClient (no neutral mapping) / raw", clientGet]
          ] as const) {
            const part = await interleaved(breakdownRounds, raw, runAll(effect))
            figures.push({
              bench: 1,
              benchmark: `get ×${n} (${label})`,
              figure: `breakdown: ${name}`,
              value: part.ratio,
              shown: fixed(part.ratio),
              target: "report",
              met: undefined
            })
          }
          await sim.clearLog()
        }
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
