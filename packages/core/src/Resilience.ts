/**
 * Retries and client-side rate limiting shared by the adapters and the migration engine. Both run on
 * Effect's `Clock` and `Random`, so tests can drive them with `TestClock` and a seeded random.
 */
import { Deferred, Duration, Effect, Metric, type RateLimiter, Schedule } from "effect"
import { isSequenceError, type SequenceError } from "./SequenceError.js"

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). Ignored when `schedule` is given. */
  readonly maxAttempts?: number
  /** First backoff ceiling; doubles each attempt (default 250 ms). Ignored when `schedule` is given. */
  readonly baseDelay?: Duration.DurationInput
  /** Largest backoff ceiling (default 20 s). Ignored when `schedule` is given. */
  readonly maxDelay?: Duration.DurationInput
  /**
   * The backoff itself (default `backoff(options)`): when to try again and when to stop. Whatever it
   * says, a `RateLimited` error's `retryAfter` is still waited out, and only errors the policy deems
   * safe reach it.
   */
  readonly schedule?: Schedule.Schedule<unknown, SequenceError>
  /** Further narrows which retryable errors are retried (e.g. never after an ambiguous create). */
  readonly while?: (error: SequenceError) => boolean
  /**
   * Which errors are worth another attempt (default: `isRetryable`). Safe requests also retry a
   * garbled answer (`retryableIfSafe`): a proxy page or a cut body says nothing about the next one.
   */
  readonly retryable?: (error: SequenceError) => boolean
  /** Count each retry in `retries` (default true; the migration engine's resumes are not requests). */
  readonly metric?: boolean
  /** Runs before each wait (e.g. to log why a step is tried again). */
  readonly onRetry?: (error: SequenceError, delay: Duration.Duration) => Effect.Effect<void>
}

/** For requests that change nothing, or the same thing each time: a garbled answer is retried too. */
export const retryableIfSafe = (error: SequenceError): boolean =>
  error.isRetryable || error._tag === "MalformedResponse"

/** Every retry taken, by provider and error tag: the figure fault tests and benchmarks print. */
export const retries = Metric.counter("unisequence_retries", {
  description: "requests retried after a retryable failure",
  incremental: true
})

/**
 * The default backoff: exponential from `baseDelay`, capped at `maxDelay`, with full jitter (each
 * wait drawn uniformly below its ceiling, so clients that failed together do not retry together),
 * for `maxAttempts - 1` retries.
 */
export const backoff = (
  options: Pick<RetryOptions, "maxAttempts" | "baseDelay" | "maxDelay"> = {}
): Schedule.Schedule<unknown> =>
  Schedule.exponential(options.baseDelay ?? "250 millis").pipe(
    Schedule.union(Schedule.spaced(options.maxDelay ?? "20 seconds")),
    Schedule.jitteredWith({ min: 0, max: 1 }),
    Schedule.intersect(Schedule.recurs(Math.max(1, options.maxAttempts ?? 6) - 1))
  )

/**
 * The retry policy as a `Schedule` of the errors it is given: `schedule` (or the default backoff),
 * never shorter than what a `RateLimited` error asked for, counting each retry in `retries`.
 */
export const policy = (options: RetryOptions = {}): Schedule.Schedule<SequenceError, SequenceError> =>
  Schedule.passthrough(options.schedule ?? backoff(options)).pipe(
    Schedule.modifyDelayEffect((error, delay) =>
      Effect.gen(function* () {
        const asked =
          error._tag === "RateLimited" && error.retryAfter !== undefined ? error.retryAfter : Duration.zero
        const wait = Duration.max(delay, asked)
        if (options.metric !== false)
          yield* Metric.increment(
            Metric.tagged(Metric.tagged(retries, "provider", error.provider), "error", error._tag)
          )
        yield* Effect.annotateCurrentSpan("unisequence.retried", true)
        yield* Effect.logDebug(`retrying after ${Math.round(Duration.toMillis(wait))} ms`).pipe(
          Effect.annotateLogs({ error: error._tag })
        )
        if (options.onRetry !== undefined) yield* options.onRetry(error, wait)
        return wait
      })
    )
  )

/**
 * Retries the failures the options deem safe with `policy(options)`. Any other failure (or one
 * that is not a `SequenceError`) is returned at once, untouched.
 */
export const retry = (options: RetryOptions = {}) => {
  const after = retryAfter(options)
  return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SequenceError, R> =>
    // The first attempt runs bare: a call that succeeds (nearly all) builds no retry machinery.
    Effect.catchAll(effect, (first) => after(effect, first))
}

/**
 * What `retry` does once the first attempt of `effect` failed with `first`: fails with it at once
 * unless it is eligible, otherwise retries under the policy, whose first run replays `first`
 * instead of sending again, so the schedule sees the same errors in the same order as a plain
 * `Effect.retry` would. For a caller that runs the first attempt itself (the HTTP pipeline sets
 * its span as the parent only around the retries).
 */
export const retryAfter = (options: RetryOptions = {}) => {
  const schedule = policy(options)
  const retryable = options.retryable ?? ((error: SequenceError) => error.isRetryable)
  const eligible = (error: unknown): error is SequenceError =>
    isSequenceError(error) && retryable(error) && (options.while === undefined || options.while(error))
  return <A, E, R>(effect: Effect.Effect<A, E, R>, first: E): Effect.Effect<A, E | SequenceError, R> => {
    if (!eligible(first)) return Effect.fail(first)
    let replayed = false
    const again = Effect.suspend(() => {
      if (replayed) return effect
      replayed = true
      return Effect.fail(first)
    })
    // Failures that must not be retried leave as a value, so the schedule only sees eligible errors.
    return again.pipe(
      Effect.map(Effect.succeed),
      Effect.catchAll((error) => (eligible(error) ? Effect.fail(error) : Effect.succeed(Effect.fail(error)))),
      Effect.retry(schedule),
      Effect.flatten
    )
  }
}

export interface LimiterOptions {
  /** At most this many requests in a window. */
  readonly limit: number
  readonly window: Duration.DurationInput
  /**
   * For a slot taken with no request through the cap (`Limiter.take`), whose answer it never sees:
   * how much later than the grant the request may reach the provider (default 2% of the window).
   */
  readonly margin?: Duration.DurationInput
}

/**
 * A static cap for a provider that counts in fixed windows opened by the first request after the
 * previous one ended (as Kit does): at most `limit` requests in any window the provider may open.
 *
 * The provider counts a request when it arrives, which the client cannot see, but which is never
 * after the request was answered (or failed). So a request answered at `a` cannot share a window
 * with one that leaves at `t ≥ a + window`; every request not answered that long ago, or still in
 * flight, may. A request goes when fewer than `limit` of those remain. This holds in every phase:
 * a client too slow to fill its windows, one that stalls mid-window, one whose answers are read
 * late; a window's requests reckoned from its opener alone let a slow client's last requests of
 * one window and its first of the next reach the provider in the same window (429s on a loaded
 * machine). In steady use, each window's requests go one window after the previous window's were
 * answered: the rate lost is one round trip per window, not a margin on top of it.
 *
 * It has Effect's `RateLimiter` shape; `RateLimiter.make({ algorithm: "fixed-window" })` counts
 * windows from its grants instead (the provider's open later, so its next one can start before the
 * provider's has closed), with a fiber sleeping out each window in a `Scope`. The bench's
 * benchmark 4 ablation compares the two.
 */
export const fixedWindow = (options: LimiterOptions): Effect.Effect<RateLimiter.RateLimiter> =>
  Effect.sync(() => makeWindow(options).limit)

/** The cap's state; `take` counts a slot whose request the cap never sees (grant + margin). */
const makeWindow = (options: LimiterOptions) => {
  const windowMs = Duration.toMillis(options.window)
  const margin = options.margin === undefined ? windowMs * 0.02 : Duration.toMillis(options.margin)
  /** When requests settled, ascending: each no earlier than when the provider counted it. */
  const settled: Array<number> = []
  let inFlight = 0
  /** Completed when a request settles, then replaced: a taker waiting on in-flight requests wakes. */
  let change = Effect.runSync(Deferred.make<void>())
  const now = Effect.clockWith((clock) => clock.currentTimeMillis)
  const mutex = Effect.unsafeMakeSemaphore(1)

  const record = (t: number) => {
    let i = settled.length
    while (i > 0 && settled[i - 1]! > t) i--
    settled.splice(i, 0, t)
  }

  const grant = (tracked: boolean): Effect.Effect<void> =>
    mutex.withPermits(1)(
      Effect.gen(function* () {
        for (;;) {
          const t = yield* now
          // Settled a window ago or more: counted in a window that has closed for any request now.
          let old = 0
          while (old < settled.length && settled[old]! <= t - windowMs) old++
          if (old > 0) settled.splice(0, old)
          if (inFlight + settled.length < options.limit) {
            if (tracked) inFlight++
            else record(t + margin)
            return
          }
          const wake = change
          yield* settled.length === 0
            ? Deferred.await(wake)
            : Effect.raceFirst(
                Effect.sleep(Duration.millis(settled[0]! + windowMs - t)),
                Deferred.await(wake)
              )
        }
      })
    )

  const settle = Effect.flatMap(now, (t) =>
    Effect.sync(() => {
      inFlight--
      record(t)
      const done = change
      change = Effect.runSync(Deferred.make<void>())
      Effect.runSync(Deferred.succeed(done, undefined))
    })
  )

  const limit: RateLimiter.RateLimiter = (effect) =>
    // Counted in flight from the grant to its settling, whatever ends it.
    Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(restore(grant(true)), restore(effect).pipe(Effect.ensuring(settle)))
    )
  return { limit, take: grant(false) }
}

/** What a provider said of one of its windows (Apollo's `x-*-requests-left` headers). */
export interface Budget {
  /** Which window (e.g. `minute`, `hourly`): budgets of different windows are kept apart. */
  readonly key: string
  readonly remaining: number
  readonly resetAfter: Duration.DurationInput
}

export interface Limiter {
  /** Runs `request` once it fits every known limit, counting it. */
  readonly limit: RateLimiter.RateLimiter
  /**
   * Waits until one more request fits every known limit, then counts it: for a request sent
   * elsewhere, whose answer the static cap does not see (its window is reckoned from the grant).
   */
  readonly take: Effect.Effect<void>
  /** Learns from the provider's own count; the strictest window wins. */
  readonly observe: (budget: Budget) => Effect.Effect<void>
  /** After a 429: nobody sends before `duration` has passed. */
  readonly pause: (duration: Duration.DurationInput) => Effect.Effect<void>
}

/**
 * A limiter per credential: the static cap (`fixedWindow` from `limit`/`window`, or any
 * `RateLimiter` given as `cap`), behind what the provider reports (`observe`) and pauses after 429s.
 */
export const makeLimiter = (
  options: Partial<LimiterOptions> & { readonly cap?: RateLimiter.RateLimiter } = {}
): Effect.Effect<Limiter> =>
  Effect.gen(function* () {
    const own =
      options.cap !== undefined || options.limit === undefined || options.window === undefined
        ? undefined
        : makeWindow({
            limit: options.limit,
            window: options.window,
            ...(options.margin === undefined ? {} : { margin: options.margin })
          })
    const cap = options.cap ?? own?.limit
    // The provider's budgets, by window: the only state this module keeps by hand.
    const budgets = new Map<string, { remaining: number; until: number }>()
    let pausedUntil = 0
    const mutex = yield* Effect.makeSemaphore(1)

    const waitAt = (now: number): number => {
      let wait = Math.max(0, pausedUntil - now)
      for (const [key, budget] of budgets) {
        if (budget.until <= now) budgets.delete(key)
        else if (budget.remaining <= 0) wait = Math.max(wait, budget.until - now)
      }
      return wait
    }

    // Budgets and pauses first: the cap's window must open when the request really goes.
    const gate = mutex.withPermits(1)(
      Effect.gen(function* () {
        for (;;) {
          const wait = waitAt(yield* Effect.clockWith((clock) => clock.currentTimeMillis))
          if (wait <= 0) break
          yield* Effect.sleep(Duration.millis(wait))
        }
        for (const budget of budgets.values()) budget.remaining--
      })
    )
    const limit = <A, E, R>(request: Effect.Effect<A, E, R>) =>
      Effect.clockWith((clock) => {
        const capped = cap === undefined ? request : cap(request)
        // Nothing learnt and no pause: the gate would neither wait nor count, so it is skipped (a
        // limiter that is off costs a clock read, not a semaphore per request).
        return budgets.size === 0 && pausedUntil <= clock.unsafeCurrentTimeMillis()
          ? capped
          : Effect.zipRight(gate, capped)
      })

    const observe = (budget: Budget) =>
      Effect.clockWith((clock) => clock.currentTimeMillis).pipe(
        Effect.map((now) => {
          const until = now + Duration.toMillis(budget.resetAfter)
          const known = budgets.get(budget.key)
          // Answers arrive out of order under concurrency: keep the lower count for the same window.
          if (known === undefined || known.until <= now || budget.remaining < known.remaining) {
            budgets.set(budget.key, { remaining: budget.remaining, until })
          }
        })
      )

    const pause = (duration: Duration.DurationInput) =>
      Effect.clockWith((clock) => clock.currentTimeMillis).pipe(
        Effect.map((now) => {
          pausedUntil = Math.max(pausedUntil, now + Duration.toMillis(duration))
        })
      )

    // A bare take sends nothing through the cap, so no answer tells it when the provider counted.
    const take = Effect.zipRight(
      gate,
      own === undefined ? (cap === undefined ? Effect.void : cap(Effect.void)) : own.take
    )
    return { limit, take, observe, pause }
  })
