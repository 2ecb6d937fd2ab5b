import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Exit, Fiber, Metric, Option, Ref, Schedule, TestClock } from "effect"
import { Resilience, SequenceError } from "../src/index.js"

const rateLimited = (retryAfter?: Duration.DurationInput) =>
  new SequenceError.RateLimited({
    provider: "kit",
    operation: "get",
    ...(retryAfter === undefined ? {} : { retryAfter: Duration.decode(retryAfter) })
  })
const unavailable = new SequenceError.ProviderUnavailable({
  provider: "apollo",
  operation: "get",
  reason: "bad gateway",
  status: 502
})
const invalid = new SequenceError.InvalidInput({
  provider: "kit",
  operation: "update",
  issues: [{ path: "name", message: "must not be blank" }]
})

/** An effect that fails with `errors` in turn, then succeeds with the attempt count. */
const flaky = (attempts: Ref.Ref<number>, errors: ReadonlyArray<SequenceError.SequenceError>) =>
  Ref.updateAndGet(attempts, (n) => n + 1).pipe(
    Effect.flatMap((n) => (n <= errors.length ? Effect.fail(errors[n - 1]!) : Effect.succeed(n)))
  )

const isDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) => Fiber.poll(fiber).pipe(Effect.map(Option.isSome))

describe("Resilience.retry", () => {
  it.effect("waits at least the retryAfter the provider asked for", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const fiber = yield* flaky(attempts, [rateLimited("10 seconds")]).pipe(
        Resilience.retry({ baseDelay: "100 millis" }),
        Effect.fork
      )
      yield* TestClock.adjust("9999 millis")
      expect(yield* Ref.get(attempts)).toBe(1)
      expect(yield* isDone(fiber)).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe(2)
    })
  )

  it.effect("backs off within the doubling ceiling when no retryAfter is given", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const fiber = yield* flaky(attempts, [unavailable, unavailable, rateLimited()]).pipe(
        Resilience.retry({ baseDelay: "1 second", maxDelay: "10 seconds" }),
        Effect.fork
      )
      // ceilings 1 s, 2 s, 4 s: at most 7 s in all
      yield* TestClock.adjust("7 seconds")
      expect(yield* Fiber.join(fiber)).toBe(4)
    })
  )

  it.effect("stops at maxAttempts with the last error", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const fiber = yield* flaky(
        attempts,
        Array.from({ length: 10 }, () => unavailable)
      ).pipe(Resilience.retry({ maxAttempts: 3, baseDelay: "10 millis" }), Effect.fork)
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      expect(exit).toEqual(Exit.fail(unavailable))
      expect(yield* Ref.get(attempts)).toBe(3)
    })
  )

  it.effect("never retries an error that is not retryable", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const error = yield* flaky(attempts, [invalid, invalid]).pipe(Resilience.retry(), Effect.flip)
      expect(error).toBe(invalid)
      expect(yield* Ref.get(attempts)).toBe(1)
      const notFound = new SequenceError.SequenceNotFound({
        provider: "kit",
        operation: "get",
        sequenceId: "1"
      })
      yield* Ref.set(attempts, 0)
      yield* flaky(attempts, [notFound]).pipe(Resilience.retry(), Effect.flip)
      expect(yield* Ref.get(attempts)).toBe(1)
    })
  )

  it.effect("never retries what is not a SequenceError, nor what `while` excludes", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const other = Ref.update(attempts, (n) => n + 1).pipe(Effect.zipRight(Effect.fail(new Error("boom"))))
      yield* other.pipe(Resilience.retry(), Effect.flip)
      expect(yield* Ref.get(attempts)).toBe(1)

      yield* Ref.set(attempts, 0)
      yield* flaky(attempts, [unavailable]).pipe(
        Resilience.retry({ while: (e) => e._tag === "RateLimited" }),
        Effect.flip
      )
      expect(yield* Ref.get(attempts)).toBe(1)
    })
  )
})

describe("Resilience.backoff", () => {
  /** The waits the schedule asks for, one per retry, until it stops. */
  const delaysOf = (schedule: Schedule.Schedule<unknown>, inputs: number) =>
    Schedule.run(
      Schedule.delays(schedule),
      0,
      Array.from({ length: inputs }, () => undefined)
    ).pipe(Effect.map((delays) => Chunk.toReadonlyArray(delays).map(Duration.toMillis)))

  it.effect("is exponential, capped, fully jittered, and stops after maxAttempts - 1 retries", () =>
    Effect.gen(function* () {
      const ceilings = [100, 200, 400, 800, 1000, 1000, 1000]
      const seen = new Set<number>()
      for (let run = 0; run < 20; run++) {
        const delays = yield* delaysOf(
          Resilience.backoff({ baseDelay: "100 millis", maxDelay: "1 second", maxAttempts: 8 }),
          20
        )
        // Seven waits, then the output of the step that stops.
        expect(delays).toHaveLength(8)
        delays.slice(0, 7).forEach((d, i) => {
          expect(d).toBeGreaterThanOrEqual(0)
          expect(d).toBeLessThanOrEqual(ceilings[i]!)
          seen.add(Math.round(d))
        })
      }
      // Jittered: clients that failed together do not all wait the same.
      expect(seen.size).toBeGreaterThan(20)
    })
  )
})

describe("Resilience.retry with a schedule of the caller's", () => {
  it.effect("the schedule replaces the backoff; retryAfter still wins when longer", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const fiber = yield* flaky(attempts, [unavailable, rateLimited("5 seconds"), unavailable]).pipe(
        Resilience.retry({ schedule: Schedule.spaced("1 second") }),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      expect(yield* Ref.get(attempts)).toBe(2)
      yield* TestClock.adjust("4999 millis")
      expect(yield* Ref.get(attempts)).toBe(2)
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(attempts)).toBe(3)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe(4)
    })
  )

  it.effect("the schedule decides when to stop; errors that are not safe never reach it", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const stepped = yield* Ref.make(0)
      const schedule = Schedule.recurs(1).pipe(Schedule.tapInput(() => Ref.update(stepped, (n) => n + 1)))
      const fiber = yield* flaky(attempts, [unavailable, unavailable, unavailable]).pipe(
        Resilience.retry({ schedule }),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.await(fiber)).toEqual(Exit.fail(unavailable))
      expect(yield* Ref.get(attempts)).toBe(2)
      yield* Ref.set(stepped, 0)
      yield* Ref.set(attempts, 0)
      yield* flaky(attempts, [invalid]).pipe(Resilience.retry({ schedule }), Effect.flip)
      expect(yield* Ref.get(stepped)).toBe(0)
    })
  )

  it.effect("counts each retry taken, and only those, and tells onRetry how long it waits", () =>
    Effect.gen(function* () {
      const counter = Resilience.retries.pipe(
        Metric.tagged("provider", "apollo"),
        Metric.tagged("error", "ProviderUnavailable")
      )
      const before = (yield* Metric.value(counter)).count
      const attempts = yield* Ref.make(0)
      const waits = yield* Ref.make<Array<number>>([])
      const fiber = yield* flaky(
        attempts,
        Array.from({ length: 10 }, () => unavailable)
      ).pipe(
        Resilience.retry({
          schedule: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(2))),
          onRetry: (_, delay) => Ref.update(waits, (ws) => [...ws, Duration.toMillis(delay)])
        }),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.await(fiber)
      expect(yield* Ref.get(attempts)).toBe(3)
      expect(yield* Ref.get(waits)).toEqual([10, 10])
      expect((yield* Metric.value(counter)).count - before).toBe(2)
    })
  )
})

describe("Resilience.fixedWindow", () => {
  it.effect("opens a window at the first request after the last one ended, as Kit counts", () =>
    Effect.gen(function* () {
      const cap = yield* Resilience.fixedWindow({ limit: 2, window: "1 second", margin: 0 })
      const times = yield* Ref.make<Array<number>>([])
      const send = cap(
        Clock.currentTimeMillis.pipe(Effect.flatMap((t) => Ref.update(times, (ts) => [...ts, t])))
      )
      yield* send
      // Idle for most of the window: the next window still opens when this one ends, not later.
      yield* TestClock.adjust("900 millis")
      yield* send
      const third = yield* Effect.fork(send)
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(third)
      // Idle past the end of a window: the next opens at its first request.
      yield* TestClock.adjust("2500 millis")
      yield* send
      yield* send
      const sixth = yield* Effect.fork(send)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(sixth)
      expect(yield* Ref.get(times)).toEqual([0, 900, 1000, 3500, 3500, 4500])
    })
  )
})

describe("Resilience.fixedWindow, reckoned from the answer", () => {
  it.effect("a window whose first request answered late closes that much later", () =>
    Effect.gen(function* () {
      const cap = yield* Resilience.fixedWindow({ limit: 1, window: "1 second", margin: 0 })
      // The provider opened its window when the request arrived: some time before this answer.
      const slow = yield* Effect.fork(cap(Effect.sleep("300 millis")))
      yield* TestClock.adjust("300 millis")
      yield* Fiber.join(slow)
      const next = yield* Effect.fork(cap(Clock.currentTimeMillis))
      yield* TestClock.adjust("999 millis")
      expect(yield* isDone(next)).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(next)).toBe(1300)
    })
  )
})

describe("Resilience.fixedWindow, reckoned from the answers", () => {
  /** Two windows of one request each: when the second was let through. */
  const second = (first: Effect.Effect<unknown, string>, answerAfter: Duration.DurationInput) =>
    Effect.gen(function* () {
      const cap = yield* Resilience.fixedWindow({ limit: 1, window: "1 second" })
      const one = yield* Effect.fork(
        cap(Effect.zipRight(Effect.sleep(answerAfter), first)).pipe(Effect.either)
      )
      yield* TestClock.adjust(answerAfter)
      yield* Fiber.join(one)
      const next = yield* Effect.fork(cap(Clock.currentTimeMillis))
      for (let i = 0; i < 30; i++) yield* TestClock.adjust("50 millis")
      return yield* Fiber.join(next)
    })

  it.effect("an answer within the margin ends the window a window after it, without the margin", () =>
    Effect.gen(function* () {
      // The provider counted the request before this answer: its window is over 1 s after it.
      expect(yield* second(Effect.void, "5 millis")).toBe(1005)
    })
  )

  it.effect("a request that failed counts until a window after it failed, without the margin", () =>
    Effect.gen(function* () {
      // If it reached the provider at all, it did before it failed.
      expect(yield* second(Effect.fail("refused"), "5 millis")).toBe(1005)
    })
  )

  it.effect("the first answer of any request of the window counts, not only its opener's", () =>
    Effect.gen(function* () {
      const cap = yield* Resilience.fixedWindow({ limit: 2, window: "1 second", margin: 0 })
      // The window's first request is answered last.
      const slow = yield* Effect.fork(cap(Effect.sleep("400 millis")))
      yield* TestClock.adjust("0 millis")
      const quick = yield* Effect.fork(cap(Effect.sleep("100 millis")))
      yield* TestClock.adjust("400 millis")
      yield* Fiber.join(quick)
      yield* Fiber.join(slow)
      const next = yield* Effect.fork(cap(Clock.currentTimeMillis))
      for (let i = 0; i < 30; i++) yield* TestClock.adjust("50 millis")
      // The quicker request was counted before its answer: 1 s after it, it no longer shares a window.
      expect(yield* Fiber.join(next)).toBe(1100)
    })
  )
})

describe("Resilience.fixedWindow, requests in flight", () => {
  it.effect("a request still in flight counts: the next waits for an answer, then a window after it", () =>
    Effect.gen(function* () {
      const cap = yield* Resilience.fixedWindow({ limit: 2, window: "1 second", margin: 0 })
      const first = yield* Effect.fork(cap(Effect.sleep("300 millis")))
      const second = yield* Effect.fork(cap(Effect.sleep("2 seconds")))
      yield* TestClock.adjust("0 millis")
      const third = yield* Effect.fork(cap(Clock.currentTimeMillis))
      // Two in flight: nothing goes, however long, until one is answered…
      yield* TestClock.adjust("300 millis")
      expect(yield* isDone(third)).toBe(false)
      // …and the answered one may have been counted up to its answer, so a window after that.
      yield* TestClock.adjust("999 millis")
      expect(yield* isDone(third)).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(third)).toBe(1300)
      yield* Fiber.join(first)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(second)
    })
  )
})

describe("Resilience.makeLimiter", () => {
  /** Takes `count` permits one after another, recording when each was granted. */
  const takeAll = (limiter: Resilience.Limiter, count: number) =>
    Effect.gen(function* () {
      const times = yield* Ref.make<Array<number>>([])
      const fiber = yield* Effect.forEach(
        Array.from({ length: count }),
        () =>
          limiter.take.pipe(
            Effect.zipRight(Clock.currentTimeMillis),
            Effect.flatMap((t) => Ref.update(times, (ts) => [...ts, t]))
          ),
        { concurrency: "unbounded" }
      ).pipe(Effect.fork)
      return { times, fiber }
    })

  it.effect("never lets more than `limit` through in any window", () =>
    Effect.gen(function* () {
      const limiter = yield* Resilience.makeLimiter({ limit: 3, window: "1 second", margin: 0 })
      const { times, fiber } = yield* takeAll(limiter, 10)
      for (let i = 0; i < 40; i++) yield* TestClock.adjust("100 millis")
      yield* Fiber.join(fiber)
      const granted = yield* Ref.get(times)
      expect(granted).toHaveLength(10)
      // any `limit + 1` consecutive grants span at least one window
      for (let i = 0; i + 3 < granted.length; i++)
        expect(granted[i + 3]! - granted[i]!).toBeGreaterThanOrEqual(1000)
      // and the limiter does not hold back more than it must
      expect(granted.slice(0, 3)).toEqual([0, 0, 0])
      expect(granted[3]).toBe(1000)
    })
  )

  it.effect("keeps a margin beyond the window", () =>
    Effect.gen(function* () {
      const limiter = yield* Resilience.makeLimiter({ limit: 1, window: "1 second" })
      const { times, fiber } = yield* takeAll(limiter, 2)
      for (let i = 0; i < 30; i++) yield* TestClock.adjust("50 millis")
      yield* Fiber.join(fiber)
      const [first, second] = yield* Ref.get(times)
      expect(second! - first!).toBeGreaterThanOrEqual(1020)
    })
  )

  it.effect("learns from the provider's remaining budget", () =>
    Effect.gen(function* () {
      const limiter = yield* Resilience.makeLimiter()
      yield* limiter.observe({ key: "minute", remaining: 2, resetAfter: "30 seconds" })
      const { times, fiber } = yield* takeAll(limiter, 3)
      yield* TestClock.adjust("29 seconds")
      expect(yield* Ref.get(times)).toEqual([0, 0])
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(yield* Ref.get(times)).toEqual([0, 0, 30_000])
    })
  )

  it.effect("keeps the lower count when answers arrive out of order, and windows apart", () =>
    Effect.gen(function* () {
      const limiter = yield* Resilience.makeLimiter()
      yield* limiter.observe({ key: "minute", remaining: 0, resetAfter: "10 seconds" })
      yield* limiter.observe({ key: "minute", remaining: 50, resetAfter: "10 seconds" })
      yield* limiter.observe({ key: "hour", remaining: 0, resetAfter: "20 seconds" })
      const fiber = yield* Effect.fork(limiter.take)
      yield* TestClock.adjust("10 seconds")
      expect(yield* isDone(fiber)).toBe(false)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
    })
  )

  it.effect("pause holds every request until it ends", () =>
    Effect.gen(function* () {
      const limiter = yield* Resilience.makeLimiter({ limit: 100, window: "1 second" })
      yield* limiter.take
      yield* limiter.pause("5 seconds")
      const { times, fiber } = yield* takeAll(limiter, 2)
      yield* TestClock.adjust("4 seconds")
      expect(yield* Ref.get(times)).toEqual([])
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(yield* Ref.get(times)).toEqual([5000, 5000])
    })
  )
})
