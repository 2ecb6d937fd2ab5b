/**
 * Promise 2: the CLI migration (`unisequence migrate --from kit --to apollo --journal J --yes`), the
 * installed executable as a process, killed with SIGKILL at 20 seeded random points,
 * then run again with the same journal, ends identical to an uninterrupted run with no duplicate. A
 * journal whose last entry was cut short (a crash during the write) is recovered, not fatal. The
 * killed run leaves its lease on the journal: the rerun takes it over. All of it on every journal
 * backend: a JSON-lines file (20 points), SQLite and PostgreSQL (6 each); half the trials against the documented
 * simulators, half against the observed ones, and every request (and documented answer) valid under
 * the providers' documents.
 *
 * The simulators run in this process, so their state outlives the child; the kill point is a
 * number of requests the simulators have received. What needs no killing (the uninterrupted run, the
 * rerun) runs the same command in this process.
 *
 * Shared by `crash.test.ts` (the file journal) and `crash-sql.test.ts` (SQLite and PostgreSQL), so
 * that Vitest runs them side by side.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Journal } from "@unisequence/core"
import type { ApolloSimulator } from "@unisequence/testing"
import { Effect, Random } from "effect"
import { afterAll, afterEach, beforeAll, expect, it } from "vitest"
import { buildCli, type CliResult, migrateArgs, runCli, runInProcess } from "./cli.js"
import { contractLine, expectDocumented, type Profile } from "./contract.js"
import { type BackendName, describeEachBackend } from "./journals.js"
import { type Lane, startLane } from "./lanes.js"
import { kitSeed } from "./support.js"

const SEQUENCES = 6
const STEPS = 5
/**
 * Kill points per journal backend: the promise's 20 on the file journal (the CLI's own); each SQL
 * backend goes through the same kill, takeover, cut-entry and rerun paths at fewer points.
 */
const KILLS_OF: Readonly<Record<BackendName, number>> = { file: 20, sqlite: 6, postgres: 6 }
/** Trials run two at a time, each lane on its own pair of simulators: one per profile. */
const PROFILES: ReadonlyArray<Profile> = ["documented", "observed"]

/** Apollo's state without ids and timestamps: what "identical" means. */
const normalise = (state: ApolloSimulator.Snapshot) =>
  state.sequences
    .map((s) => ({
      name: s.name,
      archived: s.archived,
      active: s.active,
      schedule: s.emailer_schedule_id,
      steps: s.emailer_steps.map((step) => ({
        position: step.position,
        type: step.type,
        wait: `${step.wait_time} ${step.wait_mode}`,
        touches: step.emailer_touches.map((t) => ({
          type: t.type,
          status: t.status,
          subject: t.emailer_template.subject,
          body: t.emailer_template.body_html
        }))
      }))
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

/** The crash-and-resume tests on each of the journal backends `names`. */
export const crashSuite = (names: ReadonlyArray<BackendName>) => {
  let bin = ""
  let dir = ""
  const lanes: Array<Lane> = []

  beforeAll(async () => {
    bin = await buildCli()
    dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-crash-"))
    for (const profile of PROFILES) lanes.push(await startLane(profile, kitSeed(SEQUENCES, STEPS)))
  }, 120_000)

  afterAll(async () => {
    for (const lane of lanes) await lane.close()
    if (dir !== "") NodeFs.rmSync(dir, { recursive: true, force: true })
  })

  const migrate = (journal: string) => migrateArgs(journal)

  /** Stops the running test's remaining trials. */
  let stop = () => {}
  afterEach(() => stop())

  /** What must hold after a run that ended: exit 0, and its output when not. */
  const succeeded = (run: CliResult) => expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)

  describeEachBackend(
    "crash and resume (CLI, SIGKILL)",
    () => dir,
    names,
    (backendName, backend) => {
      const KILLS = KILLS_OF[backendName]
      it(`killed at ${KILLS} seeded random points, each rerun with the journal ends identical to an uninterrupted run; a killed run's lease is taken over`, async () => {
        const journals = backend()
        const started = Date.now()
        const cpu = process.cpuUsage()
        // The uninterrupted run on each lane: what every interrupted one there must end as.
        const baselines = await Promise.all(
          lanes.map(async (lane) => {
            lane.begin()
            const uninterrupted = await runInProcess(
              migrate(await journals.fresh(`baseline_${lane.profile}`)),
              lane.env
            )
            succeeded(uninterrupted)
            const expected = normalise(lane.apollo.state())
            expect(expected).toHaveLength(SEQUENCES)
            expect(expected.every((s) => !s.active && s.steps.length === STEPS)).toBe(true)
            return { total: lane.requests(), expected, ms: uninterrupted.ms }
          })
        )

        // Trial i runs on lane i mod 2, killed after a seeded share of that lane's uninterrupted requests.
        const random = Random.make(2026)
        const points = Array.from({ length: KILLS }, (_, index) => {
          const total = baselines[index % lanes.length]!.total
          return 1 + Math.floor(Effect.runSync(random.next) * (total - 1))
        })
        const outcomes: Array<{
          point: number
          killed: boolean
          truncated: boolean
          takenOver: boolean
          duplicates: number
          ms: number
        }> = []

        const trial = async (lane: Lane, index: number) => {
          const point = points[index]!
          const { expected } = baselines[index % lanes.length]!
          lane.fresh()
          const journal = await journals.fresh(`trial_${index}`)
          const t0 = Date.now()
          const killed = await runCli(bin, migrate(journal), {
            env: lane.env,
            cwd: dir,
            killWhen: () => lane.requests() >= point
          })
          // A run killed while holding the journal leaves its lease: the rerun must take it over.
          const leaseLeft = killed.signal === "SIGKILL" && (await journals.leaseLeft(journal))
          // Half the trials, on both lanes (1, 2, 5, 6, 9, 10, …), were killed while writing a journal
          // entry: half of one more is there (when the run had written one).
          const truncated = (index >> 1) % 2 !== index % 2 && (await journals.cut(journal))
          const rerun = await runInProcess(migrate(journal), lane.env)
          succeeded(rerun)
          const state = lane.apollo.state()
          const names = state.sequences.map((s) => s.name)
          const duplicates = names.length - new Set(names).size
          expect(normalise(state), `kill point ${point}`).toEqual(expected)
          expect(duplicates).toBe(0)
          // The journal ends with every sequence verified.
          const entries = Journal.latest(await journals.entries(journal))
          expect([...entries.values()].filter((e) => e.state === "verified")).toHaveLength(SEQUENCES)
          // The rerun released the journal when it ended.
          expect(await journals.leaseLeft(journal)).toBe(false)
          outcomes.push({
            point,
            killed: killed.signal === "SIGKILL",
            truncated,
            takenOver: leaseLeft,
            duplicates,
            ms: Date.now() - t0
          })
        }

        // Each lane takes its trials in turn; the first failure stops both.
        let failed = false
        // A test that timed out must not leave its trials running into the next backend's.
        stop = () => {
          failed = true
        }
        await Promise.all(
          lanes.map(async (lane, l) => {
            for (let index = l; index < KILLS && !failed; index += lanes.length)
              await trial(lane, index).catch((error: unknown) => {
                failed = true
                throw error
              })
          })
        )
        const checked = lanes.map((lane) =>
          expectDocumented(lane.profile, { kit: [lane.kitLog], apollo: [lane.apolloLog] })
        )

        const killed = outcomes.filter((o) => o.killed).length
        console.log(
          `[crash] journal ${backendName}: ${SEQUENCES} sequences × ${STEPS} emails, uninterrupted runs ` +
            `${baselines.map((b, l) => `${b.total} requests in ${b.ms} ms (${lanes[l]!.profile})`).join(", ")}; ` +
            `${KILLS} kill points ${points.join(",")}; ${killed} killed mid-run, ` +
            `${outcomes.filter((o) => o.takenOver).length} leases taken over, ` +
            `${outcomes.filter((o) => o.truncated).length} journals cut mid-entry; ` +
            `${outcomes.reduce((n, o) => n + o.duplicates, 0)} duplicates; all ${outcomes.length} reruns identical; ` +
            `${checked.map((c, l) => `${lanes[l]!.profile}: ${contractLine(c)}`).join("; ")}; ${Date.now() - started} ms (${Math.round((({ user, system }) => user + system)(process.cpuUsage(cpu)) / 1000)} ms of CPU in this process)`
        )
        expect(outcomes).toHaveLength(KILLS)
        expect(killed).toBeGreaterThanOrEqual(KILLS - 2)
        // Killed before the run journalled anything, a trial has no entry to cut: most have one.
        expect(outcomes.filter((o) => o.truncated).length).toBeGreaterThanOrEqual(KILLS >= 20 ? 3 : 1)
        expect(outcomes.filter((o) => o.takenOver).length).toBeGreaterThanOrEqual(killed - 2)
      }, 180_000)

      if (backendName === "file")
        it("a journal cut short inside its only line is recovered, and a rerun after success writes nothing", async () => {
          const lane = lanes[0]!
          lane.begin()
          const journal = NodePath.join(dir, "cut.jsonl")
          NodeFs.writeFileSync(journal, '{"v":1,"key":"1","state":"crea')
          succeeded(await runInProcess(migrate(journal), lane.env))
          expect(normalise(lane.apollo.state())).toHaveLength(SEQUENCES)
          lane.apollo.clearLog()
          succeeded(await runInProcess(migrate(journal), lane.env))
          expect(lane.apollo.requests.filter((r) => r.method !== "GET" && r.operation !== "search")).toEqual(
            []
          )
          expectDocumented(lane.profile, { kit: [lane.kitLog], apollo: [lane.apolloLog] })
        }, 60_000)
    }
  )
}
