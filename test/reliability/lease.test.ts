/**
 * Runs never collide: on every journal backend (a JSON-lines file, SQLite, PostgreSQL), two
 * `unisequence migrate` processes started at once on one journal end with one writer and no
 * duplicate, the other told who holds the journal since when; and a holder killed mid-run is taken
 * over by the next run, which finishes the work.
 *
 * Kit is reached through a gate that holds every request until the test opens it, so that the first
 * run is still at work when the second asks for the journal, however loaded the machine is. The first
 * test runs against the documented simulators, the second against the observed ones; each checks its
 * own requests (and documented answers) against the providers' documents.
 */
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Journal } from "@unisequence/core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { buildCli, migrateArgs, runCli, runInProcess } from "./cli.js"
import { contractLine, expectDocumented } from "./contract.js"
import { backendNames, describeEachBackend } from "./journals.js"
import { type Lane, startLane } from "./lanes.js"
import { kitSeed } from "./support.js"

const SEQUENCES = 6
const STEPS = 3

interface Gate {
  readonly url: string
  readonly open: () => void
  readonly close: () => Promise<void>
}

/** An HTTP proxy to `target` that holds every request until `open()`. */
const gate = (target: string): Promise<Gate> =>
  new Promise((resolve) => {
    let isOpen = false
    const held: Array<() => void> = []
    const server = NodeHttp.createServer((req, res) => {
      const forward = () => {
        const upstream = NodeHttp.request(
          new URL(req.url ?? "/", target),
          { method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          }
        )
        upstream.on("error", () => res.destroy())
        req.pipe(upstream)
      }
      if (isOpen) forward()
      else held.push(forward)
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        open: () => {
          isOpen = true
          for (const forward of held.splice(0)) forward()
        },
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

let bin = ""
let dir = ""
let documented: Lane | undefined
let observed: Lane | undefined

beforeAll(async () => {
  bin = await buildCli()
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-lease-"))
  documented = await startLane("documented", kitSeed(SEQUENCES, STEPS))
  observed = await startLane("observed", kitSeed(SEQUENCES, STEPS))
}, 60_000)

afterAll(async () => {
  await documented?.close()
  await observed?.close()
  if (dir !== "") NodeFs.rmSync(dir, { recursive: true, force: true })
})

/** Apollo's sequences by name: every one once. */
const duplicatesIn = (lane: Lane) => {
  const names = lane.apollo.state().sequences.map((s) => s.name)
  return { count: names.length, duplicates: names.length - new Set(names).size }
}

const figures: Array<string> = []

describeEachBackend(
  "one run at a time",
  () => dir,
  backendNames,
  (backendName, backend) => {
    /** After the run that wrote: every sequence once, all verified, the journal released, the documents kept. */
    const finished = async (lane: Lane, journal: string) => {
      const apolloState = duplicatesIn(lane)
      expect(apolloState).toEqual({ count: SEQUENCES, duplicates: 0 })
      const entries = Journal.latest(await backend().entries(journal))
      expect([...entries.values()].filter((e) => e.state === "verified")).toHaveLength(SEQUENCES)
      expect(await backend().leaseLeft(journal)).toBe(false)
      const checked = expectDocumented(lane.profile, { kit: [lane.kitLog], apollo: [lane.apolloLog] })
      return `${apolloState.count} sequences, ${apolloState.duplicates} duplicates; ${contractLine(checked)}`
    }

    it("two runs started at once on one journal: one writes, the other is told who holds it; no duplicate (documented simulators)", async () => {
      const lane = documented!
      lane.begin()
      const journal = await backend().fresh("at_once")
      const door = await gate(lane.kit.url)
      try {
        const env = { ...lane.env, KIT_BASE_URL: door.url }
        const runs = [0, 1].map((i) =>
          runCli(bin, migrateArgs(journal), { env, cwd: dir, limitMs: 120_000 }).then((result) => ({
            i,
            result
          }))
        )
        // Nothing reaches Kit yet: the run that gives up does so while the other holds the journal.
        const first = await Promise.race(runs)
        expect(first.result.code, `${first.result.stdout}\n${first.result.stderr}`).toBe(5)
        expect(first.result.stderr).toMatch(
          /is in use by another run, process \d+ on .+, since \d{4}-\d\d-\d\dT/
        )
        expect(first.result.stdout).not.toContain("Migrating")
        door.open()
        const second = (await runs[1 - first.i]!).result
        expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0)
        figures.push(
          `${backendName}, ${lane.profile}: 2 runs at once → 1 writer (exit 0), 1 refused (exit 5, JournalBusy); ${await finished(lane, journal)}`
        )
      } finally {
        await door.close()
      }
    }, 180_000)

    it("a holder killed mid-run is taken over by the next run, which finishes the work with no duplicate (observed simulators)", async () => {
      const lane = observed!
      lane.begin()
      const journal = await backend().fresh("killed_holder")
      const env = lane.env
      // Killed mid-run: once it has written to Apollo (a run holds its journal until it ends).
      const killed = await runCli(bin, migrateArgs(journal), {
        env,
        cwd: dir,
        killWhen: () => lane.apollo.requests.filter((r) => r.method !== "GET").length >= 4,
        limitMs: 120_000
      })
      expect(killed.signal).toBe("SIGKILL")
      expect(await backend().leaseLeft(journal)).toBe(true)
      const written = (await backend().entries(journal)).length
      expect(written).toBeGreaterThan(0)
      // The next run needs no killing: the same command, in this process.
      const next = await runInProcess(migrateArgs(journal), env)
      expect(next.code, `${next.stdout}\n${next.stderr}`).toBe(0)
      expect(`${next.stdout}${next.stderr}`).toContain("took over the lease of process")
      figures.push(
        `${backendName}, ${lane.profile}: holder killed after ${written} journal entries → taken over by the next run (exit 0); ${await finished(lane, journal)}`
      )
    }, 180_000)
  }
)

afterAll(() => {
  if (figures.length > 0) console.log(`[lease]\n  ${figures.join("\n  ")}`)
})
