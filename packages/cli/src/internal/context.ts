/**
 * What one run of the command shares between its parts: where output goes, whether a person can
 * answer a prompt, and the per-provider count of HTTP calls.
 */
import type { FileSystem, HttpClient, Path, Terminal } from "@effect/platform"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { CommandError } from "./errors.js"
import type { Sink } from "./progress.js"

/** HTTP requests sent per provider during this run. */
export interface CallCounter {
  readonly counts: { kit: number; apollo: number }
}

export const makeCounter = (): CallCounter => ({ counts: { kit: 0, apollo: 0 } })

export interface Run {
  /** A line for stdout. */
  readonly out: (line: string) => void
  /** A line for stderr. */
  readonly err: (line: string) => void
  /** A person can answer a prompt (stdin and stdout are terminals). */
  readonly interactive: boolean
  /** Where progress goes. */
  readonly progress: Sink
  readonly counter: CallCounter
}

export class RunContext extends Context.Tag("@unisequence/cli/RunContext")<RunContext, Run>() {}

export const out = (...lines: ReadonlyArray<string>) =>
  Effect.flatMap(RunContext, (run) =>
    Effect.sync(() => {
      for (const line of lines) run.out(line)
    })
  )

export const err = (...lines: ReadonlyArray<string>) =>
  Effect.flatMap(RunContext, (run) =>
    Effect.sync(() => {
      for (const line of lines) run.err(line)
    })
  )

/** Prints a `--json` document: one line of JSON on stdout. */
export const outJson = (value: unknown) => out(JSON.stringify(value, null, 2))

/** What a command's handler needs: the run, HTTP, files, and a terminal to prompt on. */
export type Needs = RunContext | HttpClient.HttpClient | FileSystem.FileSystem | Path.Path | Terminal.Terminal

/** A command's handler, as `Cli.run` runs it. */
export type Handler = Effect.Effect<void, CommandError, Needs>
