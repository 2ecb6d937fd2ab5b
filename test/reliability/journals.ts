/**
 * The journal backends the CLI reliability tests run on: a JSON-lines file, SQLite, and PostgreSQL
 * (a server started for the test file). Each gives a fresh `--journal` argument per trial and reads
 * back what a run left: its entries, and whether a lease record was left behind (a killed holder).
 *
 * Outside CI a machine without PostgreSQL runs the file and SQLite backends and says so; under
 * CI=true a missing PostgreSQL is a failure.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { Journal } from "@unisequence/core"
import { Postgres } from "@unisequence/testing"
import { Effect, Either, type Layer, Redacted, Schema } from "effect"
import { afterAll, beforeAll, describe, inject } from "vitest"

export type BackendName = "file" | "sqlite" | "postgres"

export interface Backend {
  readonly name: BackendName
  /** A new, empty journal: what to pass to `--journal`. */
  readonly fresh: (label: string) => Promise<string>
  /** Every entry the journal holds, in order (unreadable ones skipped). */
  readonly entries: (journal: string) => Promise<ReadonlyArray<Journal.Entry>>
  /** Whether a run left its lease record behind (it was killed holding it). */
  readonly leaseLeft: (journal: string) => Promise<boolean>
  /**
   * Adds half of the last entry after it, as a crash in the middle of a write would leave it in a
   * file (a database rolls such a write back; the half row checks that one that did get in is ignored).
   */
  readonly cut: (journal: string) => Promise<boolean>
  readonly close: () => Promise<void>
}

const pgStatus = Postgres.available()
export const postgresMissing = pgStatus.ok ? undefined : pgStatus.reason
if (postgresMissing !== undefined) {
  if (process.env.CI === "true") throw new Error(`PostgreSQL is required under CI: ${postgresMissing}`)
  console.warn(`[journals] PostgreSQL runs skipped: ${postgresMissing}`)
}

const POLL_MS = 50

/**
 * The run's PostgreSQL server (`setup.ts` starts it in the background; this waits until it is up):
 * its administrator URL.
 */
const sharedPostgres = async (): Promise<Redacted.Redacted<string>> => {
  const dir = inject("cliBuildDir")
  const url = NodePath.join(dir, "postgres.url")
  const failed = NodePath.join(dir, "postgres.failed")
  while (!NodeFs.existsSync(url)) {
    if (NodeFs.existsSync(failed)) throw new Error(NodeFs.readFileSync(failed, "utf8"))
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  return Redacted.make(NodeFs.readFileSync(url, "utf8"))
}

let databases = 0

/**
 * A new, empty database on the run's PostgreSQL server, named after `label` (and this process and a
 * counter: files running at once share the server), and its URL.
 */
export const freshDatabase = async (label: string): Promise<Redacted.Redacted<string>> => {
  const admin = await sharedPostgres()
  const database = `t${process.pid}_${++databases}_${label.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`.slice(
    0,
    63
  )
  await run(PgClient.layer({ url: admin }), (sql) => sql.unsafe(`CREATE DATABASE ${database}`))
  const url = new URL(Redacted.value(admin))
  url.pathname = `/${database}`
  return Redacted.make(url.href)
}

export const backendNames: ReadonlyArray<BackendName> =
  postgresMissing === undefined ? ["file", "sqlite", "postgres"] : ["file", "sqlite"]

const decodeEntry = Schema.decodeUnknownEither(Schema.parseJson(Journal.Entry))

const run = <A>(
  layer: Layer.Layer<SqlClient.SqlClient, unknown>,
  f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>
) => Effect.runPromise(Effect.scoped(Effect.flatMap(SqlClient.SqlClient, f).pipe(Effect.provide(layer))))

const tableExists = (sql: SqlClient.SqlClient, table: string) =>
  sql
    .onDialectOrElse({
      pg: () => sql`SELECT to_regclass(${table}) IS NOT NULL AS present`,
      orElse: () =>
        sql`SELECT COUNT(*) > 0 AS present FROM sqlite_master WHERE type = 'table' AND name = ${table}`
    })
    .pipe(Effect.map((rows) => Boolean(rows[0]?.present)))

const sqlEntries = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    if (!(yield* tableExists(sql, "unisequence_journal_entries"))) return []
    const rows = yield* sql`SELECT entry FROM unisequence_journal_entries ORDER BY seq`
    return rows.flatMap((row) => {
      const decoded = decodeEntry(row.entry)
      return Either.isRight(decoded) ? [decoded.right] : []
    })
  })

const sqlLeaseLeft = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    if (!(yield* tableExists(sql, "unisequence_journal_leases"))) return false
    return (yield* sql`SELECT journal FROM unisequence_journal_leases`).length > 0
  })

const sqlCut = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    if (!(yield* tableExists(sql, "unisequence_journal_entries"))) return false
    const last =
      yield* sql`SELECT journal, entry_key, state, run, at, entry FROM unisequence_journal_entries ORDER BY seq DESC`
    const row = last[0]
    if (row === undefined) return false
    const entry = String(row.entry)
    yield* sql`INSERT INTO unisequence_journal_entries (journal, entry_key, state, run, at, entry)
               VALUES (${String(row.journal)}, ${String(row.entry_key)}, ${String(row.state)}, ${String(row.run)}, ${String(row.at)}, ${entry.slice(0, Math.floor(entry.length / 2))})`
    return true
  })

/** Sets up a backend whose journals live under `dir`. */
export const make = async (name: BackendName, dir: string): Promise<Backend> => {
  if (name === "file")
    return {
      name,
      fresh: async (label) => NodePath.join(dir, `${label}.jsonl`),
      entries: async (journal) =>
        NodeFs.existsSync(journal)
          ? NodeFs.readFileSync(journal, "utf8")
              .split("\n")
              .flatMap((line) => {
                const decoded = decodeEntry(line)
                return Either.isRight(decoded) ? [decoded.right] : []
              })
          : [],
      leaseLeft: async (journal) => NodeFs.existsSync(`${journal}.lock`),
      cut: async (journal) => {
        if (!NodeFs.existsSync(journal)) return false
        const lines = NodeFs.readFileSync(journal, "utf8")
          .split("\n")
          .filter((l) => l !== "")
        const last = lines[lines.length - 1]
        if (last === undefined) return false
        NodeFs.appendFileSync(journal, last.slice(0, Math.floor(last.length / 2)))
        return true
      },
      close: async () => undefined
    }
  if (name === "sqlite") {
    const client = (journal: string) => SqliteClient.layer({ filename: journal.slice("sqlite:".length) })
    const existing = (journal: string) => NodeFs.existsSync(journal.slice("sqlite:".length))
    return {
      name,
      fresh: async (label) => `sqlite:${NodePath.join(dir, `${label}.db`)}`,
      entries: async (journal) => (existing(journal) ? run(client(journal), sqlEntries) : []),
      leaseLeft: async (journal) => (existing(journal) ? run(client(journal), sqlLeaseLeft) : false),
      cut: async (journal) => (existing(journal) ? run(client(journal), sqlCut) : false),
      close: async () => undefined
    }
  }
  const urlOf = (journal: string) => PgClient.layer({ url: Redacted.make(journal) })
  return {
    name,
    fresh: async (label) => Redacted.value(await freshDatabase(label)),
    entries: (journal) => run(urlOf(journal), sqlEntries),
    leaseLeft: (journal) => run(urlOf(journal), sqlLeaseLeft),
    cut: (journal) => run(urlOf(journal), sqlCut),
    close: async () => undefined
  }
}

/**
 * One `describe` per backend of `names` this machine has, titled `${title}, journal: NAME`, its
 * journals in a new directory under `parent()` (a directory the file's `beforeAll` made); `tests` gets
 * the backend once it is set up.
 */
export const describeEachBackend = (
  title: string,
  parent: () => string,
  names: ReadonlyArray<BackendName>,
  tests: (name: BackendName, backend: () => Backend) => void
) => {
  for (const name of backendNames.filter((n) => names.includes(n)))
    describe(`${title}, journal: ${name}`, () => {
      let backend: Backend | undefined
      beforeAll(async () => {
        backend = await make(name, NodeFs.mkdtempSync(NodePath.join(parent(), `${name}-`)))
      }, 120_000)
      afterAll(async () => {
        await backend?.close()
      })
      tests(name, () => backend!)
    })
}
