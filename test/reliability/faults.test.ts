/**
 * Promise 1: a migration of 200 sequences × 5 emails survives 20% of requests failing (5xx, hangs
 * past the client timeout, connections reset mid-body before and after the write, slow bodies,
 * malformed bodies) with the rate limits on, in both directions. It ends with every target equal to
 * its plan, no duplicate and no lost step, counted in the simulators' final state.
 *
 * The migration is driven the way a user drives the CLI: plan + apply with one journal, and when a
 * run stops on an error that is not retried (a malformed body is not), the same command again.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Apply, Journal, type JournalLease, Migration } from "@unisequence/core"
import { SqlJournal } from "@unisequence/sql"
import { ApolloSimulator, KitSimulator, Postgres } from "@unisequence/testing"
import { Effect, Exit, Layer, type Scope } from "effect"
import { postgresMissing } from "./journals.js"
import { apolloOn, apolloSeed, captureLogs, KIT_KEY, kitOn, kitSeed, retriesSoFar } from "./support.js"

/** The whole promise runs at 200 sequences on the memory journal; each SQL backend repeats it at 60. */
const sequencesOn = (backend: string) => (backend === "memory" ? 200 : 60)
const STEPS = 5
const TIMEOUT = "400 millis"
/** Runs of the same command a user would try before giving up. */
const MAX_RUNS = 4

/** 20% of Kit requests fail. Writes fail after the change for every kind but 5xx. */
const kitFaults = (seed: number, malformed: boolean): KitSimulator.FaultOptions => {
  const read: KitSimulator.FaultSpec = {
    serverError: { rate: 0.07 },
    hang: { rate: 0.03 },
    reset: { rate: 0.04 },
    slowBody: { rate: 0.03, slowMs: 150 },
    malformed: { rate: malformed ? 0.04 : 0 }
  }
  const write: KitSimulator.FaultSpec = {
    serverError: { rate: 0.07 },
    hang: { rate: 0.03, afterCommit: true },
    reset: { rate: 0.04, afterCommit: true },
    slowBody: { rate: 0.03, slowMs: 150 },
    malformed: { rate: malformed ? 0.04 : 0, afterCommit: true }
  }
  return {
    seed,
    all: read,
    operations: {
      createSequence: write,
      updateSequence: write,
      createEmail: write,
      updateEmail: write,
      deleteEmail: write
    }
  }
}

/** 20% of Apollo requests fail; writes fail after the change for resets and garbled answers. */
const apolloFaults = (seed: number, malformed: boolean): ApolloSimulator.FaultOptions => {
  const read: ApolloSimulator.FaultSpec = {
    serverError: { rate: 0.05 },
    hang: { rate: 0.03 },
    reset: { rate: 0.06 },
    slowBody: { rate: 0.03, slowMs: 150 },
    malformed: { rate: malformed ? 0.03 : 0 }
  }
  const write: ApolloSimulator.FaultSpec = {
    ...read,
    reset: { rate: 0.06, afterCommit: true },
    malformed: { rate: malformed ? 0.03 : 0, afterCommit: true }
  }
  return {
    seed,
    all: read,
    operations: { createSequence: write, updateSequence: write, approve: write, abort: write, archive: write }
  }
}

/** Kit's documented 120 / 60 s, scaled to 100 / 250 ms; the client believes 110, so 429s happen. */
const kitLimits = { apiKey: { limit: 100, windowMs: 250 } }
const kitClientLimit = { limit: 110, window: "250 millis" } as const
/** Apollo's per-endpoint windows scaled 60×: 40 calls per one-second "minute" per endpoint. */
const apolloLimits: ApolloSimulator.RateLimitOptions = {
  default: { perMinute: 40 },
  windowScale: 60,
  budgetHeaders: false
}

interface Figures {
  readonly runs: number
  readonly resumes: number
  readonly stops: ReadonlyArray<string>
  readonly retries: number
  readonly ms: number
}

/**
 * Where the journal is kept: in memory, or in SQLite or PostgreSQL (each run opens it anew and holds
 * its lease, as a rerun of the command would).
 */
type Backend = "memory" | "sqlite" | "postgres"
type Open = Effect.Effect<Journal.Journal, Journal.JournalError | JournalLease.JournalBusy, Scope.Scope>

let sqlDir = ""
let pg: Postgres.Postgres | undefined
beforeAll(async () => {
  sqlDir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-faults-"))
  if (postgresMissing === undefined) pg = await Postgres.startAsync()
}, 120_000)
afterAll(async () => {
  await pg?.stop()
  if (sqlDir !== "") NodeFs.rmSync(sqlDir, { recursive: true, force: true })
})

let journals = 0
/** A new journal on `backend`, and how to open it for one run. */
const journalOn = (backend: Backend): Effect.Effect<Open, never, Scope.Scope> =>
  Effect.gen(function* () {
    if (backend === "memory") return Effect.succeed(yield* Journal.makeMemory())
    const name = `faults-${++journals}`
    const client: Layer.Layer<SqlClient.SqlClient, unknown> =
      backend === "sqlite"
        ? SqliteClient.layer({ filename: NodePath.join(sqlDir, `${name}.db`) })
        : PgClient.layer({ url: pg!.url })
    const context = yield* Layer.build(client).pipe(Effect.orDie)
    return SqlJournal.make({ name }).pipe(Effect.provide(context))
  })

const backends: ReadonlyArray<Backend> =
  postgresMissing === undefined ? ["memory", "sqlite", "postgres"] : ["memory", "sqlite"]

/** Plan + apply with one journal until a run ends without error, like rerunning the command. */
const migrate = (
  source: Parameters<typeof Migration.plan>[0]["source"],
  target: typeof source,
  backend: Backend
) =>
  Effect.gen(function* () {
    const journal = yield* journalOn(backend)
    const logs = captureLogs()
    const before = yield* retriesSoFar
    const started = Date.now()
    const stops: Array<string> = []
    let result: Apply.Result | undefined
    let runs = 0
    while (result === undefined && runs < MAX_RUNS) {
      runs++
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.flatMap(journal, (opened) =>
            Migration.plan({ source, target }).pipe(
              Effect.flatMap((plan) => Apply.apply(plan, { target, concurrency: 32 })),
              Effect.provideService(Journal.Journal, opened)
            )
          )
        )
      ).pipe(Effect.provide(logs.layer))
      if (Exit.isSuccess(exit)) result = exit.value
      else
        stops.push(
          exit.cause._tag === "Fail"
            ? `${exit.cause.error._tag}: ${exit.cause.error.message.slice(0, 120)}`
            : String(exit.cause)
        )
    }
    const figures: Figures = {
      runs,
      resumes: logs.lines.filter((line) => line.includes("resuming from the journal")).length,
      stops,
      retries: (yield* retriesSoFar) - before,
      ms: Date.now() - started
    }
    return { result, figures, journal }
  })

const label = (malformed: boolean) =>
  malformed ? "5xx, hangs, resets, slow and malformed bodies" : "5xx, hangs, resets and slow bodies"

const stopsLine = (figures: Figures) =>
  `${figures.runs} run(s) (${figures.stops.length} stopped: ${figures.stops.map((s) => s.split(":")[0]).join(", ") || "none"})`

const padded = (prefix: string, i: number) => `${prefix}${String(i).padStart(3, "0")}`

describe("faults survived", () => {
  // Without malformed bodies, then with them: the second is the promise in full.
  // Without malformed bodies, then with them on every journal backend: the second is the promise in full.
  for (const [malformed, backend] of [
    [false, "memory"] as const,
    ...backends.map((backend) => [true, backend] as const)
  ]) {
    const SEQUENCES = sequencesOn(backend)
    it.live(
      `Kit → Apollo: ${SEQUENCES} sequences × ${STEPS} emails, 20% of requests fail (${label(malformed)}), rate limits on; journal: ${backend}`,
      () =>
        Effect.gen(function* () {
          const kitSim = yield* KitSimulator.start({
            apiKeys: [KIT_KEY],
            seed: kitSeed(SEQUENCES, STEPS),
            rateLimit: kitLimits,
            faults: kitFaults(11, malformed)
          })
          const apolloSim = yield* ApolloSimulator.start({
            quirks: { readOneSequence: true },
            rateLimit: apolloLimits,
            faults: apolloFaults(12, malformed)
          })
          const kit = yield* kitOn(kitSim.url, { timeout: TIMEOUT, rateLimit: kitClientLimit })
          const apollo = yield* apolloOn(apolloSim.url, { timeout: TIMEOUT })

          const { result, figures, journal } = yield* migrate(kit.sequences, apollo.sequences, backend)

          const requests = kitSim.requests.length + apolloSim.requests.length
          const faults = kitSim.faultCounts.total + apolloSim.faultCounts.total
          const limited = [...kitSim.requests, ...apolloSim.requests].filter((r) => r.status === 429).length
          kitSim.setFaults(undefined)
          apolloSim.setFaults(undefined)

          // The simulator's final state, counted directly.
          const sequences = apolloSim.state().sequences.filter((s) => !s.archived)
          // A stray of a lost create still carries its marker: counted as a duplicate of its sequence.
          const names = sequences.map((s) => s.name.replace(/ \[unisequence [0-9a-f]+\]$/, ""))
          const steps = sequences.reduce((n, s) => n + s.emailer_steps.length, 0)
          const touches = sequences.reduce(
            (n, s) => n + s.emailer_steps.reduce((m, step) => m + step.emailer_touches.length, 0),
            0
          )
          const duplicates = names.length - new Set(names).size
          const lost = Array.from({ length: SEQUENCES }, (_, i) => padded("Kit sequence ", i)).filter(
            (name) => !names.includes(name)
          ).length
          console.log(
            `[faults] kit→apollo, journal ${backend} (${label(malformed)}): ${requests} requests, ${faults} faults injected ` +
              `(${((100 * faults) / requests).toFixed(1)}%) + ${limited} 429s, ${figures.retries} retries, ` +
              `${figures.resumes} journal resumes, ${stopsLine(figures)}; target: ${sequences.length} sequences, ` +
              `${steps} steps, ${touches} touches, ${duplicates} duplicates, ${lost} lost; ${figures.ms} ms`
          )

          expect(result, figures.stops.join("\n")).toBeDefined()
          expect(result!.outcomes).toHaveLength(SEQUENCES)
          expect(
            result!.outcomes.filter((o) => o.verification !== "verified" && o.outcome !== "unchanged")
          ).toEqual([])
          expect(faults / requests).toBeGreaterThan(0.15)
          expect(figures.retries).toBeGreaterThan(0)
          expect(sequences).toHaveLength(SEQUENCES)
          expect(duplicates).toBe(0)
          expect(lost).toBe(0)
          expect(names.filter((n) => n.includes("[unisequence"))).toEqual([])
          expect(steps).toBe(SEQUENCES * STEPS)
          expect(touches).toBe(SEQUENCES * STEPS)
          for (const sequence of sequences) {
            const s = Number(sequence.name.slice(-3))
            expect(sequence.active).toBe(false)
            expect(
              sequence.emailer_steps.map((step) => [
                step.position,
                step.wait_time,
                step.wait_mode,
                step.emailer_touches[0]?.status,
                step.emailer_touches[0]?.emailer_template.subject,
                step.emailer_touches[0]?.emailer_template.body_html
              ])
            ).toEqual(
              Array.from({ length: STEPS }, (_, e) => [
                e + 1,
                e === 0 ? 0 : e,
                e % 2 === 0 ? "day" : "hour",
                "to_be_reviewed",
                `${padded("K", s)} email ${e}`,
                `<p>Kit sequence ${s}, email ${e}</p>`
              ])
            )
          }
          // The same command once more: everything is unchanged and nothing is written.
          apolloSim.clearLog()
          // A new run on the same journal (it takes the lease again).
          const reopened = yield* journal
          const again = yield* Migration.plan({ source: kit.sequences, target: apollo.sequences }).pipe(
            Effect.provideService(Journal.Journal, reopened)
          )
          expect(again.sequences.filter((s) => s.action !== "unchanged")).toEqual([])
          yield* Apply.apply(again, { target: apollo.sequences }).pipe(
            Effect.provideService(Journal.Journal, reopened)
          )
          // The rerun reads the target again (the target is the truth), and writes nothing.
          expect(apolloSim.requests.filter((r) => r.method !== "GET" && r.operation !== "search")).toEqual([])
        }).pipe(Effect.scoped),
      180_000
    )

    it.live(
      `Apollo → Kit: ${SEQUENCES} sequences × ${STEPS} steps, 20% of requests fail (${label(malformed)}), rate limits on; journal: ${backend}`,
      () =>
        Effect.gen(function* () {
          const apolloSim = yield* ApolloSimulator.start({
            quirks: { readOneSequence: true },
            seed: apolloSeed(SEQUENCES, STEPS),
            rateLimit: apolloLimits,
            faults: apolloFaults(21, malformed)
          })
          const kitSim = yield* KitSimulator.start({
            apiKeys: [KIT_KEY],
            rateLimit: kitLimits,
            faults: kitFaults(22, malformed)
          })
          const apollo = yield* apolloOn(apolloSim.url, { timeout: TIMEOUT })
          const kit = yield* kitOn(kitSim.url, { timeout: TIMEOUT, rateLimit: kitClientLimit })

          const { result, figures, journal } = yield* migrate(apollo.sequences, kit.sequences, backend)

          const requests = kitSim.requests.length + apolloSim.requests.length
          const faults = kitSim.faultCounts.total + apolloSim.faultCounts.total
          const limited = [...kitSim.requests, ...apolloSim.requests].filter((r) => r.status === 429).length
          kitSim.setFaults(undefined)
          apolloSim.setFaults(undefined)

          const sequences = kitSim.state().sequences
          // A stray of a lost create still carries its marker: counted as a duplicate of its sequence.
          const names = sequences.map((s) => s.name.replace(/ \[unisequence [0-9a-f]+\]$/, ""))
          const emails = sequences.reduce((n, s) => n + s.emails.length, 0)
          const duplicates = names.length - new Set(names).size
          const lost = Array.from({ length: SEQUENCES }, (_, i) => padded("Apollo sequence ", i)).filter(
            (name) => !names.includes(name)
          ).length
          console.log(
            `[faults] apollo→kit, journal ${backend} (${label(malformed)}): ${requests} requests, ${faults} faults injected ` +
              `(${((100 * faults) / requests).toFixed(1)}%) + ${limited} 429s, ${figures.retries} retries, ` +
              `${figures.resumes} journal resumes, ${stopsLine(figures)}; target: ${sequences.length} sequences, ` +
              `${emails} emails, ${duplicates} duplicates, ${lost} lost; ${figures.ms} ms`
          )

          expect(result, figures.stops.join("\n")).toBeDefined()
          expect(result!.outcomes).toHaveLength(SEQUENCES)
          expect(
            result!.outcomes.filter((o) => o.verification !== "verified" && o.outcome !== "unchanged")
          ).toEqual([])
          expect(faults / requests).toBeGreaterThan(0.15)
          expect(figures.retries).toBeGreaterThan(0)
          expect(sequences).toHaveLength(SEQUENCES)
          expect(duplicates).toBe(0)
          expect(lost).toBe(0)
          expect(names.filter((n) => n.includes("[unisequence"))).toEqual([])
          expect(emails).toBe(SEQUENCES * STEPS)
          for (const sequence of sequences) {
            const s = Number(sequence.name.slice(-3))
            expect(sequence.active).toBe(false)
            expect(
              sequence.emails.map((email) => [
                email.position,
                email.delay_value,
                email.delay_unit,
                email.published,
                email.subject,
                email.content
              ])
            ).toEqual(
              Array.from({ length: STEPS }, (_, e) => [
                e,
                e === 0 ? 0 : e,
                e % 2 === 0 ? "days" : "hours",
                false,
                `${padded("A", s)} step ${e}`,
                `<p>Apollo sequence ${s}, step ${e}</p>`
              ])
            )
          }
          kitSim.clearLog()
          // A new run on the same journal (it takes the lease again).
          const reopened = yield* journal
          const again = yield* Migration.plan({ source: apollo.sequences, target: kit.sequences }).pipe(
            Effect.provideService(Journal.Journal, reopened)
          )
          expect(again.sequences.filter((s) => s.action !== "unchanged")).toEqual([])
          yield* Apply.apply(again, { target: kit.sequences }).pipe(
            Effect.provideService(Journal.Journal, reopened)
          )
          // The rerun reads the target again (the target is the truth), and writes nothing.
          expect(kitSim.requests.filter((r) => r.method !== "GET")).toEqual([])
        }).pipe(Effect.scoped),
      180_000
    )
  }
})
