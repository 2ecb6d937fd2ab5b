/**
 * 4 and 5. A migration of 300 sequences into a rate-limited target: Kit with a fixed window per API
 * key (the adapter's limiter set to the same budget), Apollo with its per-endpoint minute windows
 * (the adapter learning them from `x-minute-requests-left`). Figures: achieved / allowed rate, 429s,
 * calls that failed.
 */
import { Effect } from "effect"
import * as Adapters from "../adapters.js"
import { type Bench, type Context, sized } from "../bench.js"
import { atLeast, atMost, type Figure, fixed } from "../figures.js"
import { memorySource, migrate, windowEfficiency } from "../migrate.js"
import type { Logged } from "../simulators/commands.js"
import { startApollo, startKit } from "../simulators/host.js"

const RATE_TARGET = 0.95
const TOO_MANY_TARGET = 0.01
const STEPS = 1
const CONCURRENCY = 4

const figuresOf = (
  bench: number,
  benchmark: string,
  efficiency: {
    readonly ratio: number
    readonly requests: number
    readonly actualMs: number
    readonly bestMs: number
  },
  log: ReadonlyArray<Logged>,
  run: { readonly failedCalls: number; readonly verified: number; readonly sequences: number },
  detail: string
): ReadonlyArray<Figure> => {
  const tooMany = log.filter((r) => r.status === 429).length
  const share = tooMany / log.length
  return [
    {
      bench,
      benchmark,
      figure: "achieved rate / allowed rate",
      value: efficiency.ratio,
      shown: fixed(efficiency.ratio),
      target: `≥ ${RATE_TARGET}`,
      met: atLeast(efficiency.ratio, RATE_TARGET),
      note: `${detail}; ${efficiency.requests} accepted requests in ${(efficiency.actualMs / 1000).toFixed(1)} s (the limit allows ${(efficiency.bestMs / 1000).toFixed(1)} s)`
    },
    {
      bench,
      benchmark,
      figure: "429s / requests",
      value: share,
      shown: `${tooMany} / ${log.length} (${fixed(share * 100, 1)}%)`,
      target: `≤ ${TOO_MANY_TARGET * 100}%`,
      met: atMost(share, TOO_MANY_TARGET)
    },
    {
      bench,
      benchmark,
      figure: "failed calls; sequences verified",
      value: run.failedCalls,
      shown: `${run.failedCalls}; ${run.verified}/${run.sequences}`,
      target: `0; all`,
      met: run.failedCalls === 0 && run.verified === run.sequences,
      exact: { expected: 0 }
    }
  ]
}

export const kitBench: Bench = {
  id: 4,
  title: "migration into Kit at its rate limit",
  run: async ({ host, size, progress }: Context) => {
    const count = sized(size, 20, 300)
    const limit = sized(size, 20, 120)
    const windowMs = sized(size, 500, 2_000)
    const sim = await startKit(host, { rateLimit: { apiKey: { limit, windowMs } } })
    try {
      const { sequences } = await Adapters.kit(sim.url, {
        rateLimit: { limit, window: `${windowMs} millis` }
      })
      const source = await memorySource(count, STEPS)
      const run = await migrate({ source, target: sequences, concurrency: CONCURRENCY })
      const log = await sim.log()
      const efficiency = windowEfficiency(
        log.filter((r) => r.status !== 429),
        limit,
        windowMs,
        false
      )
      progress(
        `  [4] ${log.length} requests, apply ${(run.applyMs / 1000).toFixed(1)} s, ratio ${fixed(efficiency.ratio)}`
      )
      return figuresOf(
        4,
        `migrate ${count} into Kit, ${limit} req / ${windowMs / 1000} s`,
        efficiency,
        log,
        run,
        `concurrency ${CONCURRENCY}, ${STEPS} email each`
      )
    } finally {
      await sim.close()
    }
  }
}

/** Apollo's windows are minutes: the simulator's clock and the adapter's run 30× faster, so a minute lasts 2 s. */
const SCALE = 30

export const apolloBench: Bench = {
  id: 5,
  title: "migration into Apollo at its minute limits",
  run: async ({ host, size, progress }: Context) => {
    const count = sized(size, 20, 300)
    const perMinute = sized(size, 10, 60)
    const sim = await startApollo(host, {
      timeScale: SCALE,
      rateLimit: { default: { perMinute, perHour: 100_000, perDay: 1_000_000 } }
    })
    try {
      const clock = Adapters.scaledClock(SCALE)
      const wrap = <A, E>(effect: Effect.Effect<A, E>) => Effect.withClock(effect, clock)
      const { sequences } = await Adapters.apollo(sim.url)
      const source = await memorySource(count, STEPS)
      const run = await migrate({ source, target: sequences, concurrency: CONCURRENCY, wrap })
      const log = await sim.log()
      // Each endpoint has its own budget: the figure is the worst of those that were limited.
      const byOperation = new Map<string, Array<Logged>>()
      for (const r of log) {
        if (r.status === 429) continue
        const key = r.operation ?? r.path
        byOperation.set(key, [...(byOperation.get(key) ?? []), r])
      }
      const limited = [...byOperation]
        .filter(([, requests]) => requests.length > perMinute)
        .map(([operation, requests]) => ({
          operation,
          ...windowEfficiency(requests, perMinute, 60_000, true)
        }))
        .sort((a, b) => a.ratio - b.ratio)
      const worst = limited[0] ?? {
        operation: "none",
        ratio: Number.NaN,
        requests: 0,
        actualMs: 0,
        bestMs: 0
      }
      progress(
        `  [5] ${log.length} requests, apply ${(run.applyMs / 1000).toFixed(1)} s; ${limited.map((l) => `${l.operation} ${fixed(l.ratio)}`).join(", ")}`
      )
      return figuresOf(
        5,
        `migrate ${count} into Apollo, ${perMinute} req / minute / endpoint`,
        { ...worst, actualMs: worst.actualMs / SCALE, bestMs: worst.bestMs / SCALE },
        log,
        run,
        `worst endpoint ${worst.operation} (${limited.map((l) => `${l.operation} ${fixed(l.ratio)}`).join(", ")}); a minute lasts ${60 / SCALE} s`
      )
    } finally {
      await sim.close()
    }
  }
}
