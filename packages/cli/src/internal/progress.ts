/**
 * Progress of long work (apply, migrate) on stderr, so that stdout stays clean for `--json`: a bar
 * redrawn in place on a terminal, one line per finished sequence otherwise (logs, CI, pipes).
 */
import type { Apply } from "@unisequence/core"
import * as Effect from "effect/Effect"

export interface Sink {
  readonly isTTY: boolean
  readonly columns: number
  readonly write: (text: string) => void
}

/** Stderr; `redraw: false` (not a terminal, or `NO_COLOR`) gives lines instead of a bar redrawn in place. */
export const stderrSink = (redraw = process.stderr.isTTY === true): Sink => ({
  isTTY: redraw,
  columns: process.stderr.columns || 80,
  write: (text) => {
    process.stderr.write(text)
  }
})

const stateWords: Readonly<Record<string, string>> = {
  creating: "creating",
  created: "steps written",
  settled: "settings written",
  activated: "activated",
  verified: "verified",
  differs: "differs from the plan",
  removed: "removed"
}

export interface Progress {
  readonly onEvent: (event: Apply.Event) => Effect.Effect<void>
  /** Clears the bar; call once the work has ended (successfully or not). */
  readonly done: Effect.Effect<void>
}

export const make = (sink: Sink, total: number): Progress => {
  let finished = 0
  let current = ""
  let drawn = false
  const width = Math.max(10, Math.min(30, sink.columns - 50))

  const draw = () => {
    const filled = total === 0 ? width : Math.round((finished / total) * width)
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`
    const label =
      current.length > sink.columns - width - 20
        ? current.slice(0, Math.max(0, sink.columns - width - 21))
        : current
    sink.write(`\r\x1b[2K  ${bar} ${finished}/${total} ${label}`)
    drawn = true
  }

  const onEvent = (event: Apply.Event) =>
    Effect.sync(() => {
      switch (event._tag) {
        case "Started":
          current = event.name
          if (sink.isTTY) draw()
          return
        case "Operation":
          if (sink.isTTY) {
            current = `${current.split(" (")[0] ?? ""} (${stateWords[event.state] ?? event.state})`
            draw()
          }
          return
        case "Finished": {
          finished++
          const verdict =
            event.verification === "skipped"
              ? ""
              : event.verification === "verified"
                ? ", verified"
                : ", DIFFERS"
          if (sink.isTTY) {
            current = `${event.name}: ${event.outcome}${verdict}`
            draw()
          } else {
            sink.write(`  [${finished}/${total}] ${event.name}: ${event.outcome}${verdict}\n`)
          }
          return
        }
      }
    })

  const done = Effect.sync(() => {
    if (sink.isTTY && drawn) sink.write("\r\x1b[2K")
  })

  return { onEvent, done }
}
