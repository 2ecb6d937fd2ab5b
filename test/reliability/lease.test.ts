/**
 * Runs never collide: on every journal backend (a JSON-lines file, SQLite, PostgreSQL), two
 * `unisequence migrate` processes started at once on one journal end with one writer and no
 * duplicate, the other told who holds the journal since when; and a holder killed mid-run is taken
 * over by the next run, which finishes the work.
 *
 * Kit is reached through a gate that holds every request until the test opens it, so that the first
 * run is still at work when the second asks for the journal, however loaded the machine is.
 */
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Journal } from "@unisequence/core"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { buildCli, migrateArgs, runCli } from "./cli.js"
import * as JournalBackends from "./journals.js"
import { APOLLO_KEY, KIT_KEY, kitSeed } from "./support.js"

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
let kit: KitSimulator.KitSimulator | undefined
let apollo: ApolloSimulator.ApolloSimulator | undefined

beforeAll(async () => {
  bin = await buildCli()
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-lease-"))
  kit = await KitSimulator.startAsync({
    apiKeys: [KIT_KEY],
    rateLimit: false,
    seed: kitSeed(SEQUENCES, STEPS)
  })
  apollo = await ApolloSimulator.startAsync({ quirks: { readOneSequence: true }, rateLimit: false })
}, 60_000)

afterAll(async () => {
  await kit?.close()
  await apollo?.close()
  if (dir !== "") NodeFs.rmSync(dir, { recursive: true, force: true })
  if (bin !== "") NodeFs.rmSync(NodePath.dirname(bin), { recursive: true, force: true })
})

const envVia = (door: Gate) => ({
  KIT_API_KEY: KIT_KEY,
  KIT_BASE_URL: door.url,
  APOLLO_API_KEY: APOLLO_KEY,
  APOLLO_BASE_URL: apollo!.url
})

/** Apollo's sequences by name: every one once. */
const duplicatesInApollo = () => {
  const names = apollo!.state().sequences.map((s) => s.name)
  return { count: names.length, duplicates: names.length - new Set(names).size }
}

const figures: Array<string> = []

for (const backendName of JournalBackends.backendNames)
  describe(`one run at a time, journal: ${backendName}`, () => {
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

    it("two runs started at once on one journal: one writes, the other is told who holds it; no duplicate", async () => {
      kit!.reset()
      apollo!.reset()
      const journal = await backend!.fresh("at_once")
      const door = await gate(kit!.url)
      try {
        const env = envVia(door)
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
        const apolloState = duplicatesInApollo()
        expect(apolloState).toEqual({ count: SEQUENCES, duplicates: 0 })
        const entries = Journal.latest(await backend!.entries(journal))
        expect([...entries.values()].filter((e) => e.state === "verified")).toHaveLength(SEQUENCES)
        expect(await backend!.leaseLeft(journal)).toBe(false)
        figures.push(
          `${backendName}: 2 runs at once → 1 writer (exit 0), 1 refused (exit 5, JournalBusy); ${apolloState.count} sequences, ${apolloState.duplicates} duplicates`
        )
      } finally {
        await door.close()
      }
    }, 180_000)

    it("a holder killed mid-run is taken over by the next run, which finishes the work with no duplicate", async () => {
      kit!.reset()
      apollo!.reset()
      apollo!.clearLog()
      const journal = await backend!.fresh("killed_holder")
      const env = {
        KIT_API_KEY: KIT_KEY,
        KIT_BASE_URL: kit!.url,
        APOLLO_API_KEY: APOLLO_KEY,
        APOLLO_BASE_URL: apollo!.url
      }
      // Killed mid-run: once it has written to Apollo (a run holds its journal until it ends).
      const killed = await runCli(bin, migrateArgs(journal), {
        env,
        cwd: dir,
        killWhen: () => apollo!.requests.filter((r) => r.method !== "GET").length >= 4,
        limitMs: 120_000
      })
      expect(killed.signal).toBe("SIGKILL")
      expect(await backend!.leaseLeft(journal)).toBe(true)
      const written = (await backend!.entries(journal)).length
      expect(written).toBeGreaterThan(0)
      const next = await runCli(bin, migrateArgs(journal), { env, cwd: dir, limitMs: 120_000 })
      expect(next.code, `${next.stdout}\n${next.stderr}`).toBe(0)
      expect(`${next.stdout}${next.stderr}`).toContain("took over the lease of process")
      const apolloState = duplicatesInApollo()
      expect(apolloState).toEqual({ count: SEQUENCES, duplicates: 0 })
      const entries = Journal.latest(await backend!.entries(journal))
      expect([...entries.values()].filter((e) => e.state === "verified")).toHaveLength(SEQUENCES)
      expect(await backend!.leaseLeft(journal)).toBe(false)
      figures.push(
        `${backendName}: holder killed after ${written} journal entries → taken over by the next run (exit 0); ${apolloState.count} sequences, ${apolloState.duplicates} duplicates`
      )
    }, 180_000)
  })

afterAll(() => {
  if (figures.length > 0) console.log(`[lease]\n  ${figures.join("\n  ")}`)
})
