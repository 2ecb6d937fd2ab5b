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
import { memorySource, migrate, steadyRate, windowEfficiency } from "../migrate.js"
import type { Logged } from "../simulators/commands.js"
import { startApollo, startKit } from "../simulators/host.js"

const RATE_TARGET = 0.95
const TOO_MANY_TARGET = 0.01
const STEPS = 1
const CONCURRENCY = 4

interface Budget {
  /** What the budget is (an endpoint, a key). */
  readonly name: string
  readonly requests: ReadonlyArray<Logged>
}

const rates = (budget: Budget, limit: number, windowMs: number, aligned: boolean) => ({
  name: budget.name,
  steady: steadyRate(budget.requests, limit, windowMs, aligned),
  whole: windowEfficiency(
    budget.requests.filter((r) => r.status !== 429),
    limit,
    windowMs,
    aligned
  )
})

const figuresOf = (options: {
  readonly bench: number
  readonly benchmark: string
  readonly budgets: ReadonlyArray<ReturnType<typeof rates>>
  readonly log: ReadonlyArray<Logged>
  readonly run: { readonly failedCalls: number; readonly verified: number; readonly sequences: number }
  /** Real milliseconds per simulator millisecond. */
  readonly scale: number
  readonly detail: string
}): ReadonlyArray<Figure> => {
  const { bench, benchmark, log, run } = options
  const tooMany = log.filter((r) => r.status === 429).length
  const share = tooMany / log.length
  // The budget that came off worst decides.
  const worst = [...options.budgets].sort((a, b) => a.steady.ratio - b.steady.ratio)[0]
  const ratio = worst?.steady.ratio ?? Number.NaN
  const budgets = options.budgets
    .map(
      (b) =>
        `${b.name}: ${fixed(b.steady.ratio)} over ${b.steady.windows} full windows (accepted per window: ${b.steady.perWindow.join(", ")}); whole run ${b.whole.requests} accepted in ${fixed(b.whole.actualMs / options.scale / 1000, 1)} s, the limit allowing ${fixed(b.whole.bestMs / options.scale / 1000, 1)} s`
    )
    .join("; ")
  return [
    {
      bench,
      benchmark,
      figure: "achieved rate / allowed rate",
      value: ratio,
      shown: fixed(ratio),
      target: `≥ ${RATE_TARGET}`,
      met: atLeast(ratio, RATE_TARGET),
      note: `${options.detail}; ${budgets}`
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
      target: "0; all",
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
      const budget = rates({ name: "API key", requests: log }, limit, windowMs, false)
      progress(
        `  [4] ${log.length} requests, apply ${(run.applyMs / 1000).toFixed(1)} s, steady ${fixed(budget.steady.ratio)}, whole run ${fixed(budget.whole.ratio)}`
      )
      return figuresOf({
        bench: 4,
        benchmark: `migrate ${count} into Kit, ${limit} req / ${windowMs / 1000} s`,
        budgets: [budget],
        log,
        run,
        scale: 1,
        detail: `concurrency ${CONCURRENCY}, ${STEPS} email each`
      })
    } finally {
      await sim.close()
    }
  }
}

export const apolloBench: Bench = {
  id: 5,
  title: "migration into Apollo at its minute limits",
  run: async ({ host, size, progress }: Context) => {
    const count = sized(size, 20, 300)
    const perMinute = sized(size, 5, 40)
    // Apollo's windows are minutes: the simulator's clock and the adapter's run faster, so that a
    // minute lasts 2 s (0.5 s at the tiny size).
    const SCALE = sized(size, 120, 30)
    const sim = await startApollo(host, {
      timeScale: SCALE,
      rateLimit: { default: { perMinute, perHour: 100_000, perDay: 1_000_000 } }
    })
    try {
      const clock = Adapters.scaledClock(SCALE)
      const wrap = <A, E>(effect: Effect.Effect<A, E>) => Effect.withClock(effect, clock)
      const { sequences } = await Adapters.scaledApollo(sim.url, SCALE)
      const source = await memorySource(count, STEPS)
      const run = await migrate({ source, target: sequences, concurrency: CONCURRENCY, wrap })
      const log = await sim.log()
      // Each endpoint has its own budget: those the migration used past one window are judged.
      const byOperation = new Map<string, Array<Logged>>()
      for (const r of log) {
        const key = r.operation ?? r.path
        byOperation.set(key, [...(byOperation.get(key) ?? []), r])
      }
      const budgets = [...byOperation]
        .filter(([, requests]) => requests.length > perMinute)
        .map(([name, requests]) => rates({ name, requests }, perMinute, 60_000, true))
      progress(
        `  [5] ${log.length} requests, apply ${(run.applyMs / 1000).toFixed(1)} s; ${budgets.map((b) => `${b.name} ${fixed(b.steady.ratio)} (whole ${fixed(b.whole.ratio)})`).join(", ")}`
      )
      return figuresOf({
        bench: 5,
        benchmark: `migrate ${count} into Apollo, ${perMinute} req / minute / endpoint`,
        budgets,
        log,
        run,
        scale: SCALE,
        detail: `concurrency ${CONCURRENCY}, ${STEPS} email each, a minute lasting ${60 / SCALE} s; worst endpoint first`
      })
    } finally {
      await sim.close()
    }
  }
}
