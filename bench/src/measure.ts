/** Timing, statistics and memory sampling shared by the benchmarks. */
import { performance } from "node:perf_hooks"

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** 0, 1, …, n - 1. */
export const range = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i)

/** Wall time of `run` in milliseconds. */
export const time = async (run: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await run()
  return performance.now() - start
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export const pool = async (
  n: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>
): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      await task(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
}

/**
 * Paired rounds, A and B alternating which goes first (ABBA…) so that neither always runs on a
 * warmer or a busier machine; returns the times of each and the median of the per-round ratios B/A.
 */
export const interleaved = async (
  rounds: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>
): Promise<{
  readonly a: ReadonlyArray<number>
  readonly b: ReadonlyArray<number>
  readonly ratio: number
}> => {
  const ta: Array<number> = []
  const tb: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ta.push(await time(a))
      tb.push(await time(b))
    } else {
      tb.push(await time(b))
      ta.push(await time(a))
    }
  }
  return { a: ta, b: tb, ratio: median(tb.map((t, i) => t / ta[i]!)) }
}

/** Collects garbage when the process was started with `--expose-gc`; otherwise does nothing. */
export const collectGarbage = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    gc()
    gc()
  }
}

/**
 * The peak resident set size while `run` runs, sampled every `everyMs` (plus once at the end), as
 * growth over the RSS measured just before it started (after a GC when available).
 */
export const peakRssGrowth = async <A>(
  run: () => Promise<A>,
  everyMs = 5
): Promise<{
  readonly value: A
  readonly growthBytes: number
  readonly baselineBytes: number
  /** Heap still in use after the run once garbage is collected, over the heap before it. */
  readonly retainedBytes: number
}> => {
  collectGarbage()
  const heapBefore = process.memoryUsage().heapUsed
  const baseline = process.memoryUsage.rss()
  let peak = baseline
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > peak) peak = rss
  }, everyMs)
  try {
    const value = await run()
    peak = Math.max(peak, process.memoryUsage.rss())
    collectGarbage()
    const retainedBytes = process.memoryUsage().heapUsed - heapBefore
    return { value, growthBytes: peak - baseline, baselineBytes: baseline, retainedBytes }
  } finally {
    clearInterval(timer)
  }
}

export const MB = 1024 * 1024
