/** Deterministic fault injection: a seeded PRNG decides, per request, whether and how to misbehave. */
import type { FaultCounts, FaultKind, FaultOptions, FaultRates, MalformedKind, Operation } from "./types.js"
import { mulberry32 } from "../prng.js"

export type FaultDecision =
  | { readonly kind: "status5xx"; readonly status: 500 | 502 | 503 }
  | { readonly kind: "hang"; readonly ms: number | undefined }
  | { readonly kind: "reset" }
  | { readonly kind: "slow"; readonly ms: number }
  | { readonly kind: "malformed"; readonly variant: MalformedKind }
  | { readonly kind: "afterCommit" }

const order: ReadonlyArray<FaultKind> = ["status5xx", "hang", "reset", "slow", "malformed", "afterCommit"]
const allStatuses: ReadonlyArray<500 | 502 | 503> = [500, 502, 503]
const allMalformed: ReadonlyArray<MalformedKind> = ["truncated", "wrongTypes", "html"]

const zeroCounts = (): Record<FaultKind, number> => ({
  status5xx: 0,
  hang: 0,
  reset: 0,
  slow: 0,
  malformed: 0,
  afterCommit: 0
})

const choose = <A>(items: ReadonlyArray<A>, r: number, fallback: A): A =>
  items[Math.min(items.length - 1, Math.floor(r * items.length))] ?? fallback

const decisionOf = (kind: FaultKind, rates: FaultRates, r: number): FaultDecision => {
  switch (kind) {
    case "status5xx":
      return { kind, status: choose(rates.statuses ?? allStatuses, r, 500) }
    case "hang":
      return { kind, ms: rates.hangMs }
    case "reset":
      return { kind }
    case "slow":
      return { kind, ms: rates.slowMs ?? 1000 }
    case "malformed":
      return { kind, variant: choose(rates.malformedKinds ?? allMalformed, r, "truncated") }
    case "afterCommit":
      return { kind }
  }
}

export class FaultInjector {
  private options: FaultOptions | undefined
  private random: () => number = mulberry32(1)
  private counts = zeroCounts()

  constructor(options: FaultOptions | undefined) {
    this.set(options)
  }

  set(options: FaultOptions | undefined): void {
    this.options = options
    this.random = mulberry32(options?.seed ?? 1)
  }

  /** Back to the start of the seed's sequence, counters at zero. */
  reset(): void {
    this.set(this.options)
    this.counts = zeroCounts()
  }

  get faultCounts(): FaultCounts {
    return { ...this.counts }
  }

  /** Two draws per request while faults are on, whatever the outcome, so decisions depend only on order. */
  decide(operation: Operation): FaultDecision | undefined {
    const options = this.options
    if (options === undefined) return undefined
    const rates: FaultRates = { ...options, ...options.endpoints?.[operation] }
    const r = this.random()
    const r2 = this.random()
    let cumulative = 0
    for (const kind of order) {
      cumulative += rates[kind] ?? 0
      if (r < cumulative) {
        this.counts[kind] += 1
        return decisionOf(kind, rates, r2)
      }
    }
    return undefined
  }
}

/** Every string becomes a number and every number or boolean a string: valid JSON, wrong types. */
export const wrongTypes = (value: unknown): unknown => {
  if (typeof value === "string") return value.length
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) return value.map(wrongTypes)
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrongTypes(v)]))
  return value
}

export const htmlErrorPage =
  "<!DOCTYPE html><html><head><title>We're sorry, but something went wrong (500)</title></head>" +
  "<body><h1>We're sorry, but something went wrong.</h1></body></html>"
