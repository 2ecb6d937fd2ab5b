/**
 * `pnpm run gc-listing [raw|client|wire|adapter] [listings]`: the garbage collections of one way of
 * listing 100,000 Kit sequences (pages of 1,000, the simulator in a child process), run alone in
 * this process: young and full collections per listing and their time, CPU and wall time per
 * listing. It explains benchmark 2's ratio where CPU profiles cannot (a collection's cost depends
 * on what is still reachable when it runs, not on who allocated).
 *
 * - `raw`: `fetch` + `JSON.parse`, benchmark 2's baseline;
 * - `client`: the default client (`DispatcherHttpClient` over an undici `Agent`) + `JSON.parse`,
 *   in one effect;
 * - `wire`: `KitClient.listSequences` (the pipeline, its check, the stream);
 * - `adapter`: the neutral `list`, as benchmark 2 runs it.
 *
 * Run it with `--trace-gc-nvp` (`node --trace-gc-nvp --import tsx src/gcListing.ts wire`) to see
 * what each young collection promoted.
 */
import { constants, PerformanceObserver, performance } from "node:perf_hooks"
import { HttpClientRequest } from "@effect/platform"
import { DispatcherHttpClient } from "@unisequence/core"
import { Effect, Stream } from "effect"
import * as Adapters from "./adapters.js"
import { isPage } from "./kitPage.js"
import * as Host from "./simulators/host.js"

const TOTAL = 100_000
const PER_PAGE = 1_000
const modes = ["raw", "client", "wire", "adapter"] as const
type Mode = (typeof modes)[number]

const isMode = (u: string | undefined): u is Mode => modes.some((mode) => mode === u)

/** The kind of collection a `gc` entry's detail names. */
const kindOf = (detail: unknown): unknown =>
  typeof detail === "object" && detail !== null && "kind" in detail ? detail.kind : undefined

const main = async () => {
  const [given, count] = process.argv.slice(2)
  const mode: Mode = isMode(given) ? given : "adapter"
  const listings = Number(count ?? 10)
  const host = await Host.start("child")
  const sim = await Host.startKit(host, { rateLimit: false, seed: { spec: { sequences: TOTAL, emails: 0 } } })
  const { sequences, client } = await Adapters.kit(
    sim.url,
    { rateLimit: false, pageSize: PER_PAGE },
    "default"
  )
  const http = await Adapters.httpClient("default")
  const headers = { "x-kit-api-key": Adapters.KIT_KEY, accept: "application/json" }
  const urlOf = (after: string | null) =>
    `${sim.url}/v4/sequences?per_page=${PER_PAGE}${after === null ? "" : `&after=${encodeURIComponent(after)}`}`
  /** Follows the cursors of parsed pages, each read by `text`; counts the items. */
  const follow = async (text: (url: string) => Promise<string>) => {
    let items = 0
    let after: string | null = null
    for (;;) {
      const page: unknown = JSON.parse(await text(urlOf(after)))
      if (!isPage(page)) throw new Error("not a page")
      items += page.sequences.length
      if (!page.pagination.has_next_page || page.pagination.end_cursor === null) return items
      after = page.pagination.end_cursor
    }
  }
  const runs: Record<Mode, () => Promise<number>> = {
    raw: () => follow(async (url) => (await fetch(url, { headers })).text()),
    client: () =>
      follow((url) =>
        Effect.runPromise(
          Effect.flatMap(http.execute(HttpClientRequest.get(url, { headers })), DispatcherHttpClient.takeText)
        )
      ),
    wire: () => Effect.runPromise(Stream.runCount(client.listSequences())),
    adapter: () => Effect.runPromise(Stream.runCount(sequences.list()))
  }
  const run = runs[mode]
  // Warm-up, checked.
  for (let i = 0; i < 2; i++) {
    const items = await run()
    if (items !== TOTAL) throw new Error(`${mode} listed ${items} of ${TOTAL}`)
  }
  const gc = { young: 0, youngMs: 0, full: 0, fullMs: 0 }
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kindOf("detail" in entry ? entry.detail : undefined)
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.young++
        gc.youngMs += entry.duration
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.full++
        gc.fullMs += entry.duration
      }
    }
  })
  observer.observe({ entryTypes: ["gc"] })
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < listings; i++) await run()
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  // The observer reports asynchronously: let the last entries arrive.
  await new Promise((resolve) => setTimeout(resolve, 50))
  observer.disconnect()
  const per = (n: number) => (n / listings).toFixed(1)
  console.log(
    `${mode}: per listing (${listings} listings): wall ${per(wall)} ms, CPU ${per((used.user + used.system) / 1000)} ms; ` +
      `young collections ${per(gc.young)} (${per(gc.youngMs)} ms), full collections ${per(gc.full)} (${per(gc.fullMs)} ms)`
  )
  await sim.close()
  await Adapters.release()
  await host.close()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
