/**
 * The command's own expected failures, and the one place where every expected failure becomes an
 * exit code and a one-line message. Anything not listed here is unexpected (exit 1, with its cause).
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import type { Terminal } from "@effect/platform"
import type { Journal, JournalLease, SequenceError as Errors, SequenceFile } from "@unisequence/core"
type SequenceError = Errors.SequenceError
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"

/** Exit codes, documented in the package README. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  unavailable: 5,
  incomplete: 6
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Bad flags or arguments the parser could not catch (e.g. `--from kit --to kit`). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** No credential for a provider the command needs. */
export class MissingCredentials extends Data.TaggedError("MissingCredentials")<{
  readonly provider: "kit" | "apollo"
  readonly variables: ReadonlyArray<string>
}> {
  override get message() {
    return `no ${this.provider} credentials: set ${this.variables.join(" or ")}`
  }
}

/** No credential at all, for a command that checks whichever are set (`verify`). */
export class NoCredentials extends Data.TaggedError("NoCredentials")<{ readonly message: string }> {}

/** A write that needs confirmation where none can be given. */
export class NotConfirmed extends Data.TaggedError("NotConfirmed")<{ readonly message: string }> {}

/** A file the command had to read or write could not be. */
export class FileFailed extends Data.TaggedError("FileFailed")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `${this.path}: ${this.reason}`
  }
}

/** The work ran, but some sequences were blocked or read back different from the plan. */
export class Incomplete extends Data.TaggedError("Incomplete")<{ readonly message: string }> {}

/**
 * core's `SequenceError.TypeId`, a registered symbol: recognising core's errors by it keeps core (its
 * error classes are schemas) out of start-up. The tests check that it is core's.
 */
export const sequenceErrorTypeId: unique symbol = Symbol.for("@unisequence/core/SequenceError")

const isSequenceError = (u: unknown): u is SequenceError => Predicate.hasProperty(u, sequenceErrorTypeId)

export const codeOfSequenceError = (error: SequenceError): ExitCode => {
  switch (error._tag) {
    case "AuthenticationFailed":
    case "PermissionDenied":
      return ExitCode.auth
    case "SequenceNotFound":
    case "StepNotFound":
      return ExitCode.notFound
    case "InvalidInput":
    case "Unsupported":
      return ExitCode.usage
    case "RateLimited":
    case "Conflict":
    case "ProviderUnavailable":
    case "MalformedResponse":
      return ExitCode.unavailable
  }
}

export interface Rendered {
  readonly code: ExitCode
  /** One line, without the `error: ` prefix. */
  readonly message: string
  /** The failure's tag, for `--json`. */
  readonly tag: string
  /** True when the failure is not one the command expects: print its cause for a bug report. */
  readonly unexpected: boolean
}

/** Escape sequences that colour the parser's messages. */
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim()

/** Classifies an expected failure; `undefined` for anything else. */
export const renderFailure = (error: unknown): Rendered | undefined => {
  if (isSequenceError(error))
    return {
      code: codeOfSequenceError(error),
      message: oneLine(error.message),
      tag: error._tag,
      unexpected: false
    }
  if (ValidationError.isValidationError(error))
    return {
      code: ExitCode.usage,
      message: oneLine(HelpDoc.toAnsiText(error.error).replace(ansi, "")) || "invalid command line",
      tag: error._tag,
      unexpected: false
    }
  if (ConfigError.isConfigError(error))
    return { code: ExitCode.usage, message: oneLine(String(error)), tag: "ConfigError", unexpected: false }
  if (Predicate.hasProperty(error, "_tag") && typeof error._tag === "string") {
    const message = Predicate.hasProperty(error, "message") ? oneLine(String(error.message)) : error._tag
    switch (error._tag) {
      case "UsageError":
      case "NotConfirmed":
      case "JournalError":
      case "SequenceFileError":
        return { code: ExitCode.usage, message, tag: error._tag, unexpected: false }
      case "MissingCredentials":
      case "NoCredentials":
        return { code: ExitCode.auth, message, tag: error._tag, unexpected: false }
      case "Incomplete":
        return { code: ExitCode.incomplete, message, tag: error._tag, unexpected: false }
      // Another run holds the journal: try again once it is done.
      case "JournalBusy":
        return { code: ExitCode.unavailable, message, tag: error._tag, unexpected: false }
      case "FileFailed":
        return { code: ExitCode.unexpected, message, tag: error._tag, unexpected: false }
    }
  }
  return undefined
}

/** What to print and which code to exit with, for a failed run. */
export const renderCause = (cause: Cause.Cause<unknown>): Rendered => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const rendered = renderFailure(failure.value)
    if (rendered !== undefined) return rendered
  }
  if (Cause.isInterruptedOnly(cause))
    return { code: ExitCode.unexpected, message: "interrupted", tag: "Interrupted", unexpected: false }
  return { code: ExitCode.unexpected, message: "unexpected failure", tag: "Unexpected", unexpected: true }
}

/**
 * A command that printed its own report of what failed (verify, the demo) and only needs the exit
 * code carried to the end; nothing more is printed for it.
 */
export class Reported extends Data.TaggedError("Reported")<{ readonly code: number }> {}

/** Every failure a command ends with on purpose; `Cli.run` turns each into an exit code. */
export type CommandError =
  | SequenceError
  | Journal.JournalError
  | JournalLease.JournalBusy
  | SequenceFile.SequenceFileError
  | ConfigError.ConfigError
  | UsageError
  | MissingCredentials
  | NoCredentials
  | NotConfirmed
  | FileFailed
  | Incomplete
  | Reported
  | Terminal.QuitException
