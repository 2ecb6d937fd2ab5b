import { spawnSync } from "node:child_process"
import * as NodeOs from "node:os"
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Journal, type JournalLease } from "@unisequence/core"
import { Cause, Context, Effect, Exit, Fiber, Layer, Option, Scope } from "effect"
import { SqlJournal } from "../src/index.js"
import { backendNames, backends } from "./backends.js"

const all = backends()
const backend = (name: string) => {
  const found = all.find((b) => b.name === name)
  if (found === undefined) throw new Error(`backend ${name} was not set up`)
  return found
}

let counter = 0
/** Each test works on a journal of its own in the backend's one database. */
const fresh = (label: string) => `${label}-${process.pid}-${++counter}`

/** A client built in the test's scope: what one run of the CLI would hold. */
const clientIn = (name: string) =>
  Layer.build(backend(name).client()).pipe(Effect.map((context) => Context.get(context, SqlClient.SqlClient)))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** The pid of a process that has exited. */
const deadPid = () => {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8"
  })
  return Number(child.stdout)
}

for (const name of backendNames) {
  describe(`SqlJournal on ${name}`, () => {
    it.scopedLive("creates its tables with the migrator once, at the version it knows", () =>
      Effect.gen(function* () {
        const sql = yield* clientIn(name)
        yield* SqlJournal.migrate.pipe(Effect.provideService(SqlClient.SqlClient, sql))
        yield* SqlJournal.migrate.pipe(Effect.provideService(SqlClient.SqlClient, sql))
        const rows = yield* sql`SELECT migration_id FROM unisequence_journal_migrations`.withoutTransform
        expect(rows.map((r) => Number(r.migration_id))).toEqual([SqlJournal.SCHEMA_VERSION])
      })
    )

    it.scopedLive("refuses a database whose journal schema is newer than the library", () =>
      Effect.gen(function* () {
        const sql = yield* clientIn(name)
        yield* SqlJournal.migrate.pipe(Effect.provideService(SqlClient.SqlClient, sql))
        const newer = SqlJournal.SCHEMA_VERSION + 1
        yield* sql`INSERT INTO unisequence_journal_migrations (migration_id, name) VALUES (${newer}, ${"future"})`
        const exit = yield* Effect.exit(
          SqlJournal.migrate.pipe(Effect.provideService(SqlClient.SqlClient, sql))
        ).pipe(
          Effect.ensuring(
            Effect.orDie(sql`DELETE FROM unisequence_journal_migrations WHERE migration_id = ${newer}`)
          )
        )
        expect(failureOf(exit)?.message).toContain(`schema is version ${newer}`)
      })
    )

    it.scopedLive(
      "reads back what it appended, in order; journals of one database are kept apart by name",
      () =>
        Effect.gen(function* () {
          const sql = yield* clientIn(name)
          const [a, b] = [fresh("order-a"), fresh("order-b")]
          const journalA = yield* SqlJournal.make({ name: a }).pipe(
            Effect.provideService(SqlClient.SqlClient, sql)
          )
          const journalB = yield* SqlJournal.make({ name: b }).pipe(
            Effect.provideService(SqlClient.SqlClient, sql)
          )
          yield* journalA.append({ key: "1", state: "creating", token: "t1" })
          yield* journalB.append({ key: "9", state: "removed" })
          yield* journalA.append({ key: "1", state: "created", targetId: "x1", stepIds: ["s1", "s2"] })
          yield* journalA.append({ key: "2", state: "creating", token: "t2", fingerprint: "f2" })
          const entries = yield* journalA.read
          expect(entries.map((e) => [e.key, e.state])).toEqual([
            ["1", "creating"],
            ["1", "created"],
            ["2", "creating"]
          ])
          expect(entries[1]).toMatchObject({ v: 1, targetId: "x1", stepIds: ["s1", "s2"] })
          expect(Number.isNaN(Date.parse(entries[1]!.at))).toBe(false)
          expect((yield* journalB.read).map((e) => e.key)).toEqual(["9"])
        })
    )

    it.scopedLive("skips a row it cannot read (cut short, or from a newer version) and reads the rest", () =>
      Effect.gen(function* () {
        const sql = yield* clientIn(name)
        const journalName = fresh("cut")
        const journal = yield* SqlJournal.make({ name: journalName }).pipe(
          Effect.provideService(SqlClient.SqlClient, sql)
        )
        yield* journal.append({ key: "1", state: "creating", token: "t" })
        yield* sql`INSERT INTO unisequence_journal_entries (journal, entry_key, state, run, at, entry)
                   VALUES (${journalName}, ${"1"}, ${"created"}, ${"gone"}, ${"2026-01-01T00:00:00.000Z"}, ${'{"v":1,"key":"1","state":"crea'})`
        yield* journal.append({ key: "1", state: "created", targetId: "x" })
        expect((yield* journal.read).map((e) => e.state)).toEqual(["creating", "created"])
      })
    )

    it.scopedLive("layer: the Journal service, held for the layer's lifetime", () =>
      Effect.gen(function* () {
        const journalName = fresh("layer")
        const sql = yield* clientIn(name)
        const layer = SqlJournal.layer({ name: journalName }).pipe(
          Layer.provide(Layer.succeed(SqlClient.SqlClient, sql))
        )
        yield* Effect.flatMap(Journal.Journal, (j) => j.append({ key: "1", state: "verified" })).pipe(
          Effect.provide(layer)
        )
        const latest = yield* Journal.readLatest.pipe(Effect.provide(layer))
        expect(latest.get("1")?.state).toBe("verified")
        const leases = yield* sql`SELECT owner FROM unisequence_journal_leases WHERE journal = ${journalName}`
        expect(leases).toEqual([])
      })
    )

    it.scopedLive(
      "a second run on a held journal fails at once with JournalBusy saying who holds it since when",
      () =>
        Effect.gen(function* () {
          const journalName = fresh("busy")
          const first = yield* clientIn(name)
          const second = yield* clientIn(name)
          yield* SqlJournal.make({ name: journalName }).pipe(
            Effect.provideService(SqlClient.SqlClient, first)
          )
          const exit = yield* Effect.exit(
            SqlJournal.make({ name: journalName }).pipe(Effect.provideService(SqlClient.SqlClient, second))
          )
          const error = failureOf(exit)
          expect(error?._tag).toBe("JournalBusy")
          if (error?._tag !== "JournalBusy") return
          expect(error.holder.pid).toBe(process.pid)
          expect(error.holder.host).toBe(NodeOs.hostname())
          expect(error.message).toContain(`since ${error.holder.since}`)
          expect(error.message).toContain(`process ${process.pid} on ${NodeOs.hostname()}`)
        })
    )

    it.scopedLive(
      "the lease is released when a run ends: the next run takes the journal and sees its entries",
      () =>
        Effect.gen(function* () {
          const journalName = fresh("release")
          const sql = yield* clientIn(name)
          yield* Effect.scoped(
            SqlJournal.make({ name: journalName }).pipe(
              Effect.flatMap((j) => j.append({ key: "1", state: "verified" })),
              Effect.provideService(SqlClient.SqlClient, sql)
            )
          )
          const rows = yield* sql`SELECT owner FROM unisequence_journal_leases WHERE journal = ${journalName}`
          expect(rows).toEqual([])
          const next = yield* SqlJournal.make({ name: journalName }).pipe(
            Effect.provideService(SqlClient.SqlClient, sql)
          )
          expect((yield* next.read).map((e) => e.state)).toEqual(["verified"])
        })
    )

    it.scopedLive(
      "a lease left by a run on another host is taken over once expired, and the run resumes",
      () =>
        Effect.gen(function* () {
          const journalName = fresh("expired")
          const sql = yield* clientIn(name)
          yield* SqlJournal.migrate.pipe(Effect.provideService(SqlClient.SqlClient, sql))
          const stale = {
            owner: "elsewhere-run",
            host: "another-host",
            pid: 1,
            since: "2026-01-01T00:00:00.000Z"
          }
          // Expired a minute ago: taken over.
          const past = new Date(Date.now() - 60_000).toISOString()
          yield* sql`INSERT INTO unisequence_journal_leases (journal, owner, host, pid, since, expires)
                   VALUES (${journalName}, ${stale.owner}, ${stale.host}, ${stale.pid}, ${stale.since}, ${past})`
          yield* sql`INSERT INTO unisequence_journal_entries (journal, entry_key, state, run, at, entry)
                   VALUES (${journalName}, ${"1"}, ${"created"}, ${stale.owner}, ${stale.since}, ${JSON.stringify({ v: 1, key: "1", state: "created", targetId: "t", at: stale.since })})`
          const journal = yield* SqlJournal.make({ name: journalName }).pipe(
            Effect.provideService(SqlClient.SqlClient, sql)
          )
          expect((yield* journal.read).map((e) => [e.key, e.state, e.targetId])).toEqual([
            ["1", "created", "t"]
          ])
          yield* journal.append({ key: "1", state: "verified" })
          const owners =
            yield* sql`SELECT owner, host FROM unisequence_journal_leases WHERE journal = ${journalName}`
          expect(owners).toHaveLength(1)
          expect(owners[0]?.host).toBe(NodeOs.hostname())
        })
    )

    it.scopedLive("a lease of another host that has not expired keeps the journal held", () =>
      Effect.gen(function* () {
        const journalName = fresh("live-elsewhere")
        const sql = yield* clientIn(name)
        yield* SqlJournal.migrate.pipe(Effect.provideService(SqlClient.SqlClient, sql))
        const future = new Date(Date.now() + 3_600_000).toISOString()
        yield* sql`INSERT INTO unisequence_journal_leases (journal, owner, host, pid, since, expires)
                   VALUES (${journalName}, ${"r"}, ${"another-host"}, ${1}, ${"2026-01-01T00:00:00.000Z"}, ${future})`
        const error = failureOf(
          yield* Effect.exit(
            SqlJournal.make({ name: journalName }).pipe(Effect.provideService(SqlClient.SqlClient, sql))
          )
        )
        expect(error?._tag).toBe("JournalBusy")
        expect(error?.message).toContain("process 1 on another-host, since 2026-01-01T00:00:00.000Z")
      })
    )

    it.scopedLive("a lease of a process gone from this host is taken over before it expires", () =>
      Effect.gen(function* () {
        const journalName = fresh("dead")
        const sql = yield* clientIn(name)
        yield* SqlJournal.migrate.pipe(Effect.provideService(SqlClient.SqlClient, sql))
        const future = new Date(Date.now() + 3_600_000).toISOString()
        const pid = deadPid()
        yield* sql`INSERT INTO unisequence_journal_leases (journal, owner, host, pid, since, expires)
                   VALUES (${journalName}, ${"killed-run"}, ${NodeOs.hostname()}, ${pid}, ${"2026-01-01T00:00:00.000Z"}, ${future})`
        const journal = yield* SqlJournal.make({ name: journalName }).pipe(
          Effect.provideService(SqlClient.SqlClient, sql)
        )
        yield* journal.append({ key: "1", state: "creating", token: "t" })
        const owners = yield* sql`SELECT pid FROM unisequence_journal_leases WHERE journal = ${journalName}`
        expect(owners.map((o) => Number(o.pid))).toEqual([process.pid])
      })
    )

    it.scopedLive("a run whose lease was taken over writes nothing more", () =>
      Effect.gen(function* () {
        const journalName = fresh("lost")
        const sql = yield* clientIn(name)
        const journal = yield* SqlJournal.make({ name: journalName }).pipe(
          Effect.provideService(SqlClient.SqlClient, sql)
        )
        yield* journal.append({ key: "1", state: "creating", token: "t" })
        // As if this run had stalled past its lease and another had taken the journal over.
        yield* sql`UPDATE unisequence_journal_leases SET owner = ${"taker"}, host = ${"another-host"} WHERE journal = ${journalName}`
        const error = failureOf(
          yield* Effect.exit(journal.append({ key: "1", state: "created", targetId: "x" }))
        )
        expect(error?._tag).toBe("JournalError")
        expect(error?.message).toContain("taken over")
        const rows = yield* sql`SELECT state FROM unisequence_journal_entries WHERE journal = ${journalName}`
        expect(rows.map((r) => r.state)).toEqual(["creating"])
      })
    )

    it.scopedLive("a run asked to wait takes the journal when the holder ends", () =>
      Effect.gen(function* () {
        const journalName = fresh("wait")
        const first = yield* clientIn(name)
        const second = yield* clientIn(name)
        const holderScope = yield* Scope.make()
        yield* SqlJournal.make({ name: journalName }).pipe(
          Effect.provideService(SqlClient.SqlClient, first),
          Effect.provideService(Scope.Scope, holderScope)
        )
        const waiting = yield* SqlJournal.make({ name: journalName, wait: "60 seconds" }).pipe(
          Effect.provideService(SqlClient.SqlClient, second),
          Effect.fork
        )
        // Still waiting while the first run holds it.
        expect(yield* Fiber.poll(waiting)).toEqual(Option.none())
        yield* Scope.close(holderScope, Exit.void)
        const journal = yield* Fiber.join(waiting)
        yield* journal.append({ key: "1", state: "verified" })
        expect((yield* journal.read).map((e) => e.state)).toEqual(["verified"])
      })
    )

    it.scopedLive(
      "eight runs starting at once on one journal: exactly one holds it, the others are told who",
      () =>
        Effect.gen(function* () {
          const journalName = fresh("race")
          const clients = yield* Effect.all(Array.from({ length: 8 }, () => clientIn(name)))
          const exits = yield* Effect.all(
            clients.map((sql) =>
              Effect.exit(
                SqlJournal.make({ name: journalName }).pipe(Effect.provideService(SqlClient.SqlClient, sql))
              )
            ),
            { concurrency: "unbounded" }
          )
          const winners = exits.filter(Exit.isSuccess)
          expect(winners).toHaveLength(1)
          const losers = exits.map(failureOf).filter((e) => e !== undefined)
          expect(losers.map((e) => e._tag)).toEqual(Array.from({ length: 7 }, () => "JournalBusy"))
          const owner = (losers[0] as JournalLease.JournalBusy).holder.owner
          expect(new Set(losers.map((e) => (e as JournalLease.JournalBusy).holder.owner))).toEqual(
            new Set([owner])
          )
        })
    )
  })
}
