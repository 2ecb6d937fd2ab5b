/** One figure of the table: a value, what it is compared with, and whether it meets its target. */
export interface Figure {
  readonly bench: number
  readonly benchmark: string
  readonly figure: string
  readonly value: number
  /** How to print the value (e.g. `1.07`, `12.3 MB`). */
  readonly shown: string
  /** The target in words, or `report` when there is none. */
  readonly target: string
  /** `undefined` when the figure is reported, not judged. */
  readonly met: boolean | undefined
  /** A correctness figure (call count, failures): the tests assert its value. */
  readonly exact?: { readonly expected: number }
  readonly note?: string
}

export const fixed = (value: number, digits = 2): string =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value)

export const atMost = (value: number, limit: number): boolean => value <= limit
export const atLeast = (value: number, limit: number): boolean => value >= limit

const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - text.length))

/** The one table `pnpm bench` prints. */
export const render = (figures: ReadonlyArray<Figure>): string => {
  const header = ["#", "benchmark", "figure", "value", "target", "met"]
  const rows = figures.map((f) => [
    String(f.bench),
    f.benchmark,
    f.figure,
    f.shown.replace(/\s+/g, " "),
    f.target,
    f.met === undefined ? "-" : f.met ? "yes" : "NO"
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(" | ")} |`
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`
  const notes = figures
    .filter((f) => f.note !== undefined)
    .map((f) => `  [${f.bench}] ${f.benchmark} — ${f.figure}: ${f.note}`)
  return [line(header), rule, ...rows.map(line), ...(notes.length > 0 ? ["", "notes:", ...notes] : [])].join(
    "\n"
  )
}
