/**
 * 4 and 5. A migration of 300 sequences into a rate-limited target, in scaled time: Kit at its real
 * limit (120 requests a minute per API key, the adapter's default limiter), Apollo with per-endpoint
 * minute windows (the adapter learning them from `x-minute-requests-left`). Figures: achieved /
 * allowed rate, 429s, calls that failed, and the migration's wall time against the fastest the
 * limits allow for its requests. Benchmark 4 adds the ablation of the static cap: ours against
 * Effect's `RateLimiter` on the same requests.
 */
import { Resilience } from "@unisequence/core"
import { KitClient } from "@unisequence/kit"
import { Duration, Effect, RateLimiter } from "effect"
import * as Adapters from "../adapters.js"
import { type Bench, type Context, sized } from "../bench.js"
import { atLeast, atMost, type Figure, fixed } from "../figures.js"
import {
  fastest,
  type MigrationRun,
  memorySource,
  migrate,
  steadyRate,
  windowEfficiency
} from "../migrate.js"
import type { Logged } from "../simulators/commands.js"
import { startApollo, startKit } from "../simulators/host.js"

const RATE_TARGET = 0.95
const TOO_MANY_TARGET = 0.01
const WALL_TARGET = 1.05
const STEPS = 1
// Enough sequences in flight that round trips (long on a loaded machine) never cap the rate below
// the limit: the figure is the limiter's, not the client's.
const CONCURRENCY = 16

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
  readonly run: MigrationRun
  /** Real milliseconds per simulator millisecond. */
  readonly scale: number
  readonly detail: string
  /** The migration's wall time and the fastest the limits allow for its requests, simulator ms. */
  readonly wall: { readonly actualMs: number; readonly fastestMs: number; readonly limits: string }
}): ReadonlyArray<Figure> => {
  const wall = {
    ...options.wall,
    limits: `${options.wall.limits}; plan ${fixed(options.run.planMs / 1000, 1)} s and apply ${fixed(options.run.applyMs / 1000, 1)} s of real time`
  }
  const { bench, benchmark, log, run } = options
  const tooMany = log.filter((r) => r.status === 429).length
  const share = tooMany / log.length
  // The budget that came off worst decides.
  const worst = [...options.budgets].sort((a, b) => a.steady.ratio - b.steady.ratio)[0]
  const ratio = worst?.steady.ratio ?? Number.NaN
  const budgets = options.budgets
    .map(
      (b) =>
        `${b.name}: ${fixed(b.steady.ratio)} over ${b.steady.windows} full windows (accepted per window: ${b.steady.perWindow.map((n, i) => ((b.steady.refusedPerWindow[i] ?? 0) > 0 ? `${n} +${b.steady.refusedPerWindow[i]} refused` : String(n))).join(", ")}); whole run ${b.whole.requests} accepted in ${fixed(b.whole.actualMs / options.scale / 1000, 1)} s, the limit allowing ${fixed(b.whole.bestMs / options.scale / 1000, 1)} s`
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
    },
    wallFigure(bench, benchmark, wall, options.scale)
  ]
}

const wallFigure = (
  bench: number,
  benchmark: string,
  wall: { readonly actualMs: number; readonly fastestMs: number; readonly limits: string },
  scale: number
): Figure => {
  const ratio = wall.actualMs / wall.fastestMs
  const minutes = (ms: number) => `${fixed(ms / 60_000, 1)} min`
  return {
    bench,
    benchmark,
    figure: "migration wall time / fastest the limits allow",
    value: ratio,
    shown: `${fixed(ratio)} (${minutes(wall.actualMs)} / ${minutes(wall.fastestMs)})`,
    target: `≤ ${WALL_TARGET}`,
    met: atMost(ratio, WALL_TARGET),
    note: `${wall.limits}; provider time (×${scale}): ${minutes(wall.actualMs)} from the migration's start to its end, against ${minutes(wall.fastestMs)} for its accepted requests sent as early as the limits allow (a window's whole budget at once, as soon as it opens); real time ${fixed(wall.actualMs / scale / 1000, 1)} s`
  }
}

export const kitBench: Bench = {
  id: 4,
  title: "migration into Kit at its rate limit",
  run: async ({ host, size, progress }: Context) => {
    const count = sized(size, 80, 300)
    // Kit's real limit, the adapter's default, in scaled time: a minute lasts 2 s (0.25 s tiny).
    const SCALE = sized(size, 240, 30)
    const limit = KitClient.API_KEY_LIMIT.limit
    const windowMs = Duration.toMillis(KitClient.API_KEY_LIMIT.window)
    const sim = await startKit(host, { timeScale: SCALE, rateLimit: { apiKey: { limit, windowMs } } })
    const figures: Array<Figure> = []
    try {
      const clock = Adapters.scaledClock(SCALE)
      const wrap = <A, E>(effect: Effect.Effect<A, E>) => Effect.withClock(effect, clock)
      const { sequences } = await Adapters.scaledKit(sim.url, SCALE)
      const source = await memorySource(count, STEPS)
      const start = Date.now() * SCALE
      const run = await migrate({ source, target: sequences, concurrency: CONCURRENCY, wrap })
      const end = Date.now() * SCALE
      const log = await sim.log()
      const budget = rates({ name: "API key", requests: log }, limit, windowMs, false)
      const accepted = log.filter((r) => r.status !== 429).length
      progress(
        `  [4] ${log.length} requests, apply ${(run.applyMs / 1000).toFixed(1)} s, steady ${fixed(budget.steady.ratio)}, whole run ${fixed(budget.whole.ratio)}`
      )
      figures.push(
        ...figuresOf({
          bench: 4,
          benchmark: `migrate ${count} into Kit, ${limit} req / minute, a minute in ${60 / SCALE} s`,
          budgets: [budget],
          log,
          run,
          scale: SCALE,
          detail: `concurrency ${CONCURRENCY}, ${STEPS} email each, the adapter's default limiter`,
          wall: {
            actualMs: end - start,
            fastestMs: fastest({ n: accepted, limit, windowMs, aligned: false, start }),
            limits: `${accepted} requests accepted, ${limit} a minute`
          }
        })
      )
    } finally {
      await sim.close()
    }
    figures.push(...(await capAblation({ host, size, progress })))
    return figures
  }
}

/** The static caps compared: ours, and Effect's `RateLimiter` as it could stand in for it. */
const caps = (
  limit: number,
  windowMs: number
): ReadonlyArray<{
  readonly name: string
  readonly make: Effect.Effect<RateLimiter.RateLimiter, never, import("effect").Scope.Scope>
}> => [
  {
    name: "ours (Resilience.fixedWindow)",
    make: Resilience.fixedWindow({ limit, window: Duration.millis(windowMs) })
  },
  {
    name: "Effect RateLimiter fixed-window",
    make: RateLimiter.make({ limit, interval: Duration.millis(windowMs), algorithm: "fixed-window" })
  },
  {
    name: "Effect RateLimiter fixed-window, window + 2%",
    make: RateLimiter.make({ limit, interval: Duration.millis(windowMs * 1.02), algorithm: "fixed-window" })
  },
  {
    name: "Effect RateLimiter token-bucket",
    make: RateLimiter.make({ limit, interval: Duration.millis(windowMs), algorithm: "token-bucket" })
  }
]

/**
 * The static cap alone: the same requests (a one-item list, no retry) through each cap against Kit's
 * fixed window, 16 at a time, in real time. What each achieves of the limit, and the 429s it draws.
 */
const capAblation = async ({ host, size, progress }: Context): Promise<ReadonlyArray<Figure>> => {
  const limit = sized(size, 20, 120)
  const windowMs = sized(size, 250, 2_000)
  // A steady rate needs three windows (the first and the last are partial). The windows are Kit's,
  // opened by the requests' arrival, so a cap whose windows fall out of step with them has requests
  // refused (a token bucket about a window's worth). Five windows' worth: 2 × limit + 1 accepted
  // requests always span three windows however the two clocks fall, on a loaded machine too.
  const requests = limit * sized(size, 5, 6)
  const sim = await startKit(host, { rateLimit: { apiKey: { limit, windowMs } } })
  const figures: Array<Figure> = []
  try {
    const url = `${sim.url}/v4/sequences?per_page=1`
    const get = Effect.promise(async () => {
      const response = await fetch(url, { headers: { "X-Kit-Api-Key": Adapters.KIT_KEY } })
      await response.arrayBuffer()
    })
    for (const cap of caps(limit, windowMs)) {
      await sim.reset()
      await sim.clearLog()
      await Effect.runPromise(
        Effect.scoped(
          Effect.flatMap(cap.make, (limiter) =>
            Effect.forEach(Array.from({ length: requests }), () => limiter(get), {
              concurrency: CONCURRENCY,
              discard: true
            })
          )
        )
      )
      const log = await sim.log()
      const steady = steadyRate(log, limit, windowMs, false)
      const tooMany = log.filter((r) => r.status === 429).length
      progress(`  [4] cap ablation, ${cap.name}: ${fixed(steady.ratio)}, ${tooMany} 429s`)
      figures.push({
        bench: 4,
        benchmark: `cap alone: ${requests} GETs into Kit, ${limit} req / ${windowMs / 1000} s`,
        figure: `ablation: ${cap.name} — achieved / allowed; 429s`,
        value: steady.ratio,
        shown: `${fixed(steady.ratio)}; ${tooMany} / ${log.length}`,
        target: "report",
        met: undefined,
        note: `accepted per window: ${steady.perWindow.map((n, i) => ((steady.refusedPerWindow[i] ?? 0) > 0 ? `${n} +${steady.refusedPerWindow[i]} refused` : String(n))).join(", ")}`
      })
    }
  } finally {
    await sim.close()
  }
  return figures
}

export const apolloBench: Bench = {
  id: 5,
  title: "migration into Apollo at its minute limits",
  run: async ({ host, size, progress }: Context) => {
    const count = sized(size, 30, 300)
    const perMinute = sized(size, 8, 40)
    // Apollo's adapter learns its budget from answers: a minute's first requests go before any
    // answer says how many are left, so fewer go at once than the smallest budget (tiny: 8).
    const concurrency = sized(size, 4, CONCURRENCY)
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
      const start = Date.now() * SCALE
      const run = await migrate({ source, target: sequences, concurrency, wrap })
      const end = Date.now() * SCALE
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
        detail: `concurrency ${concurrency}, ${STEPS} email each, a minute lasting ${60 / SCALE} s; worst endpoint first`,
        wall: {
          actualMs: end - start,
          // Each endpoint has its own budget: the one that needs longest decides.
          fastestMs: Math.max(
            ...[...byOperation.values()].map((requests) =>
              fastest({
                n: requests.filter((r) => r.status !== 429).length,
                limit: perMinute,
                windowMs: 60_000,
                aligned: true,
                start
              })
            )
          ),
          limits: `${perMinute} a minute per endpoint, as the answers' headers say (${[...byOperation].map(([name, requests]) => `${name} ${requests.length}`).join(", ")} requests)`
        }
      })
    } finally {
      await sim.close()
    }
  }
}
