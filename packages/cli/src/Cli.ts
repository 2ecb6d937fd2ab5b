/**
 * The `unisequence` command: list, show, export, plan/apply (sequences as code), migrate, verify
 * and the demo, one module each under `commands/`. `run` is the whole command as an Effect
 * returning the exit code, so that it can be run in-process (the demo, the tests) as well as from
 * `bin.ts`.
 */
import { type CliApp, Command } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { SequenceFile } from "@unisequence/core"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { applyCommand } from "./commands/apply.js"
import { demo } from "./commands/demo.js"
import { exportCommand } from "./commands/export.js"
import { list } from "./commands/list.js"
import { migrate } from "./commands/migrate.js"
import { planCommand } from "./commands/plan.js"
import { show } from "./commands/show.js"
import { verify } from "./commands/verify.js"
import { cliConsole, colorWanted } from "./internal/console.js"
import { type Run, RunContext } from "./internal/context.js"
import { ExitCode, Reported, renderCause } from "./internal/errors.js"
import * as Progress from "./internal/progress.js"
import { type CallCounter, makeCounter } from "./internal/providers.js"

export const version = "0.1.0"

const command = Command.make("unisequence").pipe(
  Command.withDescription("Email sequences on Kit and Apollo: list, export, sequences as code, migrate"),
  Command.withSubcommands([list, show, exportCommand, planCommand, applyCommand, migrate, verify, demo])
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
    Effect.provide(FetchHttpClient.layer),
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

const fileIssueLines = (error: unknown): ReadonlyArray<string> =>
  error instanceof SequenceFile.SequenceFileError
    ? error.issues.map(
        (i) =>
          `${error.file}${i.line === undefined ? "" : `:${i.line}:${i.column ?? 1}`}: ${i.path === "" ? "" : `${i.path}: `}${i.message}`
      )
    : []
