/**
 * Fault injection shared by both simulators: one option shape, one deterministic decision. A seeded
 * PRNG (mulberry32, never `Math.random`) decides per request whether and how to misbehave, so the
 * same seed and the same request order give the same faults.
 */
import { mulberry32 } from "./prng.js"

export const FAULT_KINDS = ["serverError", "hang", "reset", "slowBody", "malformed"] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/**
 * `truncated_json`: half the body; `wrong_types`: valid JSON whose values have the wrong types;
 * `html_200` / `html_502`: an HTML error page with that status.
 */
export type MalformedKind = "truncated_json" | "wrong_types" | "html_200" | "html_502"
export const MALFORMED_KINDS: ReadonlyArray<MalformedKind> = [
  "truncated_json",
  "wrong_types",
  "html_200",
  "html_502"
]

/**
 * Each rate is a probability in [0, 1]; the rates of one spec add up (their sum should be ≤ 1).
 * `afterCommit: true` means the provider did the work before the fault (the write happened, the client
 * never heard); otherwise nothing is written.
 */
export interface FaultSpec {
  /** Answer 500/502/503 instead of the real response (500 as JSON, 502/503 as a proxy's HTML page). */
  readonly serverError?: {
    readonly rate: number
    readonly statuses?: ReadonlyArray<500 | 502 | 503>
    readonly afterCommit?: boolean
  }
  /** Never answer until the socket closes; with `hangMs`, wait that long and then answer normally. */
  readonly hang?: { readonly rate: number; readonly hangMs?: number; readonly afterCommit?: boolean }
  /** Cut the connection: before any byte, or (after the write) in the middle of the body. */
  readonly reset?: { readonly rate: number; readonly afterCommit?: boolean }
  /** Do the work, then drip the real response over `slowMs` (default 1000). */
  readonly slowBody?: { readonly rate: number; readonly slowMs?: number }
  /** A garbled answer of one of `kinds` (default all). */
  readonly malformed?: {
    readonly rate: number
    readonly kinds?: ReadonlyArray<MalformedKind>
    readonly afterCommit?: boolean
  }
}

/** The `faults` option of both simulators; `Op` is the simulator's operation name. */
export interface FaultOptions<Op extends string = string> {
  /** Seed of the PRNG; the same seed and request order give the same faults. Default 1. */
  readonly seed?: number
  /** Applies to every operation without its own entry. */
  readonly all?: FaultSpec
  /** Per operation: used instead of `all` for that operation (`{}` exempts it). */
  readonly operations?: Partial<Record<Op, FaultSpec>>
  /** Stop injecting after this many faults in total. */
  readonly limit?: number
}

export type FaultCounts = Readonly<Record<FaultKind, number>> & { readonly total: number }

export type Decision =
  | { readonly kind: "serverError"; readonly status: 500 | 502 | 503; readonly afterCommit: boolean }
  | { readonly kind: "hang"; readonly hangMs: number | undefined; readonly afterCommit: boolean }
  | { readonly kind: "reset"; readonly afterCommit: boolean }
  | { readonly kind: "slowBody"; readonly slowMs: number }
  | { readonly kind: "malformed"; readonly malformed: MalformedKind; readonly afterCommit: boolean }

/** An operation's own spec, when given, is used instead of `all` (so `{}` exempts an operation). */
export const specFor = <Op extends string>(options: FaultOptions<Op>, operation: Op): FaultSpec =>
  options.operations?.[operation] ?? options.all ?? {}

const pick = <A>(items: ReadonlyArray<A>, fallback: A, r: number): A =>
  items.length === 0 ? fallback : (items[Math.floor(r * items.length)] ?? fallback)

/** Draws only when the operation can fault, so unrelated traffic does not shift the sequence. */
export const decide = (spec: FaultSpec, random: () => number): Decision | undefined => {
  const rates = FAULT_KINDS.map((k) => spec[k]?.rate ?? 0)
  if (rates.every((r) => r <= 0)) return undefined
  const r = random()
  let acc = 0
  let chosen: FaultKind | undefined
  for (let i = 0; i < FAULT_KINDS.length; i++) {
    acc += rates[i] ?? 0
    if (r < acc) {
      chosen = FAULT_KINDS[i]
      break
    }
  }
  switch (chosen) {
    case undefined:
      return undefined
    case "serverError":
      return {
        kind: chosen,
        status: pick(spec.serverError?.statuses ?? [500, 502, 503], 500, random()),
        afterCommit: spec.serverError?.afterCommit ?? false
      }
    case "hang":
      return { kind: chosen, hangMs: spec.hang?.hangMs, afterCommit: spec.hang?.afterCommit ?? false }
    case "reset":
      return { kind: chosen, afterCommit: spec.reset?.afterCommit ?? false }
    case "slowBody":
      return { kind: chosen, slowMs: spec.slowBody?.slowMs ?? 1000 }
    case "malformed":
      return {
        kind: chosen,
        malformed: pick(spec.malformed?.kinds ?? MALFORMED_KINDS, "truncated_json", random()),
        afterCommit: spec.malformed?.afterCommit ?? false
      }
  }
}

const zeroCounts = (): Record<FaultKind | "total", number> => ({
  serverError: 0,
  hang: 0,
  reset: 0,
  slowBody: 0,
  malformed: 0,
  total: 0
})

/** The per-simulator state: options, PRNG and counters. */
export class FaultInjector<Op extends string> {
  private options: FaultOptions<Op> | undefined
  private random: () => number = mulberry32(1)
  private counts = zeroCounts()

  constructor(options: FaultOptions<Op> | undefined) {
    this.set(options)
  }

  /** Replaces the options; the PRNG restarts from their seed and the counters from zero. */
  set(options: FaultOptions<Op> | undefined): void {
    this.options = options
    this.random = mulberry32(options?.seed ?? 1)
    this.counts = zeroCounts()
  }

  reset(): void {
    this.set(this.options)
  }

  get faultCounts(): FaultCounts {
    return { ...this.counts }
  }

  decide(operation: Op): Decision | undefined {
    const options = this.options
    if (options === undefined) return undefined
    if (options.limit !== undefined && this.counts.total >= options.limit) return undefined
    const decision = decide(specFor(options, operation), this.random)
    if (decision !== undefined) {
      this.counts[decision.kind] += 1
      this.counts.total += 1
    }
    return decision
  }
}
