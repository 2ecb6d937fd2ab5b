/** Apollo's rate limits: per endpoint, fixed minute / hour / day windows, reported in headers. */
import type { Operation, RateLimitOptions, RateLimitWindows } from "./types.js"

/** Generous defaults, so that suites and benchmarks are not throttled unless they ask to be. */
export const DefaultRateLimit: Required<RateLimitWindows> = {
  perMinute: 1_000,
  perHour: 20_000,
  perDay: 200_000
}

/** The figures Apollo's documents give (paid plans about 200 a minute; 429 examples say 600 an hour). */
export const DocumentedRateLimit: Required<RateLimitWindows> = { perMinute: 200, perHour: 600, perDay: 2_000 }

type WindowName = "minute" | "hour" | "day"

interface Window {
  readonly name: WindowName
  readonly size: number
  readonly limit: number
}

const windowsOf = (w: RateLimitWindows, scale: number): ReadonlyArray<Window> => {
  const size = (ms: number) => Math.max(1, Math.round(ms / scale))
  const all: Array<Window | undefined> = [
    w.perMinute === undefined ? undefined : { name: "minute", size: size(60_000), limit: w.perMinute },
    w.perHour === undefined ? undefined : { name: "hour", size: size(3_600_000), limit: w.perHour },
    w.perDay === undefined ? undefined : { name: "day", size: size(86_400_000), limit: w.perDay }
  ]
  return all.filter((x): x is Window => x !== undefined)
}

const headerNames = (name: WindowName, legacy: boolean): readonly [string, string, string] => {
  switch (name) {
    case "minute":
      return ["x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"]
    case "hour":
      return ["x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"]
    case "day":
      return legacy
        ? ["x-rate-limit-daily", "x-daily-usage", "x-daily-requests-left"]
        : ["x-rate-limit-24-hour", "x-24-hour-usage", "x-24-hour-requests-left"]
  }
}

export type RateDecision =
  | { readonly ok: true; readonly headers: Record<string, string> }
  | {
      readonly ok: false
      readonly headers: Record<string, string>
      readonly retryAfterSeconds: number
      readonly limit: number
      readonly window: WindowName
    }

export class RateLimiter {
  private readonly counters = new Map<string, { index: number; count: number }>()

  constructor(
    private readonly options: false | RateLimitOptions | undefined,
    private readonly now: () => number
  ) {}

  reset(): void {
    this.counters.clear()
  }

  private windowsFor(operation: Operation): ReadonlyArray<Window> {
    if (this.options === false) return []
    const own = this.options?.endpoints?.[operation]
    if (own === false) return []
    const scale = this.options?.windowScale
    return windowsOf(
      own ?? this.options?.default ?? DefaultRateLimit,
      scale !== undefined && scale > 0 ? scale : 1
    )
  }

  /** Counts the request if every window has room; otherwise refuses it without counting. */
  check(operation: Operation): RateDecision {
    const windows = this.windowsFor(operation)
    const now = this.now()
    const legacy = this.options !== false && this.options?.headerNaming === "legacy"
    const current = windows.map((w) => {
      const index = Math.floor(now / w.size)
      const key = operation + ":" + w.name
      const counter = this.counters.get(key)
      const count = counter !== undefined && counter.index === index ? counter.count : 0
      return { w, key, index, count }
    })
    const exceeded = current
      .filter((c) => c.count >= c.w.limit)
      .map((c) => ({ ...c, wait: (c.index + 1) * c.w.size - now }))
      .sort((a, b) => b.wait - a.wait)[0]
    if (exceeded === undefined)
      for (const c of current) {
        c.count += 1
        this.counters.set(c.key, { index: c.index, count: c.count })
      }
    const headers: Record<string, string> = {}
    const budgetHeaders = this.options === false || this.options?.budgetHeaders !== false
    for (const c of budgetHeaders ? current : []) {
      const [limit, usage, left] = headerNames(c.w.name, legacy)
      headers[limit] = String(c.w.limit)
      headers[usage] = String(c.count)
      headers[left] = String(Math.max(0, c.w.limit - c.count))
    }
    if (exceeded === undefined) return { ok: true, headers }
    return {
      ok: false,
      headers,
      retryAfterSeconds: Math.max(1, Math.ceil(exceeded.wait / 1000)),
      limit: exceeded.w.limit,
      window: exceeded.w.name
    }
  }
}
