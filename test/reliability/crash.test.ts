/**
 * Promise 2: the CLI migration (`unisequence migrate --from kit --to apollo --journal J --yes`)
 * killed with SIGKILL at 20 seeded random points, then run again with the same journal, ends
 * identical to an uninterrupted run with no duplicate. A journal whose last entry was cut short (a
 * crash during the write) is recovered, not fatal. The killed run leaves its lease on the journal:
 * the rerun takes it over. All of it on every journal backend: a JSON-lines file, SQLite and
 * PostgreSQL.
 *
 * The simulators run in this process, so their state outlives the child; the kill point is a
 * number of requests the simulators have received.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Journal } from "@unisequence/core"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { buildCli, migrateArgs, runCli } from "./cli.js"
import * as JournalBackends from "./journals.js"
import { backendNames } from "./journals.js"
import { APOLLO_KEY, KIT_KEY, kitSeed } from "./support.js"

const SEQUENCES = 8
const STEPS = 5
const KILLS = 20
/** Trials run two at a time, each on its own pair of simulators. */
const LANES = 2

/** mulberry32: the kill points repeat from run to run. */
const seeded = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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

interface Lane {
  readonly kit: KitSimulator.KitSimulator
  readonly apollo: ApolloSimulator.ApolloSimulator
  readonly requests: () => number
  readonly env: Record<string, string>
}

let bin = ""
let dir = ""
const lanes: Array<Lane> = []

beforeAll(async () => {
  bin = await buildCli()
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-crash-"))
  for (let i = 0; i < LANES; i++) {
    const kit = await KitSimulator.startAsync({
      apiKeys: [KIT_KEY],
      rateLimit: false,
      seed: kitSeed(SEQUENCES, STEPS)
    })
    const apollo = await ApolloSimulator.startAsync({
      quirks: { readOneSequence: true },
      rateLimit: false
    })
    lanes.push({
      kit,
      apollo,
      requests: () => kit.requests.length + apollo.requests.length,
      env: {
        KIT_API_KEY: KIT_KEY,
        KIT_BASE_URL: kit.url,
        APOLLO_API_KEY: APOLLO_KEY,
        APOLLO_BASE_URL: apollo.url
      }
    })
  }
}, 60_000)

afterAll(async () => {
  for (const lane of lanes) {
    await lane.kit.close()
    await lane.apollo.close()
  }
  if (dir !== "") NodeFs.rmSync(dir, { recursive: true, force: true })
  if (bin !== "") NodeFs.rmSync(NodePath.dirname(bin), { recursive: true, force: true })
})

const migrate = (journal: string) => migrateArgs(journal)

/** Stops the running test's remaining trials. */
let stop = () => {}
afterEach(() => stop())

const fresh = (lane: Lane) => {
  lane.kit.reset()
  lane.kit.clearLog()
  lane.apollo.reset()
}

for (const backendName of backendNames)
  describe(`crash and resume (CLI, SIGKILL), journal: ${backendName}`, () => {
    let backend: JournalBackends.Backend | undefined
    beforeAll(async () => {
      backend = await JournalBackends.make(
        backendName,
        NodeFs.mkdtempSync(NodePath.join(dir, `${backendName}-`))
      )
    }, 120_000)
    afterAll(async () => {
      await backend?.close()
    })

    it(`killed at ${KILLS} seeded random points, each rerun with the journal ends identical to an uninterrupted run; a killed run's lease is taken over`, async () => {
      const journals = backend!
      const started = Date.now()
      // The uninterrupted run: what every interrupted one must end as.
      const base = lanes[0]!
      fresh(base)
      const baselineJournal = await journals.fresh("baseline")
      const uninterrupted = await runCli(bin, migrate(baselineJournal), { env: base.env, cwd: dir })
      expect(uninterrupted.code, uninterrupted.stderr).toBe(0)
      const total = base.requests()
      const expected = normalise(base.apollo.state())
      expect(expected).toHaveLength(SEQUENCES)
      expect(expected.every((s) => !s.active && s.steps.length === STEPS)).toBe(true)

      const random = seeded(2026)
      const points = Array.from({ length: KILLS }, () => 1 + Math.floor(random() * (total - 1)))
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
        fresh(lane)
        const journal = await journals.fresh(`trial_${index}`)
        const t0 = Date.now()
        const killed = await runCli(bin, migrate(journal), {
          env: lane.env,
          cwd: dir,
          killWhen: () => lane.requests() >= point
        })
        // A run killed while holding the journal leaves its lease: the rerun must take it over.
        const leaseLeft = killed.signal === "SIGKILL" && (await journals.leaseLeft(journal))
        // Every other trial was killed while writing a journal entry: half of one more is there.
        const truncated = index % 2 === 1 && (await journals.cut(journal))
        const rerun = await runCli(bin, migrate(journal), { env: lane.env, cwd: dir })
        expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0)
        const state = lane.apollo.state()
        const actual = normalise(state)
        const names = state.sequences.map((s) => s.name)
        const duplicates = names.length - new Set(names).size
        expect(actual, `kill point ${point}`).toEqual(expected)
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

      // Lanes take trials in turn; the first failure stops both.
      let next = 0
      let failed = false
      // A test that timed out must not leave its trials running into the next backend's.
      stop = () => {
        failed = true
      }
      await Promise.all(
        lanes.map(async (lane) => {
          while (next < KILLS && !failed) {
            const index = next++
            await trial(lane, index).catch((error: unknown) => {
              failed = true
              throw error
            })
          }
        })
      )

      const killed = outcomes.filter((o) => o.killed).length
      console.log(
        `[crash] journal ${backendName}: ${SEQUENCES} sequences × ${STEPS} emails, uninterrupted run ${total} requests in ${uninterrupted.ms} ms; ` +
          `${KILLS} kill points ${[...points].sort((a, b) => a - b).join(",")}; ${killed} killed mid-run, ` +
          `${outcomes.filter((o) => o.takenOver).length} leases taken over, ` +
          `${outcomes.filter((o) => o.truncated).length} journals cut mid-entry; ` +
          `${outcomes.reduce((n, o) => n + o.duplicates, 0)} duplicates; all ${outcomes.length} reruns identical; ${Date.now() - started} ms`
      )
      expect(outcomes).toHaveLength(KILLS)
      expect(killed).toBeGreaterThanOrEqual(KILLS - 2)
      expect(outcomes.filter((o) => o.truncated).length).toBeGreaterThanOrEqual(3)
      expect(outcomes.filter((o) => o.takenOver).length).toBeGreaterThanOrEqual(killed - 2)
    }, 180_000)

    if (backendName === "file")
      it("a journal cut short inside its only line is recovered, and a rerun after success writes nothing", async () => {
        const lane = lanes[0]!
        fresh(lane)
        const journal = NodePath.join(dir, "cut.jsonl")
        NodeFs.writeFileSync(journal, '{"v":1,"key":"1","state":"crea')
        const first = await runCli(bin, migrate(journal), { env: lane.env, cwd: dir })
        expect(first.code, first.stderr).toBe(0)
        expect(normalise(lane.apollo.state())).toHaveLength(SEQUENCES)
        lane.apollo.clearLog()
        const again = await runCli(bin, migrate(journal), { env: lane.env, cwd: dir })
        expect(again.code, again.stderr).toBe(0)
        expect(lane.apollo.requests.filter((r) => r.method !== "GET" && r.operation !== "search")).toEqual([])
      }, 60_000)
  })
