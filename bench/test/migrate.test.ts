/** The arithmetic behind benchmarks 4 and 5: the provider's windows rebuilt, the fastest schedule. */
import { describe, expect, it } from "vitest"
import { fastest, steadyRate } from "../src/migrate.js"
import type { Logged } from "../src/simulators/commands.js"

const at = (t: number, status = 200): Logged => ({ method: "GET", path: "/", status, operation: null, at: t })

describe("fastest", () => {
  it("Kit's windows: a window's budget at once, the next a window after the first request", () => {
    expect(fastest({ n: 120, limit: 120, windowMs: 60_000, aligned: false, start: 7 })).toBe(0)
    expect(fastest({ n: 121, limit: 120, windowMs: 60_000, aligned: false, start: 7 })).toBe(60_000)
    expect(fastest({ n: 1501, limit: 120, windowMs: 60_000, aligned: false, start: 7 })).toBe(12 * 60_000)
  })

  it("aligned windows: the next one opens at the next multiple of the window", () => {
    // Started 45 s into a minute: the second minute's budget opens 15 s later.
    expect(fastest({ n: 41, limit: 40, windowMs: 60_000, aligned: true, start: 105_000 })).toBe(15_000)
    expect(fastest({ n: 81, limit: 40, windowMs: 60_000, aligned: true, start: 105_000 })).toBe(75_000)
    expect(fastest({ n: 0, limit: 40, windowMs: 60_000, aligned: true, start: 105_000 })).toBe(0)
  })
})

describe("steadyRate", () => {
  it("rebuilds Kit's windows from the first request after each closed, refused requests apart", () => {
    // limit 2 per 1000: windows open at 0, 1000 and 2500; the middle one is the steady state.
    const log = [at(0), at(10), at(1000), at(1500), at(1600, 429), at(2500), at(2600)]
    const rate = steadyRate(log, 2, 1000, false)
    expect(rate.perWindow).toEqual([2, 2, 2])
    expect(rate.refusedPerWindow).toEqual([0, 1, 0])
    // 2 accepted between 1000 and 2500: 2 / 1500 ms against 2 / 1000 ms.
    expect(rate.ratio).toBeCloseTo(1000 / 1500)
  })
})
