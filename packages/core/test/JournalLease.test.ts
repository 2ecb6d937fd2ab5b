import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, Scope, TestClock } from "effect"
import { JournalLease } from "../src/index.js"

const holder = (over: Partial<JournalLease.Holder> = {}): JournalLease.Holder => ({
  owner: "run-a",
  host: "host-a",
  pid: 100,
  since: "2026-01-01T00:00:00.000Z",
  expires: "2026-01-01T00:00:30.000Z",
  ...over
})
const at = (iso: string) => Date.parse(iso)

describe("JournalLease.standing", () => {
  const here = { host: "host-a", pid: 1, alive: () => true }
  const dead = { ...here, alive: () => false }

  it("no record: free", () => {
    expect(JournalLease.standing(Option.none(), 0, here)).toBe("free")
  })
  it("a live record before its expiry: held", () => {
    expect(JournalLease.standing(Option.some(holder()), at("2026-01-01T00:00:29.999Z"), here)).toBe("held")
  })
  it("a record at or past its expiry: stale", () => {
    expect(JournalLease.standing(Option.some(holder()), at("2026-01-01T00:00:30.000Z"), here)).toBe("stale")
  })
  it("a record of a process gone from this host: stale before its expiry", () => {
    expect(JournalLease.standing(Option.some(holder()), at("2026-01-01T00:00:01.000Z"), dead)).toBe("stale")
  })
  it("a record of another host is judged by its expiry only (its processes are not ours to see)", () => {
    expect(
      JournalLease.standing(Option.some(holder({ host: "host-b" })), at("2026-01-01T00:00:01.000Z"), dead)
    ).toBe("held")
  })
  it("an unreadable expiry cannot hold a journal forever", () => {
    expect(JournalLease.standing(Option.some(holder({ expires: "never" })), 0, here)).toBe("stale")
  })
})

/** A store in memory, compare-and-set like the real ones. */
const memoryStore = () => {
  let record: JournalLease.Holder | undefined
  const store: JournalLease.Store<never> = {
    read: Effect.sync(() => Option.fromNullable(record)),
    create: (h) =>
      Effect.sync(() => {
        if (record !== undefined) return false
        record = h
        return true
      }),
    replace: (stale, h) =>
      Effect.sync(() => {
        if (record?.owner !== stale.owner || record.expires !== stale.expires) return false
        record = h
        return true
      }),
    renew: (h, expires) =>
      Effect.sync(() => {
        if (record?.owner !== h.owner) return false
        record = { ...record, expires }
        return true
      }),
    release: (h) =>
      Effect.sync(() => {
        if (record?.owner === h.owner) record = undefined
      })
  }
  return {
    store,
    record: () => record,
    set: (h: JournalLease.Holder | undefined) => {
      record = h
    }
  }
}

const self: JournalLease.Identity = { host: "host-a", pid: 1, alive: () => true }

describe("JournalLease.hold", () => {
  it.effect("takes a free journal, renews it every third of the lease, releases it at the end", () =>
    Effect.gen(function* () {
      const memory = memoryStore()
      const scope = yield* Scope.make()
      const lease = yield* JournalLease.hold("j", memory.store, { ttl: "30 seconds", identity: self }).pipe(
        Scope.extend(scope)
      )
      expect(memory.record()).toEqual(lease.holder)
      expect(lease.holder).toMatchObject({ host: "host-a", pid: 1 })
      expect(lease.holder.expires).toBe(new Date(30_000).toISOString())
      yield* TestClock.adjust("10 seconds")
      expect(memory.record()?.expires).toBe(new Date(40_000).toISOString())
      yield* TestClock.adjust("10 seconds")
      expect(memory.record()?.expires).toBe(new Date(50_000).toISOString())
      yield* lease.check
      yield* Scope.close(scope, Exit.void)
      expect(memory.record()).toBeUndefined()
    })
  )

  it.effect("fails at once with JournalBusy naming a live holder", () =>
    Effect.gen(function* () {
      const memory = memoryStore()
      const other = holder({ host: "host-b", expires: new Date(60_000).toISOString() })
      memory.set(other)
      const exit = yield* Effect.exit(Effect.scoped(JournalLease.hold("j", memory.store, { identity: self })))
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(error).toEqual(Option.some(new JournalLease.JournalBusy({ journal: "j", holder: other })))
      expect(memory.record()).toEqual(other)
    })
  )

  it.effect("waits for an expiry when asked to, then takes the journal over", () =>
    Effect.gen(function* () {
      const memory = memoryStore()
      memory.set(holder({ host: "host-b", expires: new Date(20_000).toISOString() }))
      const fiber = yield* Effect.fork(
        Effect.scoped(
          Effect.map(
            JournalLease.hold("j", memory.store, { wait: "1 minute", identity: self }),
            (l) => l.holder
          )
        )
      )
      yield* TestClock.adjust("19 seconds")
      expect(yield* Fiber.poll(fiber)).toEqual(Option.none())
      yield* TestClock.adjust("2 seconds")
      const taken = yield* Fiber.join(fiber)
      expect(taken.host).toBe("host-a")
    })
  )

  it.effect("gives up waiting after `wait` with JournalBusy", () =>
    Effect.gen(function* () {
      const memory = memoryStore()
      memory.set(holder({ host: "host-b", expires: new Date(3_600_000).toISOString() }))
      const fiber = yield* Effect.fork(
        Effect.exit(Effect.scoped(JournalLease.hold("j", memory.store, { wait: "5 seconds" })))
      )
      yield* TestClock.adjust("6 seconds")
      const exit = yield* Fiber.join(fiber)
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause).pipe(Option.map((e) => e._tag))).toEqual(
        Option.some("JournalBusy")
      )
    })
  )

  it.effect("a lease taken over by another run is reported lost at the next renewal", () =>
    Effect.gen(function* () {
      const memory = memoryStore()
      const lease = yield* JournalLease.hold("j", memory.store, { ttl: "30 seconds", identity: self })
      const taker = holder({ owner: "run-b", host: "host-b", pid: 7 })
      memory.set(taker)
      yield* TestClock.adjust("10 seconds")
      const exit = yield* Effect.exit(lease.check)
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(error).toEqual(Option.some(new JournalLease.LeaseLost({ journal: "j", holder: taker })))
      expect(Option.getOrThrow(error).message).toContain("taken over by process 7 on host-b")
    }).pipe(Effect.scoped)
  )
})
