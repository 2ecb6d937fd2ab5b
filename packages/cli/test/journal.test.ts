/**
 * Journals that don't lie, at the command line: a journal records what a run did, and never makes a
 * plan say "nothing to do" when the target lacks or differs from what it would write. Run in-process
 * with `Cli.run` against the simulators over real HTTP.
 */
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { defaultJournal } from "../src/commands/migrate.js"
import { type Ran, runCli, writeOnboarding } from "./run.js"
import { kitSeed } from "../src/demo/seed.js"
import type { Settings } from "../src/internal/settings.js"
import { Option, Redacted } from "effect"

const kitKey = "kit_journal_key_0c4e1d"
const apolloKey = "apollo_journal_key_9a7f3b"

const cli = runCli

const json = (ran: Ran): unknown => {
  try {
    return JSON.parse(ran.stdout)
  } catch {
    throw new Error(`not JSON (exit ${ran.code}):\n${ran.stdout}\n${ran.stderr}`)
  }
}

const at = (value: unknown, ...path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>(
    (v, key) => (typeof v === "object" && v !== null ? Reflect.get(v, key) : undefined),
    value
  )

const writes = (requests: ReadonlyArray<{ readonly method: string; readonly path: string }>) =>
  requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/emailer_campaigns/search"))

let tmp: string
let cwd: string
const sims: Array<{ close(): Promise<void> }> = []
const track = <A extends { close(): Promise<void> }>(sim: A): A => {
  sims.push(sim)
  return sim
}

beforeAll(() => {
  tmp = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-journal-"))
  // The default journal is a relative path (`.unisequence/…`): runs here keep it out of the repository.
  cwd = process.cwd()
  process.chdir(tmp)
})

afterAll(async () => {
  process.chdir(cwd)
  await Promise.all(sims.map((s) => s.close()))
  NodeFs.rmSync(tmp, { recursive: true, force: true })
})

const file = (name: string) => writeOnboarding(NodePath.join(tmp, name))

/** The user, in Kit: edits the second email's subject and deletes the third. */
const handEdit = async (kit: KitSimulator.KitSimulator) => {
  const sequence = kit.state().sequences.find((s) => s.name === "Onboarding")!
  const [, second, third] = sequence.emails
  const headers = { "X-Kit-Api-Key": kitKey, "Content-Type": "application/json" }
  const base = `${kit.url}/v4/sequences/${sequence.id}/emails`
  const edited = await fetch(`${base}/${second!.id}`, {
    method: "PUT",
    headers,
    body: JSON.stringify({ subject: "Tips (edited by hand)" })
  })
  expect(edited.status).toBe(200)
  const deleted = await fetch(`${base}/${third!.id}`, { method: "DELETE", headers })
  expect(deleted.status).toBe(204)
  expect(kit.state().sequences[0]!.emails.map((e) => e.subject)).toEqual(["Hello", "Tips (edited by hand)"])
}

const onboarding = (kit: KitSimulator.KitSimulator) =>
  kit
    .state()
    .sequences.filter((s) => s.name === "Onboarding")
    .map((s) => s.emails.map((e) => [e.subject, e.delay_value, e.delay_unit]))

describe("apply --journal: the target is the truth", () => {
  it("a hand-edited subject and a deleted email are repaired with --journal, as without it", async () => {
    const results: Array<unknown> = []
    for (const withJournal of [true, false]) {
      const kit = track(await KitSimulator.startAsync({ apiKeys: [kitKey] }))
      const env = { KIT_BASE_URL: kit.url, KIT_API_KEY: kitKey }
      const path = file(`onboarding-${withJournal}.json`)
      const journal = withJournal ? ["--journal", NodePath.join(tmp, "apply.jsonl")] : []
      const args = ["apply", "-f", path, "--provider", "kit", ...journal, "--json"]

      const first = await cli(args, env)
      expect(first.code, first.stderr).toBe(0)
      expect(at(json(first), "result", "counts")).toMatchObject({ created: 1, verified: 1 })
      const created = onboarding(kit)

      await handEdit(kit)
      kit.clearLog()
      const again = await cli(args, env)
      expect(again.code, again.stderr).toBe(0)
      const doc = json(again)
      expect(at(doc, "plan", "sequences", 0, "action")).toBe("update")
      expect(at(doc, "result", "counts")).toMatchObject({ updated: 1, verified: 1, differs: 0 })
      // The plan read the target again, and the run put back exactly what the file says.
      expect(kit.requests.some((r) => r.method === "GET" && /\/emails$/.test(r.path))).toBe(true)
      expect(writes(kit.requests).length).toBeGreaterThanOrEqual(2)
      expect(onboarding(kit)).toEqual(created)
      results.push(onboarding(kit))

      kit.clearLog()
      const third = await cli(args, env)
      expect(third.code).toBe(0)
      expect(at(json(third), "plan", "sequences", 0, "action")).toBe("unchanged")
      expect(writes(kit.requests)).toEqual([])
    }
    expect(results[0]).toEqual(results[1])
  })
})

describe("migrate's default journal", () => {
  const settings = (key: string, baseUrl = "https://api.apollo.io"): Settings => ({
    provider: "apollo",
    apiKey: Option.some(Redacted.make(key)),
    baseUrl
  })
  const kit: Settings = {
    provider: "kit",
    apiKey: Option.some(Redacted.make("kit_a")),
    oauthToken: Option.none(),
    baseUrl: "https://api.kit.com"
  }

  it("is one per account: another key behind the same URL gets its own, and no key is in the name", () => {
    const one = defaultJournal(kit, settings("apollo_account_one"))
    expect(defaultJournal(kit, settings("apollo_account_one"))).toBe(one)
    expect(defaultJournal(kit, settings("apollo_account_two"))).not.toBe(one)
    expect(defaultJournal(kit, settings("apollo_account_one", "http://127.0.0.1:4000"))).not.toBe(one)
    expect(one).toMatch(/^\.unisequence[\\/]migrate-kit-to-apollo-[0-9a-f]{10}\.jsonl$/)
    expect(one).not.toContain("apollo_account_one")
    expect(one).not.toContain("kit_a")
  })

  it("an emptied target account gets its sequences again, not 'nothing to do'", async () => {
    const kit = track(await KitSimulator.startAsync({ apiKeys: [kitKey], seed: kitSeed }))
    const apollo = track(
      await ApolloSimulator.startAsync({ quirks: { readOneSequence: true }, masterKeys: [apolloKey] })
    )
    const env = {
      KIT_BASE_URL: kit.url,
      KIT_API_KEY: kitKey,
      APOLLO_BASE_URL: apollo.url,
      APOLLO_API_KEY: apolloKey
    }
    const args = ["migrate", "--from", "kit", "--to", "apollo", "--yes", "--json"]

    const first = await cli(args, env)
    expect(first.code, first.stderr).toBe(0)
    expect(at(json(first), "result", "counts")).toMatchObject({ created: 4, verified: 4 })
    const journals = NodeFs.readdirSync(NodePath.join(tmp, ".unisequence"))
    expect(journals).toHaveLength(1)

    // The account is emptied (everything archived and gone, as a reset leaves it).
    apollo.reset()
    expect(apollo.state().sequences).toEqual([])
    const again = await cli(args, env)
    expect(again.code, again.stderr).toBe(0)
    const doc = json(again)
    expect(at(doc, "applied")).toBe(true)
    const actions = at(doc, "plan", "sequences")
    expect(Array.isArray(actions) && actions.map((s) => at(s, "action"))).toEqual([
      "create",
      "create",
      "create",
      "create"
    ])
    expect(again.stdout).not.toContain("nothing to do")
    expect(at(doc, "result", "counts")).toMatchObject({ created: 4, verified: 4 })
    expect(
      apollo
        .state()
        .sequences.map((s) => s.name)
        .sort()
    ).toEqual(kitSeed.sequences?.map((s) => s.name).sort())
    // The same journal served both runs: the account's own.
    expect(NodeFs.readdirSync(NodePath.join(tmp, ".unisequence"))).toEqual(journals)
  })
})
