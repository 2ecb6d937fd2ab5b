import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref } from "effect"
import * as KeyedLock from "../src/internal/keyedLock.js"

describe("KeyedLock", () => {
  it.effect("runs one effect per key at a time, keys in parallel, and drops idle keys", () =>
    Effect.gen(function* () {
      const baseline = yield* KeyedLock.size
      const gate = yield* Deferred.make<void>()
      const log = yield* Ref.make<Array<string>>([])
      const note = (entry: string) => Ref.update(log, (l) => [...l, entry])
      const key = KeyedLock.sequenceKey("p", "https://one.example", "1")
      const entered = yield* Deferred.make<void>()
      const held = yield* Effect.fork(
        note("first in").pipe(
          Effect.zipRight(Deferred.succeed(entered, undefined)),
          Effect.zipRight(Deferred.await(gate)),
          KeyedLock.withLock(key)
        )
      )
      yield* Deferred.await(entered)
      const waiting = yield* Effect.fork(note("second in").pipe(KeyedLock.withLock(key)))
      // Another account's sequence of the same id is another key.
      yield* note("other key").pipe(
        KeyedLock.withLock(KeyedLock.sequenceKey("p", "https://two.example", "1"))
      )
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
      expect(yield* Ref.get(log)).toEqual(["first in", "other key"])
      expect(yield* KeyedLock.size).toBe(baseline + 1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(held)
      yield* Fiber.join(waiting)
      expect(yield* Ref.get(log)).toEqual(["first in", "other key", "second in"])
      expect(yield* KeyedLock.size).toBe(baseline)
    })
  )

  it("keys name provider, account and id without ambiguity", () => {
    expect(KeyedLock.sequenceKey("a", "b c", "d")).not.toBe(KeyedLock.sequenceKey("a", "b", "c d"))
  })
})
