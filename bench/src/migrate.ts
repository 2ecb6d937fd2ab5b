/** Migration runs for benchmarks 4-6: plan + journalled apply, with the calls that failed counted. */
import { Apply, Journal, Memory, Migration, type Sequences } from "@unisequence/core"
import { Effect, Stream } from "effect"
import { performance } from "node:perf_hooks"
import type { Logged } from "./simulators/commands.js"

/**
 * The target with every call that returned an error counted: a failure the adapter did not absorb
 * (after its own retries), which the migration engine then had to resume from its journal.
 */
export const counting = (
  target: Sequences.Sequences
): { readonly sequences: Sequences.Sequences; readonly failures: () => number } => {
  let failures = 0
  const count = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.tapError(effect, () =>
      Effect.sync(() => {
        failures++
      })
    )
  return {
    failures: () => failures,
    sequences: {
      ...target,
      list: (options) => target.list(options).pipe(Stream.tapError(() => Effect.sync(() => failures++))),
      get: (id) => count(target.get(id)),
      create: (input) => count(target.create(input)),
      update: (id, patch) => count(target.update(id, patch)),
      addStep: (id, step, options) => count(target.addStep(id, step, options)),
      updateStep: (id, stepId, patch) => count(target.updateStep(id, stepId, patch)),
      removeStep: (id, stepId) => count(target.removeStep(id, stepId)),
      moveStep: (id, stepId, index) => count(target.moveStep(id, stepId, index)),
      replaceSteps: (id, steps) => count(target.replaceSteps(id, steps)),
      setActive: (id, active) => count(target.setActive(id, active)),
      remove: (id) => count(target.remove(id)),
      enroll: (id, who) => count(target.enroll(id, who))
    }
  }
}

/** A memory provider holding `count` sequences of `steps` day-spaced emails: a source that costs no requests. */
export const memorySource = (count: number, steps: number): Promise<Sequences.Sequences> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const memory = yield* Memory.make({ pageSize: 1_000 })
      for (let i = 0; i < count; i++) {
        yield* memory.create({
          name: `Migrated ${i + 1}`,
          steps: Array.from({ length: steps }, (_, s) => ({
            delay: { value: s === 0 ? 0 : 2, unit: "days" as const },
            email: { subject: `Email ${s + 1}`, html: `<p>Email ${s + 1} of ${i + 1}</p>` }
          }))
        })
      }
      return memory
    })
  )

export interface MigrationRun {
  readonly planMs: number
  readonly applyMs: number
  readonly sequences: number
  readonly verified: number
  readonly blocked: number
  readonly failedCalls: number
}

/** Plans and applies a whole migration; `wrap` runs both under e.g. a scaled clock. */
export const migrate = async (options: {
  readonly source: Sequences.Sequences
  readonly target: Sequences.Sequences
  readonly concurrency: number
  readonly wrap?: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
}): Promise<MigrationRun> => {
  const wrap = options.wrap ?? (<A, E>(effect: Effect.Effect<A, E>) => effect)
  const target = counting(options.target)
  const journal = Effect.runSync(Journal.makeMemory())
  const t0 = performance.now()
  const plan = await Effect.runPromise(
    wrap(
      Migration.plan({
        source: options.source,
        target: target.sequences,
        concurrency: options.concurrency
      }).pipe(Effect.provideService(Journal.Journal, journal))
    )
  )
  const t1 = performance.now()
  const result = await Effect.runPromise(
    wrap(
      Apply.apply(plan, { target: target.sequences, concurrency: options.concurrency }).pipe(
        Effect.provideService(Journal.Journal, journal)
      )
    )
  )
  const t2 = performance.now()
  return {
    planMs: t1 - t0,
    applyMs: t2 - t1,
    sequences: result.outcomes.length,
    verified: result.outcomes.filter((o) => o.verification === "verified").length,
    blocked: result.blocked.length,
    failedCalls: target.failures()
  }
}

/**
 * How close a run came to the fastest schedule a fixed-window limit allows: for the N accepted
 * requests of one budget (first at t0), the best schedule sends `limit` at once in each window, so
 * its last request goes `floor((N - 1) / limit)` windows later (aligned windows: at the start of that
 * window). Achieved / allowed rate = that best duration / the actual one (t_last - t0).
 */
export const windowEfficiency = (
  accepted: ReadonlyArray<Logged>,
  limit: number,
  windowMs: number,
  aligned: boolean
): {
  readonly ratio: number
  readonly requests: number
  readonly actualMs: number
  readonly bestMs: number
} => {
  const times = accepted.map((r) => r.at).sort((a, b) => a - b)
  const n = times.length
  if (n === 0) return { ratio: Number.NaN, requests: 0, actualMs: 0, bestMs: 0 }
  const t0 = times[0]!
  const full = Math.floor((n - 1) / limit)
  const bestMs =
    full === 0 ? 0 : aligned ? (Math.floor(t0 / windowMs) + full) * windowMs - t0 : full * windowMs
  const actualMs = times[n - 1]! - t0
  return { ratio: actualMs === 0 ? 1 : bestMs / actualMs, requests: n, actualMs, bestMs }
}

/**
 * Achieved / allowed rate in the steady state: requests the provider accepted per unit of time in
 * the windows between the first and the last (both partial by nature), over `limit / window`.
 * Windows are the simulator's: Kit's open at the first request after the previous one expired (so
 * a client that idles between windows stretches them and loses rate); Apollo's are aligned to its
 * clock. `requests` is every request of the budget, refused ones included (they count in Kit's).
 */
export const steadyRate = (
  requests: ReadonlyArray<Logged>,
  limit: number,
  windowMs: number,
  aligned: boolean
): {
  readonly ratio: number
  readonly windows: number
  readonly accepted: number
  /** Accepted requests in each window, in order (the evidence behind the ratio). */
  readonly perWindow: ReadonlyArray<number>
  /** Refused requests (429s) in each window. */
  readonly refusedPerWindow: ReadonlyArray<number>
} => {
  const sorted = [...requests].sort((a, b) => a.at - b.at)
  const starts: Array<number> = []
  const perWindow: Array<number> = []
  const refusedPerWindow: Array<number> = []
  for (const r of sorted) {
    const last = starts[starts.length - 1]
    if (aligned) {
      const start = Math.floor(r.at / windowMs) * windowMs
      if (last === undefined || start > last) {
        starts.push(start)
        perWindow.push(0)
        refusedPerWindow.push(0)
      }
    } else if (last === undefined || r.at - last >= windowMs) {
      starts.push(r.at)
      perWindow.push(0)
      refusedPerWindow.push(0)
    }
    if (r.status !== 429) perWindow[perWindow.length - 1]! += 1
    else refusedPerWindow[refusedPerWindow.length - 1]! += 1
  }
  if (starts.length < 3) return { ratio: Number.NaN, windows: 0, accepted: 0, perWindow, refusedPerWindow }
  const from = starts[1]!
  const to = starts[starts.length - 1]!
  const accepted = sorted.filter((r) => r.status !== 429 && r.at >= from && r.at < to).length
  return {
    ratio: accepted / (to - from) / (limit / windowMs),
    windows: starts.length - 2,
    accepted,
    perWindow,
    refusedPerWindow
  }
}

/**
 * The earliest time after `start` at which the last of `n` requests of one budget can be accepted:
 * `limit` per window, all at once when a window opens. Kit's windows open at the first request
 * after the last one closed (so at `start`, then a window apart); aligned windows (Apollo's) at
 * multiples of `windowMs` of the provider's clock, the first one holding `start`.
 */
export const fastest = (options: {
  readonly n: number
  readonly limit: number
  readonly windowMs: number
  readonly aligned: boolean
  readonly start: number
}): number => {
  const { n, limit, windowMs, aligned, start } = options
  const windows = n <= 0 ? 0 : Math.floor((n - 1) / limit)
  if (windows === 0) return 0
  return aligned ? (Math.floor(start / windowMs) + windows) * windowMs - start : windows * windowMs
}
