/** What every benchmark is: a number, a title, and a run that returns its figures. */
import type { Figure } from "./figures.js"
import type { Host } from "./simulators/host.js"

export type Size = "tiny" | "full"

export interface Context {
  readonly host: Host
  readonly size: Size
  /** Progress on stderr, so stdout carries the table alone. */
  readonly progress: (message: string) => void
}

export interface Bench {
  readonly id: number
  readonly title: string
  readonly run: (context: Context) => Promise<ReadonlyArray<Figure>>
}

/** Picks by size. */
export const sized = <A>(size: Size, tiny: A, full: A): A => (size === "tiny" ? tiny : full)
