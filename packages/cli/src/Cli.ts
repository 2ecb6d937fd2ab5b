/**
 * The `unisequence` command: list, show, export, plan/apply (sequences as code), migrate, verify
 * and the demo. Their options are in `internal/definitions.ts`, loaded at start-up; what each does
 * is in its module under `commands/`, imported when it runs (so `--help` and a usage error load
 * neither adapters nor engine). `run` is the whole command as an Effect returning the exit code,
 * so that it can be run in-process (the demo, the tests) as well as from `bin.ts`.
 */
// Modules by their subpaths here and in everything start-up loads: the bundle initialises every module
// a package's index re-exports once anything imports the index (its modules are wrapped for the
// commands imported on demand), and the index of core, of Effect or of @effect/cli is all of it.
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import type { SequenceFile } from "@unisequence/core"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { cliConsole, colorWanted } from "./internal/console.js"
import { type CallCounter, makeCounter, type Run, RunContext } from "./internal/context.js"
import { commands } from "./internal/definitions.js"
import { ExitCode, Reported, renderCause } from "./internal/errors.js"
import * as HttpTransport from "./internal/httpTransport.js"
import * as Progress from "./internal/progress.js"

export const version = "0.1.0"

const command = Command.make("unisequence").pipe(
  Command.withDescription("Email sequences on Kit and Apollo: list, export, sequences as code, migrate"),
  Command.withSubcommands(commands)
)

const cli = Command.run(command, { name: "unisequence", version })

export interface RunOptions {
  /** A person can answer prompts (default: stdin and stdout are terminals). */
  readonly interactive?: boolean
  readonly out?: (line: string) => void
  readonly err?: (line: string) => void
  readonly progress?: Progress.Sink
  /** Shared counter, to read the HTTP calls made after the run. */
  readonly counter?: CallCounter
  /** Help and usage may be coloured (default: stdout is a terminal and `NO_COLOR` is not set). */
  readonly color?: boolean
}

/**
 * Runs the command on `args` (without `node` and the script) and returns the exit code. Expected
 * failures are printed as one `error: …` line on stderr (and as JSON on stdout with `--json`);
 * unexpected ones also print their cause.
 */
export const run = (
  args: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<ExitCode | number, never, CliApp.CliApp.Environment> => {
  const context: Run = {
    out: options.out ?? ((line) => process.stdout.write(`${line}\n`)),
    err: options.err ?? ((line) => process.stderr.write(`${line}\n`)),
    interactive: options.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true),
    progress:
      options.progress ?? Progress.stderrSink(colorWanted(process.stderr.isTTY === true, process.env)),
    counter: options.counter ?? makeCounter()
  }
  const wantsJson = args.includes("--json")
  const color = options.color ?? colorWanted(process.stdout.isTTY === true, process.env)
  return Console.consoleWith((base) =>
    cli(["node", "unisequence", ...args]).pipe(Effect.withConsole(cliConsole(base, context.out, color)))
  ).pipe(
    Effect.provide(HttpTransport.layer),
    Effect.provideService(RunContext, context),
    Effect.exit,
    Effect.map((exit) => {
      if (Exit.isSuccess(exit)) return ExitCode.ok
      const failure = Cause.failureOption(exit.cause)
      if (Option.isSome(failure) && failure.value instanceof Reported) return failure.value.code
      const rendered = renderCause(exit.cause)
      if (rendered.tag === "SequenceFileError" && Option.isSome(failure)) {
        for (const line of fileIssueLines(failure.value)) context.err(`error: ${line}`)
      } else context.err(`error: ${rendered.message}`)
      if (rendered.unexpected) context.err(Cause.pretty(exit.cause))
      // An incomplete run already printed its document, which says what was left undone.
      if (wantsJson && rendered.tag !== "Incomplete")
        context.out(
          JSON.stringify({
            error: { _tag: rendered.tag, message: rendered.message, exitCode: rendered.code }
          })
        )
      return rendered.code
    })
  )
}

// By tag, not `instanceof`: the class is in the sequence-file module, which start-up does not load.
const isFileError = (error: unknown): error is SequenceFile.SequenceFileError =>
  Predicate.isTagged(error, "SequenceFileError")

const fileIssueLines = (error: unknown): ReadonlyArray<string> =>
  isFileError(error)
    ? error.issues.map(
        (i) =>
          `${error.file}${i.line === undefined ? "" : `:${i.line}:${i.column ?? 1}`}: ${i.path === "" ? "" : `${i.path}: `}${i.message}`
      )
    : []
