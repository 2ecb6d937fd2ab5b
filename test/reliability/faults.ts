/**
 * Promise 1, shared by the fault files (one per direction with the journal in memory, and one for the
 * SQL journals, so that Vitest runs them side by side): a migration of many sequences × 5 emails
 * survives 20% of requests failing (5xx, hangs past the client timeout, connections reset mid-body
 * before and after the write, slow bodies, malformed bodies) with the rate limits on. It ends with
 * every target equal to its plan, no duplicate and no lost step, counted in the simulators' final
 * state; every request sent (and every whole answer of the documented profile) is valid under the
 * providers' documents.
 *
 * The migration is driven the way a user drives the CLI: plan + apply with one journal, and when a
 * run stops on an error that is not retried, the same command again. The engine resumes a failed
 * sequence from the journal as often as it takes (what is proved is that every resume is safe), so
 * one unlucky sequence does not stop the run and make the next one plan all of them again. The
 * waiting a fault costs is short (a short retry backoff, rate-limit windows scaled down, hangs at
 * 1% of requests) and done 16 sequences at a time, so a run is quick without any check depending
 * on time.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Apply, Journal, type JournalLease, Migration, type Sequences } from "@unisequence/core"
import { SqlJournal } from "@unisequence/sql"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { Effect, Exit, Layer, LogLevel, type Scope } from "effect"
import { contractLine, expectDocumented, type Profile } from "./contract.js"
import { freshDatabase, postgresMissing } from "./journals.js"
import { apolloOn, apolloSeed, captureLogs, KIT_KEY, kitOn, kitSeed, pad, retriesSoFar } from "./support.js"

const STEPS = 5
/**
 * Hangs never answer: each costs one client timeout. Long enough that an answer slowed by a loaded
 * machine is rarely taken for a hang (were it, it is one more retry: nothing checked depends on it).
 * An answer waits for the CPU the other sequences in flight use, so the concurrency is kept modest.
 */
const TIMEOUT = "1 second"
/** Runs of the same command a user would try before giving up. */
const MAX_RUNS = 4
/** Sequences written at once. */
const CONCURRENCY = 16
/**
 * The engine's resumes of a failed sequence wait briefly, and are not counted out before a sequence
 * that meets many faults in a row is through: a sequence that gives up stops the run, and the rerun
 * reads and plans every sequence again.
 */
const engineRetry = { baseDelay: "10 millis", maxDelay: "100 millis", maxAttempts: 40 } as const

/**
 * 20% of Kit requests fail. Writes fail after the change for every kind but 5xx. Hangs are 1%: each
 * costs a whole client timeout, the other kinds a round trip.
 */
const kitFaults = (seed: number): KitSimulator.FaultOptions => {
  const read: KitSimulator.FaultSpec = {
    serverError: { rate: 0.09 },
    hang: { rate: 0.01 },
    reset: { rate: 0.04 },
    slowBody: { rate: 0.03, slowMs: 150 },
    malformed: { rate: 0.04 }
  }
  const write: KitSimulator.FaultSpec = {
    serverError: { rate: 0.09 },
    hang: { rate: 0.01, afterCommit: true },
    reset: { rate: 0.04, afterCommit: true },
    slowBody: { rate: 0.03, slowMs: 150 },
    malformed: { rate: 0.04, afterCommit: true }
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
const apolloFaults = (seed: number): ApolloSimulator.FaultOptions => {
  const read: ApolloSimulator.FaultSpec = {
    serverError: { rate: 0.07 },
    hang: { rate: 0.01 },
    reset: { rate: 0.06 },
    slowBody: { rate: 0.03, slowMs: 150 },
    malformed: { rate: 0.03 }
  }
  const write: ApolloSimulator.FaultSpec = {
    ...read,
    reset: { rate: 0.06, afterCommit: true },
    malformed: { rate: 0.03, afterCommit: true }
  }
  return {
    seed,
    all: read,
    operations: { createSequence: write, updateSequence: write, approve: write, abort: write, archive: write }
  }
}

/** Kit's documented 120 / 60 s, scaled to 40 / 50 ms; the client believes 44, so 429s can happen. */
const kitLimits = { apiKey: { limit: 40, windowMs: 50 } }
const kitClientLimit = { limit: 44, window: "50 millis" } as const
/** Apollo's per-endpoint windows scaled 600×: 40 calls per 100 ms "minute" per endpoint. */
const apolloLimits: ApolloSimulator.RateLimitOptions = {
  default: { perMinute: 40 },
  windowScale: 600,
  budgetHeaders: false
}

/** Where the journal is kept: in memory, or in SQLite or PostgreSQL (each run opens it anew). */
export type Backend = "memory" | "sqlite" | "postgres"
type Open = Effect.Effect<Journal.Journal, Journal.JournalError | JournalLease.JournalBusy, Scope.Scope>

export interface Run {
  readonly backend: Backend
  readonly profile: Profile
  readonly sequences: number
}

/** The whole promise in each direction: 200 sequences, the journal in memory, documented simulators. */
export const headline: ReadonlyArray<Run> = [{ backend: "memory", profile: "documented", sequences: 200 }]

/**
 * Each SQL journal under the same faults, at fewer sequences (the journal sees every resume; how many
 * sequences there are does not change what it is asked): SQLite on the observed simulators, PostgreSQL
 * on the documented ones, so that each direction also meets the observed profile.
 */
export const journalRuns: ReadonlyArray<Run> = (
  [
    { backend: "sqlite", profile: "observed", sequences: 40 },
    { backend: "postgres", profile: "documented", sequences: 40 }
  ] satisfies ReadonlyArray<Run>
).filter((run) => run.backend !== "postgres" || postgresMissing === undefined)

/** One row per step of the target, as the target holds it, compared with what the source planned. */
type Row = ReadonlyArray<string | number | boolean | null | undefined>

interface TargetSequence {
  readonly name: string
  readonly active: boolean
  readonly rows: ReadonlyArray<Row>
}

/** A migration direction: its simulators, the target's final state, and what it must equal. */
export interface Direction {
  readonly name: "kit→apollo" | "apollo→kit"
  readonly sourceName: string
  /** Starts both simulators, source seeded with `n` sequences, faults on. */
  readonly start: (
    n: number,
    profile: Profile
  ) => Effect.Effect<
    {
      readonly kitSim: KitSimulator.KitSimulator
      readonly apolloSim: ApolloSimulator.ApolloSimulator
      readonly source: Sequences.Sequences
      readonly target: Sequences.Sequences
    },
    never,
    Scope.Scope
  >
  readonly targetState: (
    kitSim: KitSimulator.KitSimulator,
    apolloSim: ApolloSimulator.ApolloSimulator
  ) => ReadonlyArray<TargetSequence>
  /** The rows sequence `s` of the source must end as. */
  readonly expected: (s: number) => ReadonlyArray<Row>
  /** The target's writes in its log (reads and searches are allowed on a rerun). */
  readonly writes: (
    kitSim: KitSimulator.KitSimulator,
    apolloSim: ApolloSimulator.ApolloSimulator
  ) => ReadonlyArray<unknown>
}

const simulators = (
  profile: Profile,
  kitSeedOf: KitSimulator.Seed | undefined,
  apolloSeedOf: ApolloSimulator.Seed | undefined,
  seed: number
) =>
  Effect.gen(function* () {
    const kitSim = yield* KitSimulator.start({
      profile,
      apiKeys: [KIT_KEY],
      rateLimit: kitLimits,
      faults: kitFaults(seed),
      ...(kitSeedOf === undefined ? {} : { seed: kitSeedOf })
    })
    const apolloSim = yield* ApolloSimulator.start({
      profile,
      // The documented profile lacks the single-sequence read the adapter needs; observed has it.
      quirks: { readOneSequence: true },
      rateLimit: apolloLimits,
      faults: apolloFaults(seed + 1),
      ...(apolloSeedOf === undefined ? {} : { seed: apolloSeedOf })
    })
    const kit = yield* kitOn(kitSim.url, { timeout: TIMEOUT, rateLimit: kitClientLimit })
    const apollo = yield* apolloOn(apolloSim.url, { timeout: TIMEOUT })
    return { kitSim, apolloSim, kit: kit.sequences, apollo: apollo.sequences }
  })

export const kitToApollo: Direction = {
  name: "kit→apollo",
  sourceName: "Kit sequence ",
  start: (n, profile) =>
    Effect.map(simulators(profile, kitSeed(n, STEPS), undefined, 11), (s) => ({
      kitSim: s.kitSim,
      apolloSim: s.apolloSim,
      source: s.kit,
      target: s.apollo
    })),
  targetState: (_kit, apolloSim) =>
    apolloSim
      .state()
      .sequences.filter((s) => !s.archived)
      .map((s) => ({
        name: s.name,
        active: s.active,
        rows: s.emailer_steps.map((step) => [
          step.position,
          step.wait_time,
          step.wait_mode,
          step.emailer_touches.length,
          step.emailer_touches[0]?.status,
          step.emailer_touches[0]?.emailer_template.subject,
          step.emailer_touches[0]?.emailer_template.body_html
        ])
      })),
  expected: (s) =>
    Array.from({ length: STEPS }, (_, e) => [
      e + 1,
      e === 0 ? 0 : e,
      e % 2 === 0 ? "day" : "hour",
      1,
      "to_be_reviewed",
      `K${pad(s)} email ${e}`,
      `<p>Kit sequence ${s}, email ${e}</p>`
    ]),
  writes: (_kit, apolloSim) =>
    apolloSim.requests.filter((r) => r.method !== "GET" && r.operation !== "search")
}

export const apolloToKit: Direction = {
  name: "apollo→kit",
  sourceName: "Apollo sequence ",
  start: (n, profile) =>
    Effect.map(simulators(profile, undefined, apolloSeed(n, STEPS), 21), (s) => ({
      kitSim: s.kitSim,
      apolloSim: s.apolloSim,
      source: s.apollo,
      target: s.kit
    })),
  targetState: (kitSim) =>
    kitSim.state().sequences.map((s) => ({
      name: s.name,
      active: s.active,
      rows: s.emails.map((email) => [
        email.position,
        email.delay_value,
        email.delay_unit,
        email.published,
        email.subject,
        email.content
      ])
    })),
  expected: (s) =>
    Array.from({ length: STEPS }, (_, e) => [
      e,
      e === 0 ? 0 : e,
      e % 2 === 0 ? "days" : "hours",
      false,
      `A${pad(s)} step ${e}`,
      `<p>Apollo sequence ${s}, step ${e}</p>`
    ]),
  writes: (kitSim) => kitSim.requests.filter((r) => r.method !== "GET")
}

interface Figures {
  readonly runs: number
  readonly resumes: number
  readonly stops: ReadonlyArray<string>
  readonly retries: number
  readonly ms: number
  /** CPU of this process (client, simulators and engine) over the runs: what the runs cost. */
  readonly cpuMs: number
}

/** Plan + apply with one journal until a run ends without error, like rerunning the command. */
const migrate = (source: Sequences.Sequences, target: Sequences.Sequences, journal: Open) =>
  Effect.gen(function* () {
    // The resumes are warnings: the debug lines of every request are not needed.
    const logs = captureLogs(LogLevel.Warning)
    const before = yield* retriesSoFar
    const started = Date.now()
    const cpu = process.cpuUsage()
    const stops: Array<string> = []
    let result: Apply.Result | undefined
    let runs = 0
    while (result === undefined && runs < MAX_RUNS) {
      runs++
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.flatMap(journal, (opened) =>
            Migration.plan({ source, target, concurrency: CONCURRENCY }).pipe(
              Effect.flatMap((plan) =>
                Apply.apply(plan, { target, concurrency: CONCURRENCY, retry: engineRetry })
              ),
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
      ms: Date.now() - started,
      cpuMs: Math.round((({ user, system }) => user + system)(process.cpuUsage(cpu)) / 1000)
    }
    return { result, figures }
  })

const stopsLine = (figures: Figures) =>
  `${figures.runs} run(s) (${figures.stops.length} stopped: ${figures.stops.map((s) => s.split(":")[0]).join(", ") || "none"})`

/** The tests of each direction: one per run of `runs`. */
export const faultSuite = (directions: ReadonlyArray<Direction>, runs: ReadonlyArray<Run>) => {
  let sqlDir = ""
  beforeAll(() => {
    sqlDir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-faults-"))
  })
  afterAll(() => {
    if (sqlDir !== "") NodeFs.rmSync(sqlDir, { recursive: true, force: true })
  })

  let journals = 0
  /** A new journal on `backend`, and how to open it for one run (each run takes its lease anew). */
  const journalOn = (backend: Backend): Effect.Effect<Open, never, Scope.Scope> =>
    Effect.gen(function* () {
      if (backend === "memory") return Effect.succeed(yield* Journal.makeMemory())
      const name = `faults-${++journals}`
      const client: Layer.Layer<SqlClient.SqlClient, unknown> =
        backend === "sqlite"
          ? SqliteClient.layer({ filename: NodePath.join(sqlDir, `${name}.db`) })
          : PgClient.layer({ url: yield* Effect.promise(() => freshDatabase(name)) })
      const context = yield* Layer.build(client).pipe(Effect.orDie)
      return SqlJournal.make({ name }).pipe(Effect.provide(context))
    })

  for (const direction of directions)
    describe(`faults survived, ${direction.name}`, () => {
      for (const { backend, profile, sequences: n } of runs)
        it.live(
          `${direction.name}: ${n} sequences × ${STEPS} emails, 20% of requests fail (5xx, hangs, resets, slow and malformed bodies), rate limits on; ${profile} simulators; journal: ${backend}`,
          () =>
            Effect.gen(function* () {
              const { kitSim, apolloSim, source, target } = yield* direction.start(n, profile)
              const journal = yield* journalOn(backend)
              const { result, figures } = yield* migrate(source, target, journal)

              const requests = kitSim.requests.length + apolloSim.requests.length
              const faults = kitSim.faultCounts.total + apolloSim.faultCounts.total
              const limited = [...kitSim.requests, ...apolloSim.requests].filter(
                (r) => r.status === 429
              ).length
              kitSim.setFaults(undefined)
              apolloSim.setFaults(undefined)
              const contract = expectDocumented(profile, { kit: [kitSim], apollo: [apolloSim] })

              // The simulator's final state, counted directly.
              const state = direction.targetState(kitSim, apolloSim)
              // A stray of a lost create still carries its marker: counted as a duplicate of its sequence.
              const names = state.map((s) => s.name.replace(/ \[unisequence [0-9a-f]+\]$/, ""))
              const steps = state.reduce((total, s) => total + s.rows.length, 0)
              const duplicates = names.length - new Set(names).size
              const lost = Array.from({ length: n }, (_, i) => `${direction.sourceName}${pad(i)}`).filter(
                (name) => !names.includes(name)
              ).length
              console.log(
                `[faults] ${direction.name}, ${profile}, journal ${backend}: ${requests} requests, ${faults} faults injected ` +
                  `(${((100 * faults) / requests).toFixed(1)}%) + ${limited} 429s, ${figures.retries} retries, ` +
                  `${figures.resumes} journal resumes, ${stopsLine(figures)}; target: ${state.length} sequences, ` +
                  `${steps} steps, ${duplicates} duplicates, ${lost} lost; ${contractLine(contract)}; ${figures.ms} ms (${figures.cpuMs} ms of CPU)`
              )

              expect(result, figures.stops.join("\n")).toBeDefined()
              expect(result!.outcomes).toHaveLength(n)
              expect(
                result!.outcomes.filter((o) => o.verification !== "verified" && o.outcome !== "unchanged")
              ).toEqual([])
              expect(faults / requests).toBeGreaterThan(0.15)
              expect(figures.retries).toBeGreaterThan(0)
              expect(state).toHaveLength(n)
              expect(duplicates).toBe(0)
              expect(lost).toBe(0)
              expect(names.filter((name) => name.includes("[unisequence"))).toEqual([])
              expect(steps).toBe(n * STEPS)
              for (const sequence of state) {
                expect(sequence.active).toBe(false)
                expect(sequence.rows).toEqual(direction.expected(Number(sequence.name.slice(-3))))
              }

              // The same command once more, on the same journal (it takes the lease again): everything
              // is unchanged, the target is read again (it is the truth) and nothing is written.
              kitSim.clearLog()
              apolloSim.clearLog()
              const again = yield* Effect.scoped(
                Effect.flatMap(journal, (reopened) =>
                  Migration.plan({ source, target }).pipe(
                    Effect.tap((plan) =>
                      Effect.sync(() =>
                        expect(plan.sequences.filter((s) => s.action !== "unchanged")).toEqual([])
                      )
                    ),
                    Effect.flatMap((plan) => Apply.apply(plan, { target })),
                    Effect.provideService(Journal.Journal, reopened)
                  )
                )
              )
              expect(again.outcomes).toHaveLength(n)
              expect(direction.writes(kitSim, apolloSim)).toEqual([])
            }).pipe(Effect.scoped),
          // A guard against a hang, not a bound on the run: a loaded machine may take minutes.
          600_000
        )
    })
}
