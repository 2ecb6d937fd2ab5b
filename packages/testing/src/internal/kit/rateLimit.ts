/**
 * Per-credential rate limiting with a FIXED window: the window opens at a credential's first request
 * and the count resets once `windowMs` has passed. Kit says "waiting up to 60 s resets it", which a
 * fixed window models exactly, and it costs O(1) memory per credential.
 */
export interface Limit {
  readonly limit: number
  readonly windowMs: number
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(private readonly now: () => number) {}

  /** Counts the request; `false` when it is over the limit. `credential` is kept in memory only. */
  take(credential: string, limit: Limit): boolean {
    const t = this.now()
    const w = this.windows.get(credential)
    if (w === undefined || t - w.start >= limit.windowMs) {
      this.windows.set(credential, { start: t, count: 1 })
      return limit.limit >= 1
    }
    w.count += 1
    return w.count <= limit.limit
  }

  clear(): void {
    this.windows.clear()
  }
}
