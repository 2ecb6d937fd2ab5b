/**
 * `--journal`: where a run keeps its journal. A file path (JSON lines, the default), `sqlite:FILE`,
 * or a `postgres://` URL, whose password is `Redacted` from the moment it is parsed and shown as
 * `***` wherever the journal is named.
 */
import { FileSystem, Path } from "@effect/platform"
import { Journal, type JournalLease } from "@unisequence/core"
import * as ProcessIdentity from "@unisequence/sql/ProcessIdentity"
import { Effect, Either, Layer, Redacted } from "effect"

export type JournalSpec =
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "Sqlite"; readonly path: string }
  | {
      readonly _tag: "Postgres"
      readonly url: Redacted.Redacted<string>
      /** The URL without its password, for messages. */
      readonly shown: string
    }

const postgresSchemes = new Set(["postgres:", "postgresql:"])

/** Parses `--journal`; the error message never repeats the text (it may carry a password). */
export const parse = (text: string): Either.Either<JournalSpec, string> => {
  if (text.startsWith("sqlite:")) {
    const path = text.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return path === ""
      ? Either.left("--journal sqlite:FILE needs a file, e.g. sqlite:.unisequence/journal.db")
      : Either.right({ _tag: "Sqlite", path })
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase()
  if (scheme === undefined) return Either.right({ _tag: "File", path: text })
  if (!postgresSchemes.has(`${scheme}:`))
    return Either.left(
      `--journal: unsupported scheme ${scheme}://; use a file path, sqlite:FILE or postgres://…`
    )
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left("--journal: not a valid postgres:// URL")
  }
  if (url.hostname === "") return Either.left("--journal: a postgres:// URL needs a host")
  const shown = new URL(url.href)
  if (shown.password !== "") shown.password = "***"
  return Either.right({ _tag: "Postgres", url: Redacted.make(text), shown: shown.href })
}

/** How a journal is named in output: never with a password. */
export const show = (spec: JournalSpec): string =>
  spec._tag === "File" ? spec.path : spec._tag === "Sqlite" ? `sqlite:${spec.path}` : spec.shown

/**
 * The `Journal` service `--journal` names, held by this run alone. `name` tells the journals of one
 * database apart (a file is one journal by itself). The SQL drivers are loaded only when asked for:
 * a run on a file does not pay for them at start-up.
 */
export const layer = (
  spec: JournalSpec,
  name: string
): Layer.Layer<
  Journal.Journal,
  Journal.JournalError | JournalLease.JournalBusy,
  FileSystem.FileSystem | Path.Path
> => {
  const options = { identity: ProcessIdentity.identity }
  if (spec._tag === "File") return Journal.layerFile(spec.path, options)
  const location = `${show(spec)} (journal ${name})`
  const failed = (error: { readonly message: string; readonly cause?: unknown }) =>
    new Journal.JournalError({
      location,
      reason: error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message
    })
  return Layer.unwrapEffect(
    Effect.gen(function* () {
      const { SqlJournal } = yield* Effect.promise(() => import("@unisequence/sql"))
      const journal = Layer.scoped(Journal.Journal, SqlJournal.make({ ...options, name, location }))
      if (spec._tag === "Postgres") {
        const PgClient = yield* Effect.promise(() => import("@effect/sql-pg/PgClient"))
        return journal.pipe(
          Layer.provide(
            PgClient.layer({ url: spec.url, applicationName: "unisequence" }).pipe(Layer.mapError(failed))
          )
        )
      }
      const SqliteClient = yield* Effect.promise(() => import("@effect/sql-sqlite-node/SqliteClient"))
      // SQLite creates the file, not its directory.
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      yield* fs
        .makeDirectory(path.dirname(path.resolve(spec.path)), { recursive: true })
        .pipe(Effect.mapError(failed))
      return journal.pipe(
        Layer.provide(SqliteClient.layer({ filename: spec.path }).pipe(Layer.mapError(failed)))
      )
    })
  )
}
