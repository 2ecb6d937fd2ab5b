/** Deterministic fault injection: a mulberry32 PRNG decides, per request, whether and how to misbehave. */
import {
  FAULT_KINDS,
  type FaultKind,
  type FaultOptions,
  type FaultSpec,
  type MalformedKind,
  type Operation
} from "./types.js"

export type Decision =
  | { readonly kind: "serverError"; readonly status: 500 | 502 | 503; readonly afterCommit: boolean }
  | { readonly kind: "hang"; readonly hangMs: number | undefined; readonly afterCommit: boolean }
  | { readonly kind: "reset"; readonly afterCommit: boolean }
  | { readonly kind: "slowBody"; readonly slowMs: number }
  | { readonly kind: "malformed"; readonly malformed: MalformedKind; readonly afterCommit: boolean }

const MALFORMED_KINDS: ReadonlyArray<MalformedKind> = [
  "truncated_json",
  "wrong_types",
  "html_200",
  "html_502"
]

/** An operation's own spec, when given, is used instead of `all` (so `{}` exempts an operation). */
export const specFor = (options: FaultOptions, operation: Operation): FaultSpec =>
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

/** Every `id` becomes the string `"abc"`: a response a strict decoder must reject. */
export const withWrongTypes = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(withWrongTypes)
  if (typeof u === "object" && u !== null) {
    return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, k === "id" ? "abc" : withWrongTypes(v)]))
  }
  return u
}

export const htmlPage = (status: number): string =>
  `<!DOCTYPE html>\n<html><head><title>${status} Error</title></head>` +
  `<body><h1>Something went wrong</h1><p>We're sorry, but something went wrong (${status}).</p></body></html>\n`

export const emptyCounts = (): Record<FaultKind | "total", number> => ({
  serverError: 0,
  hang: 0,
  reset: 0,
  slowBody: 0,
  malformed: 0,
  total: 0
})
