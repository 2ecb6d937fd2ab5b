/**
 * The journal of a migration or an apply kept in a database through `@effect/sql`'s `SqlClient`:
 * SQLite, PostgreSQL, or any database `@effect/sql` has a driver for. The same entries as the
 * JSON-lines file, one row each, so the same guarantees hold: a run killed at any point resumes with
 * no duplicate and nothing lost.
 *
 * The tables are created and migrated by the library (`@effect/sql`'s Migrator, its own migrations
 * table); one database holds any number of journals, by name. A run holds an exclusive lease on its
 * journal (a row taken by compare-and-set), renewed while it runs; every append checks it in the
 * same transaction, so a run whose lease was taken over writes nothing more.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Journal, JournalLease } from "@unisequence/core"
import { Clock, Effect, Either, Layer, Option, type ParseResult, Schedule, Schema, type Scope } from "effect"
import * as ProcessIdentity from "./ProcessIdentity.js"
import {
  ENTRIES_TABLE,
  LEASES_TABLE,
  MIGRATIONS_TABLE,
  migrations,
  SCHEMA_VERSION
} from "./internal/migrations.js"

export { SCHEMA_VERSION }

export interface Options extends JournalLease.Options {
  /** Which journal of the database (default "default"): one database can hold many. */
  readonly name?: string
  /** Where it is kept, for messages (default `sql:NAME`); never put a password here. */
  readonly location?: string
}

const EntryRow = Schema.Struct({ entry: Schema.String })
const decodeRows = Schema.decodeUnknown(Schema.Array(EntryRow))
const decodeEntry = Schema.decodeUnknownEither(Schema.parseJson(Journal.Entry))
const LeaseRow = Schema.Struct({
  owner: Schema.String,
  host: Schema.String,
  // Drivers return integers as numbers or strings.
  pid: Schema.Union(Schema.Int, Schema.NumberFromString),
  since: Schema.String,
  expires: Schema.String
})
const decodeLeaseRows = Schema.decodeUnknown(Schema.Array(LeaseRow))
const VersionRow = Schema.Struct({
  version: Schema.NullOr(Schema.Union(Schema.Int, Schema.NumberFromString))
})
const decodeVersion = Schema.decodeUnknown(Schema.Array(VersionRow))

const reasonOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "cause" in error && error.cause instanceof Error)
    return error.cause.message
  return error instanceof Error ? error.message : String(error)
}

/**
 * Creates or migrates the journal's tables. Safe when several runs start at once: a run that finds
 * another migrating waits until the schema is there, and a schema newer than this library is refused.
 */
export const migrate: Effect.Effect<void, Journal.JournalError, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    const run = Migrator.make({})({ loader: Effect.succeed(migrations), table: MIGRATIONS_TABLE })
    const version =
      sql`SELECT MAX(migration_id) AS version FROM ${sql(MIGRATIONS_TABLE)}`.withoutTransform.pipe(
        Effect.flatMap(decodeVersion),
        Effect.map((rows) => Number(rows[0]?.version ?? 0))
      )
    // Two runs creating the migrations table at once: one fails, and finds it there the next time.
    yield* run.pipe(Effect.retry({ times: 5, schedule: Schedule.spaced("100 millis") }))
    // A run that lost the race to another migrating run waits for its commit (up to 10 seconds).
    let current = yield* version
    for (let i = 0; i < 100 && current < SCHEMA_VERSION; i++) {
      yield* Effect.sleep("100 millis")
      current = yield* version
    }
    if (current > SCHEMA_VERSION)
      return yield* Effect.fail(
        `the database's journal schema is version ${current}; this version of unisequence knows up to ${SCHEMA_VERSION}`
      )
    if (current < SCHEMA_VERSION)
      return yield* Effect.fail(
        `the journal schema is still at version ${current} after waiting for another run to migrate it`
      )
  }
).pipe(
  Effect.mapError(
    (error) =>
      new Journal.JournalError({
        location: "sql",
        reason: typeof error === "string" ? error : reasonOf(error)
      })
  )
)

/** The lease row of one journal, compared and set in single statements. */
const leaseStore = (
  sql: SqlClient.SqlClient,
  name: string
): JournalLease.Store<SqlError | ParseResult.ParseError> => {
  const read =
    sql`SELECT owner, host, pid, since, expires FROM ${sql(LEASES_TABLE)} WHERE journal = ${name}`.withoutTransform.pipe(
      Effect.flatMap(decodeLeaseRows),
      Effect.map((rows) => Option.fromNullable(rows[0]))
    )
  const ownedBy = (owner: string) =>
    Effect.map(read, (row) => Option.isSome(row) && row.value.owner === owner)
  return {
    read,
    create: (h) =>
      sql`INSERT INTO ${sql(LEASES_TABLE)} (journal, owner, host, pid, since, expires) VALUES (${name}, ${h.owner}, ${h.host}, ${h.pid}, ${h.since}, ${h.expires})`.withoutTransform.pipe(
        // A key violation means another run inserted first: the row says who.
        Effect.catchTag("SqlError", () => Effect.void),
        Effect.zipRight(ownedBy(h.owner))
      ),
    replace: (stale, h) =>
      sql`UPDATE ${sql(LEASES_TABLE)} SET owner = ${h.owner}, host = ${h.host}, pid = ${h.pid}, since = ${h.since}, expires = ${h.expires}
          WHERE journal = ${name} AND owner = ${stale.owner} AND expires = ${stale.expires}`.withoutTransform.pipe(
        Effect.zipRight(ownedBy(h.owner))
      ),
    renew: (h, expires) =>
      sql`UPDATE ${sql(LEASES_TABLE)} SET expires = ${expires} WHERE journal = ${name} AND owner = ${h.owner}`.withoutTransform.pipe(
        Effect.zipRight(ownedBy(h.owner))
      ),
    release: (h) =>
      Effect.asVoid(
        sql`DELETE FROM ${sql(LEASES_TABLE)} WHERE journal = ${name} AND owner = ${h.owner}`.withoutTransform
      )
  }
}

/**
 * The journal `name` in the database of the `SqlClient`, with its tables migrated and its lease
 * held for the scope. Fails with `JournalBusy` when another live run holds it.
 */
export const make = (
  options: Options = {}
): Effect.Effect<
  Journal.Journal,
  Journal.JournalError | JournalLease.JournalBusy,
  SqlClient.SqlClient | Scope.Scope
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const name = options.name ?? "default"
    const location = options.location ?? `sql:${name}`
    const fail = (error: unknown) => new Journal.JournalError({ location: location, reason: reasonOf(error) })
    yield* migrate.pipe(
      Effect.mapError((error) => new Journal.JournalError({ location: location, reason: error.reason }))
    )
    const lease = yield* JournalLease.hold(location, leaseStore(sql, name), {
      ...options,
      identity: options.identity ?? ProcessIdentity.identity
    }).pipe(
      Effect.catchIf(
        (error) => error._tag !== "JournalBusy",
        (error) => Effect.fail(fail(error))
      )
    )

    const read =
      sql`SELECT entry FROM ${sql(ENTRIES_TABLE)} WHERE journal = ${name} ORDER BY seq`.withoutTransform.pipe(
        Effect.flatMap(decodeRows),
        Effect.mapError(fail),
        Effect.flatMap((rows) => {
          const entries: Array<Journal.Entry> = []
          let skipped = 0
          for (const row of rows) {
            const decoded = decodeEntry(row.entry)
            if (Either.isRight(decoded)) entries.push(decoded.right)
            else skipped++
          }
          return skipped === 0
            ? Effect.succeed(entries)
            : Effect.as(
                Effect.logWarning(
                  `journal ${location}: skipped ${skipped} unreadable entr${skipped === 1 ? "y" : "ies"}`
                ),
                entries
              )
        }),
        Effect.withSpan("Journal.read", { attributes: { "journal.backend": "sql", "journal.name": name } })
      )

    const append = (entry: Omit<Journal.Entry, "v" | "at">) =>
      Effect.gen(function* () {
        yield* lease.check.pipe(Effect.mapError(fail))
        const at = new Date(yield* Clock.currentTimeMillis).toISOString()
        const text = JSON.stringify({ v: 1, ...entry, at })
        const owner = lease.holder.owner
        // The lease and the row in one transaction: a run that lost its lease writes nothing more.
        yield* sql
          .withTransaction(
            Effect.gen(function* () {
              const holder = yield* sql`SELECT owner FROM ${sql(LEASES_TABLE)} WHERE journal = ${name}`
                .withoutTransform
              if (holder[0]?.owner !== owner)
                return yield* Effect.fail(
                  `this run's lease on the journal was taken over by another run; stopping before writing`
                )
              yield* sql`INSERT INTO ${sql(ENTRIES_TABLE)} (journal, entry_key, state, run, at, entry) VALUES (${name}, ${entry.key}, ${entry.state}, ${owner}, ${at}, ${text})`
                .withoutTransform
            })
          )
          .pipe(
            // A busy database or a dropped connection: the transaction did not commit, or committed
            // a row that a second copy only repeats (entries are idempotent); try again a few times.
            Effect.retry({
              while: (error) => typeof error !== "string",
              schedule: Schedule.exponential("50 millis").pipe(Schedule.intersect(Schedule.recurs(5)))
            }),
            Effect.mapError((error) => fail(typeof error === "string" ? new Error(error) : error))
          )
      }).pipe(
        Effect.withSpan("Journal.append", {
          attributes: {
            "journal.backend": "sql",
            "journal.name": name,
            "journal.key": entry.key,
            "journal.state": entry.state
          }
        })
      )

    return { location, read, append }
  })

/** The `Journal` service in the database of the `SqlClient`: `make` for the layer's lifetime. */
export const layer = (
  options: Options = {}
): Layer.Layer<Journal.Journal, Journal.JournalError | JournalLease.JournalBusy, SqlClient.SqlClient> =>
  Layer.scoped(Journal.Journal, make(options))
