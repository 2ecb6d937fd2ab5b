/**
 * Retries and client-side rate limiting shared by the adapters. Both run on Effect's `Clock` and
 * `Random`, so tests can drive them with `TestClock` and a seeded random.
 */
import { Duration, Effect, Metric, Random } from "effect"
import { isSequenceError, type SequenceError } from "./SequenceError.js"

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  readonly maxAttempts?: number
  /** First backoff ceiling; doubles each attempt (default 250 ms). */
  readonly baseDelay?: Duration.DurationInput
  /** Largest backoff ceiling (default 20 s). */
  readonly maxDelay?: Duration.DurationInput
  /** Further narrows which retryable errors are retried (e.g. never after an ambiguous create). */
  readonly while?: (error: SequenceError) => boolean
  /**
   * Which errors are worth another attempt (default: `isRetryable`). Safe requests also retry a
   * garbled answer (`retryableIfSafe`): a proxy page or a cut body says nothing about the next one.
   */
  readonly retryable?: (error: SequenceError) => boolean
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
 * Retries failures whose `isRetryable` is true with exponential backoff and full jitter, waiting at
 * least as long as a `RateLimited` error's `retryAfter`.
 */
export const retry =
  (options: RetryOptions = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const maxAttempts = Math.max(1, options.maxAttempts ?? 6)
    const base = Duration.toMillis(options.baseDelay ?? "250 millis")
    const cap = Duration.toMillis(options.maxDelay ?? "20 seconds")
    const attempt = (n: number): Effect.Effect<A, E, R> =>
      Effect.catchIf(
        effect,
        (error) =>
          n < maxAttempts &&
          isSequenceError(error) &&
          (options.retryable === undefined ? error.isRetryable : options.retryable(error)) &&
          (options.while === undefined || options.while(error)),
        (error) =>
          Effect.gen(function* () {
            const ceiling = Math.min(cap, base * 2 ** (n - 1))
            const jitter = yield* Random.nextRange(0, ceiling)
            const asked =
              isSequenceError(error) && error._tag === "RateLimited" && error.retryAfter !== undefined
                ? Duration.toMillis(error.retryAfter)
                : 0
            const wait = Math.max(jitter, asked)
            if (isSequenceError(error)) {
              yield* Metric.increment(
                Metric.tagged(Metric.tagged(retries, "provider", error.provider), "error", error._tag)
              )
            }
            yield* Effect.annotateCurrentSpan("unisequence.retries", n)
            yield* Effect.logDebug(`retrying after ${Math.round(wait)} ms`).pipe(
              Effect.annotateLogs({ attempt: n, error: isSequenceError(error) ? error._tag : "unknown" })
            )
            yield* Effect.sleep(Duration.millis(wait))
            return yield* attempt(n + 1)
          })
      )
    return attempt(1)
  }

export interface LimiterOptions {
  /** At most this many requests in any `window` (a sliding window, so never more in a fixed one). */
  readonly limit: number
  readonly window: Duration.DurationInput
  /** Extra spacing to absorb latency between our clock and the provider's (default 2% of the window). */
  readonly margin?: Duration.DurationInput
}

/** What a provider said of one of its windows (Apollo's `x-*-requests-left` headers). */
export interface Budget {
  /** Which window (e.g. `minute`, `hourly`): budgets of different windows are kept apart. */
  readonly key: string
  readonly remaining: number
  readonly resetAfter: Duration.DurationInput
}

export interface Limiter {
  /** Waits until one more request fits every known limit, then counts it. */
  readonly take: Effect.Effect<void>
  /** Learns from the provider's own count; the strictest window wins. */
  readonly observe: (budget: Budget) => Effect.Effect<void>
  /** After a 429: nobody sends before `duration` has passed. */
  readonly pause: (duration: Duration.DurationInput) => Effect.Effect<void>
}

/**
 * A limiter per credential. Without a `limit` it only follows what the provider reports (`observe`)
 * and pauses after 429s.
 */
export const makeLimiter = (options: Partial<LimiterOptions> = {}): Effect.Effect<Limiter> =>
  Effect.sync(() => {
    const limit = options.limit
    const windowMs = options.window === undefined ? 0 : Duration.toMillis(options.window)
    const marginMs = options.margin === undefined ? windowMs * 0.02 : Duration.toMillis(options.margin)
    // Send times of the last `limit` requests, oldest first (a ring would save little at these sizes).
    const sent: Array<number> = []
    const budgets = new Map<string, { remaining: number; until: number }>()
    let pausedUntil = 0
    const mutex = Effect.unsafeMakeSemaphore(1)

    /** How long to wait before the next request may go, given the state at `now`. */
    const waitAt = (now: number): number => {
      let wait = Math.max(0, pausedUntil - now)
      if (limit !== undefined && windowMs > 0) {
        while (sent.length > 0 && sent[0]! + windowMs + marginMs <= now) sent.shift()
        if (sent.length >= limit)
          wait = Math.max(wait, sent[sent.length - limit]! + windowMs + marginMs - now)
      }
      for (const [key, budget] of budgets) {
        if (budget.until <= now) budgets.delete(key)
        else if (budget.remaining <= 0) wait = Math.max(wait, budget.until - now)
      }
      return wait
    }

    const take = mutex.withPermits(1)(
      Effect.gen(function* () {
        let now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        let wait = waitAt(now)
        while (wait > 0) {
          yield* Effect.sleep(Duration.millis(wait))
          now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          wait = waitAt(now)
        }
        if (limit !== undefined) {
          sent.push(now)
          if (sent.length > limit) sent.shift()
        }
        for (const budget of budgets.values()) budget.remaining--
      })
    )

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

    return { take, observe, pause }
  })
