/**
 * 2. `list` streaming every Kit sequence (pages of 1,000) through the neutral adapter on the default
 * HTTP client of the CLI and of the Promise API (core's `DispatcherHttpClient` over an undici `Agent`) vs a plain-fetch
 * client (Node's `fetch` + `JSON.parse` of the same pages); and the peak RSS growth of the adapter's
 * run, which must stay flat (a stream, not a list). The same adapter on `FetchHttpClient` is reported.
 */
import { Effect, Stream } from "effect"
import * as Adapters from "../adapters.js"
import { type Bench, sized } from "../bench.js"
import { atMost, fixed } from "../figures.js"
import { interleaved, MB, median, peakRssGrowth } from "../measure.js"
import { isPage } from "../kitPage.js"
import { startKit } from "../simulators/host.js"

const RATIO_TARGET = 1.0
const RSS_TARGET_MB = 64
const PER_PAGE = 1_000

export const bench: Bench = {
  id: 2,
  title: "list streaming, adapter vs raw fetch",
  run: async ({ host, size, progress }) => {
    const total = sized(size, 3_000, 100_000)
    const rounds = sized(size, 2, 3)
    // The headline pair gets more rounds: its median ratio moved by ±0.1 between runs of 3 here,
    // and by ±0.05 between runs of 5.
    const headlineRounds = sized(size, 2, 7)
    const sim = await startKit(host, { rateLimit: false, seed: { spec: { sequences: total, emails: 0 } } })
    try {
      const { sequences, client } = await Adapters.kit(
        sim.url,
        { rateLimit: false, pageSize: PER_PAGE },
        "default"
      )
      const onFetch = await Adapters.kit(sim.url, { rateLimit: false, pageSize: PER_PAGE }, "fetch")
      const headers = { "x-kit-api-key": Adapters.KIT_KEY, accept: "application/json" }
      /** Follows the cursors, parses each page, counts the items: what a hand-written loop does. */
      const raw = async (): Promise<number> => {
        let count = 0
        let after: string | null = null
        for (;;) {
          const url = `${sim.url}/v4/sequences?per_page=${PER_PAGE}${after === null ? "" : `&after=${encodeURIComponent(after)}`}`
          const response = await fetch(url, { headers })
          const page: unknown = JSON.parse(await response.text())
          if (!response.ok || !isPage(page)) throw new Error(`raw list failed (${response.status})`)
          count += page.sequences.length
          if (!page.pagination.has_next_page || page.pagination.end_cursor === null) return count
          after = page.pagination.end_cursor
        }
      }
      const adapter = () => Effect.runPromise(Stream.runCount(sequences.list()))
      // The wire decoding alone, without the neutral mapping: where the overhead sits.
      const wire = () => Effect.runPromise(Stream.runCount(client.listSequences()))
      const fetchAdapter = () => Effect.runPromise(Stream.runCount(onFetch.sequences.list()))

      // Warm both paths, and check they see every sequence.
      const [rawCount, adapterCount, fetchCount] = [await raw(), await adapter(), await fetchAdapter()]
      if (rawCount !== total || adapterCount !== total || fetchCount !== total)
        throw new Error(
          `listed ${rawCount} (raw), ${adapterCount} (adapter) and ${fetchCount} (on fetch) of ${total}`
        )

      const growth: Array<number> = []
      const retained: Array<number> = []
      const rawGrowth: Array<number> = []
      const timed = await interleaved(
        headlineRounds,
        async () => {
          const { growthBytes } = await peakRssGrowth(raw)
          rawGrowth.push(growthBytes)
        },
        async () => {
          const { value, growthBytes, retainedBytes } = await peakRssGrowth(adapter)
          if (value !== total) throw new Error(`adapter listed ${value} of ${total}`)
          growth.push(growthBytes)
          retained.push(retainedBytes)
        }
      )
      // Sampled on both sides as the headline pair is, so its ratio compares alike; its RSS says how
      // much of the adapter's growth the wire decoding alone makes.
      const wireGrowth: Array<number> = []
      const wireTimed = await interleaved(
        rounds,
        () => peakRssGrowth(raw),
        async () => {
          const { growthBytes } = await peakRssGrowth(wire)
          wireGrowth.push(growthBytes)
        }
      )
      const fetchTimed = await interleaved(rounds, raw, fetchAdapter)
      const rawRate = (total / median(timed.a)) * 1000
      const adapterRate = (total / median(timed.b)) * 1000
      const peak = Math.max(...growth) / MB
      progress(
        `  [2] raw ${timed.a.map((t) => t.toFixed(0)).join("/")} ms, adapter ${timed.b.map((t) => t.toFixed(0)).join("/")} ms; RSS growth adapter ${growth.map((g) => (g / MB).toFixed(1)).join("/")} MB, raw ${rawGrowth.map((g) => (g / MB).toFixed(1)).join("/")} MB`
      )
      const log = await sim.log()
      const pages = Math.ceil(total / PER_PAGE)
      const requestsPerRun = log.length / (3 + 2 * headlineRounds + 4 * rounds)
      return [
        {
          bench: 2,
          benchmark: `list ${total.toLocaleString("en")} sequences`,
          figure: "time adapter / raw (= raw items/s ÷ adapter items/s)",
          value: timed.ratio,
          shown: fixed(timed.ratio),
          target: `≤ ${fixed(RATIO_TARGET)}`,
          met: atMost(timed.ratio, RATIO_TARGET),
          note: `adapter on the default client (DispatcherHttpClient over an undici Agent): median ${Math.round(adapterRate).toLocaleString("en")} items/s vs ${Math.round(rawRate).toLocaleString("en")} items/s (plain fetch), ${headlineRounds} rounds`
        },
        {
          bench: 2,
          benchmark: `list ${total.toLocaleString("en")} sequences`,
          figure: "adapter on FetchHttpClient / raw",
          value: fetchTimed.ratio,
          shown: fixed(fetchTimed.ratio),
          target: "report",
          met: undefined
        },
        {
          bench: 2,
          benchmark: `list ${total.toLocaleString("en")} sequences`,
          figure: "breakdown: KitClient.listSequences (no neutral mapping) / raw",
          value: wireTimed.ratio,
          shown: fixed(wireTimed.ratio),
          target: "report",
          met: undefined
        },
        {
          bench: 2,
          benchmark: `list ${total.toLocaleString("en")} sequences`,
          figure: "peak RSS growth while listing (adapter)",
          value: peak,
          shown: `${fixed(peak, 1)} MB`,
          target: `< ${RSS_TARGET_MB} MB`,
          met: peak < RSS_TARGET_MB,
          note: `largest of ${headlineRounds} rounds, sampled every 5 ms; raw loop: ${fixed(Math.max(...rawGrowth) / MB, 1)} MB; heap retained after the adapter's run once collected: ${retained.map((r) => fixed(r / MB, 1)).join(" / ")} MB${Math.max(...retained) < Math.max(...growth) / 4 ? " (so the growth is garbage not yet collected, not items held)" : " (the run holds memory)"}`
        },
        {
          bench: 2,
          benchmark: `list ${total.toLocaleString("en")} sequences`,
          figure: "breakdown: peak RSS growth, KitClient.listSequences alone",
          value: Math.max(...wireGrowth) / MB,
          shown: `${fixed(Math.max(...wireGrowth) / MB, 1)} MB`,
          target: "report",
          met: undefined,
          note: `largest of ${rounds} rounds: ${wireGrowth.map((g) => fixed(g / MB, 1)).join(" / ")} MB (wire decoding on the default client, no neutral mapping)`
        },
        {
          bench: 2,
          benchmark: `list ${total.toLocaleString("en")} sequences`,
          figure: "requests per listing (pages of 1,000)",
          value: requestsPerRun,
          shown: fixed(requestsPerRun, 1),
          target: `= ${pages}`,
          met: requestsPerRun === pages,
          exact: { expected: pages }
        }
      ]
    } finally {
      await sim.close()
    }
  }
}
