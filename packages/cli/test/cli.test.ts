/**
 * The `unisequence` command end to end, run in-process with `Cli.run` (its output and exit code
 * captured through the run's options), pointed at Kit and Apollo simulators over real HTTP through
 * `KIT_BASE_URL` / `APOLLO_BASE_URL` given as the run's configuration. The executable itself, as a
 * process, is run in `bin.test.ts`, bundled as it is installed.
 */
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Ran, runCli, writeOnboarding } from "./run.js"
import { kitSeed } from "../src/demo/seed.js"

const kitKey = "kit_secret_key_5f1c9a"
const kitBadKey = "kit_wrong_key_77d3e0"
const apolloKey = "apollo_secret_key_2b8e41"
const secrets = [kitKey, kitBadKey, apolloKey]

const transcripts: Array<Ran> = []

/** One run of the command with exactly `env` as its environment, as a process would have it. */
const cli = async (args: ReadonlyArray<string>, env: Record<string, string>): Promise<Ran> => {
  const ran = await runCli(args, env)
  transcripts.push(ran)
  return ran
}

/** Reads a field path of a JSON document (`undefined` when absent), for field-by-field assertions. */
const at = (value: unknown, ...path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>(
    (v, key) => (typeof v === "object" && v !== null ? Reflect.get(v, key) : undefined),
    value
  )
const list = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [])

const json = (ran: Ran): unknown => {
  try {
    return JSON.parse(ran.stdout)
  } catch {
    throw new Error(`not JSON (exit ${ran.code}):\n${ran.stdout}\n${ran.stderr}`)
  }
}

const envFor = (kit: KitSimulator.KitSimulator, apollo: ApolloSimulator.ApolloSimulator) => ({
  KIT_BASE_URL: kit.url,
  APOLLO_BASE_URL: apollo.url,
  KIT_API_KEY: kitKey,
  APOLLO_API_KEY: apolloKey
})

const startKit = (seed: KitSimulator.Seed = {}) => KitSimulator.startAsync({ apiKeys: [kitKey], seed })
const startApollo = (seed: ApolloSimulator.Seed = {}) =>
  ApolloSimulator.startAsync({ quirks: { readOneSequence: true }, masterKeys: [apolloKey], seed })

const writes = (requests: ReadonlyArray<{ readonly method: string; readonly path: string }>) =>
  requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/emailer_campaigns/search"))

let tmp: string
const sims: Array<{ close(): Promise<void> }> = []

beforeAll(() => {
  tmp = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-cli-"))
})

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()))
  NodeFs.rmSync(tmp, { recursive: true, force: true })
})

const track = <A extends { close(): Promise<void> }>(sim: A): A => {
  sims.push(sim)
  return sim
}

describe.concurrent("reading", () => {
  let kit: KitSimulator.KitSimulator
  let apollo: ApolloSimulator.ApolloSimulator
  beforeAll(async () => {
    kit = track(await startKit(kitSeed))
    apollo = track(await startApollo())
  })

  it("list prints a table, and --json the summaries", async () => {
    const [text, doc] = await Promise.all([
      cli(["list", "--provider", "kit"], envFor(kit, apollo)),
      cli(["list", "--provider", "kit", "--json"], envFor(kit, apollo))
    ])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/ID\s+NAME\s+ACTIVE\s+STEPS/)
    expect(text.stdout).toContain("Evergreen newsletter")
    expect(doc.code).toBe(0)
    const listed = json(doc)
    expect(at(listed, "provider")).toBe("kit")
    expect(list(at(listed, "sequences")).map((s) => at(s, "name"))).toEqual([
      "Welcome series",
      "Trial nurture (hourly)",
      "Evergreen newsletter",
      "Win-back"
    ])
  })

  it("show prints one sequence with its steps; an unknown id exits 4 with one error line", async () => {
    const [shown, missing] = await Promise.all([
      cli(["show", "1", "--provider", "kit", "--json"], envFor(kit, apollo)),
      cli(["show", "999", "--provider", "kit"], envFor(kit, apollo))
    ])
    expect(shown.code).toBe(0)
    const sequence = at(json(shown), "sequence")
    expect(at(sequence, "name")).toBe("Welcome series")
    expect(list(at(sequence, "steps"))).toHaveLength(4)
    expect(at(sequence, "steps", 2, "sendDays")).toEqual(["tuesday", "thursday"])
    expect(at(sequence, "steps", 3, "published")).toBe(false)
    expect(at(sequence, "raw")).toBeUndefined()
    expect(missing.code).toBe(4)
    expect(missing.stdout).toBe("")
    expect(missing.stderr.trim().split("\n")).toEqual(["error: kit getSequence: sequence 999 was not found"])
  })

  it("a refused key exits 3, a missing key exits 3, a bad flag exits 2", async () => {
    const [badKey, noKey, badFlag] = await Promise.all([
      cli(["list", "--provider", "kit", "--json"], { ...envFor(kit, apollo), KIT_API_KEY: kitBadKey }),
      cli(["list", "--provider", "apollo"], { KIT_BASE_URL: kit.url, APOLLO_BASE_URL: apollo.url }),
      cli(["list", "--provider", "mailchimp"], envFor(kit, apollo))
    ])
    expect(badKey.code).toBe(3)
    expect(at(json(badKey), "error", "_tag")).toBe("AuthenticationFailed")
    expect(badKey.stderr).toMatch(/^error: kit \w+: the credentials were refused/)
    expect(badKey.stderr).not.toMatch(/\n\s+at /)
    expect(noKey.code).toBe(3)
    expect(noKey.stderr.trim()).toBe("error: no apollo credentials: set APOLLO_API_KEY")
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr).toMatch(/^error: /m)
  })

  it("export writes the neutral file", async () => {
    const path = NodePath.join(tmp, "kit-export.json")
    const ran = await cli(["export", "--provider", "kit", "-o", path, "--json"], envFor(kit, apollo))
    expect(ran.code).toBe(0)
    expect(list(at(json(ran), "sequences"))).toHaveLength(4)
    const file = JSON.parse(NodeFs.readFileSync(path, "utf8"))
    expect(file.version).toBe(1)
    expect(file.sequences.map((s: { name: string }) => s.name)).toContain("Win-back")
    const welcome = file.sequences.find((s: { name: string }) => s.name === "Welcome series")
    expect(welcome.steps[1].delay).toEqual({ value: 2, unit: "days" })
  })

  it("verify checks both providers; for Apollo it tells the key kind", async () => {
    const ran = await cli(["verify", "--json"], envFor(kit, apollo))
    const doc = json(ran)
    const of = (name: string) => list(at(doc, "providers")).find((p) => at(p, "provider") === name)
    expect(at(of("kit"), "ok")).toBe(true)
    expect(["master key", "scoped key"]).toContain(at(of("apollo"), "credential"))
    expect(list(at(of("apollo"), "probes")).length).toBeGreaterThan(3)
    expect(ran.code).toBe(at(of("apollo"), "ok") === true && at(of("kit"), "ok") === true ? 0 : 3)
  })
})

describe.concurrent("writing", () => {
  it("sequences as code: plan, apply, a rerun with nothing to do, then --prune; an invalid file exits 2", async () => {
    const kit = track(
      await startKit({
        sequences: [{ name: "Old promo", emails: [{ subject: "Sale", delay_value: 0, delay_unit: "days" }] }]
      })
    )
    const apollo = track(await startApollo())
    const env = envFor(kit, apollo)
    const path = writeOnboarding(NodePath.join(tmp, "sequences.json"), { sendDays: ["friday"] })
    const planned = await cli(["plan", "-f", path, "--provider", "kit", "--json"], env)
    expect(planned.code).toBe(0)
    const plan = at(json(planned), "plan")
    expect(list(at(plan, "sequences")).map((s) => at(s, "action"))).toEqual(["create"])
    expect(writes(kit.requests)).toEqual([])

    const applied = await cli(["apply", "-f", path, "--provider", "kit", "--json"], env)
    expect(applied.code).toBe(0)
    expect(at(json(applied), "result", "counts")).toMatchObject({ created: 1, verified: 1 })
    const onboarding = kit.state().sequences.find((s) => s.name === "Onboarding")
    expect(onboarding?.emails.map((e) => e.subject)).toEqual(["Hello", "Tips", "Reminder"])
    expect(onboarding?.emails[1]?.send_days).toEqual(["friday"])
    expect(onboarding?.active).toBe(false)

    const again = await cli(["apply", "-f", path, "--provider", "kit"], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("nothing to do")

    kit.clearLog()
    const pruned = await cli(["apply", "-f", path, "--provider", "kit", "--prune", "--json"], env)
    expect(pruned.code).toBe(0)
    expect(at(json(pruned), "result", "counts")).toMatchObject({ removed: 1, unchanged: 1 })
    expect(kit.state().sequences.map((s) => s.name)).toEqual(["Onboarding"])
    expect(writes(kit.requests).map((r) => r.method)).toEqual(["DELETE"])

    const invalid = NodePath.join(tmp, "invalid.json")
    NodeFs.writeFileSync(invalid, '{\n  "version": 1,\n  "sequences": [{ "steps": [] }]\n}\n')
    const refused = await cli(["apply", "-f", invalid, "--provider", "kit"], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^error: .*invalid\.json:3:\d+: sequences\[0\]/m)

    // A rule of the target (Kit: only the first email may wait 0): refused at its line, no request.
    const zero = NodePath.join(tmp, "zero.yaml")
    NodeFs.writeFileSync(
      zero,
      "version: 1\nsequences:\n  - name: Zero\n    steps:\n      - delay: 0 days\n        email: { subject: A, html: a }\n      - delay: 0 days\n        email: { subject: B, html: b }\n"
    )
    kit.clearLog()
    const zeroRun = await cli(["apply", "-f", zero, "--provider", "kit"], env)
    expect(zeroRun.code).toBe(2)
    expect(zeroRun.stderr).toMatch(/zero\.yaml:7:\d+: sequences\[0\]\.steps\[1\]\.delay: only the first step/)
    expect(kit.requests).toEqual([])
  })

  it("migrate kit → apollo: --dry-run writes nothing, no --yes without a terminal writes nothing, --yes migrates and verifies, a rerun has nothing to do", async () => {
    const kit = track(await startKit(kitSeed))
    const apollo = track(await startApollo())
    const env = envFor(kit, apollo)
    const journal = NodePath.join(tmp, "kit-to-apollo.jsonl")
    const args = ["migrate", "--from", "kit", "--to", "apollo", "--journal", journal]

    const dry = await cli([...args, "--dry-run", "--json"], env)
    expect(dry.code).toBe(0)
    const dryDoc = json(dry)
    expect(at(dryDoc, "applied")).toBe(false)
    expect(list(at(dryDoc, "plan", "sequences")).map((s) => at(s, "action"))).toEqual([
      "create",
      "create",
      "create",
      "create"
    ])
    const welcome = list(at(dryDoc, "plan", "sequences")).find((s) => at(s, "name") === "Welcome series")
    expect(list(at(welcome, "warnings")).map((w) => at(w, "path"))).toContain("steps[2].sendDays")
    expect(writes(apollo.requests)).toEqual([])
    expect(writes(kit.requests)).toEqual([])

    const text = await cli([...args, "--dry-run"], env)
    expect(text.stdout).toMatch(/SEQUENCE\s+ACTION\s+STEPS\s+CALLS\s+WARNINGS/)
    expect(text.stdout).toContain("step 3, send days: dropped")

    const unconfirmed = await cli(args, env)
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain("error: refusing to write without confirmation")
    expect(writes(apollo.requests)).toEqual([])

    const applied = await cli([...args, "--yes", "--json"], env)
    expect(applied.code).toBe(0)
    const doc = json(applied)
    expect(at(doc, "result", "counts")).toMatchObject({ created: 4, verified: 4, differs: 0 })
    expect(at(doc, "calls", "apollo")).toBeGreaterThan(0)
    expect(applied.stderr).toContain("[4/4]")
    const campaigns = apollo.state().sequences
    expect(campaigns.map((c) => c.name).sort()).toEqual(
      ["Evergreen newsletter", "Trial nurture (hourly)", "Welcome series", "Win-back"].sort()
    )
    expect(campaigns.every((c) => !c.active)).toBe(true)

    apollo.clearLog()
    const rerun = await cli([...args, "--yes", "--json"], env)
    expect(rerun.code).toBe(0)
    const rerunDoc = json(rerun)
    expect(at(rerunDoc, "applied")).toBe(false)
    expect(list(at(rerunDoc, "plan", "sequences")).every((s) => at(s, "action") === "unchanged")).toBe(true)
    expect(writes(apollo.requests)).toEqual([])
  })

  it("migrate apollo → kit with --json; a call step is blocked (exit 6)", async () => {
    const kit = track(await startKit())
    const apollo = track(
      await startApollo({
        sequences: [
          {
            name: "Outbound founders",
            emailer_steps: [
              {
                type: "auto_email",
                wait_time: 0,
                wait_mode: "day",
                emailer_touches: [{ emailer_template: { subject: "Quick question", body_html: "<p>Hi</p>" } }]
              },
              {
                type: "auto_email",
                wait_time: 90,
                wait_mode: "minute",
                emailer_touches: [
                  {
                    type: "reply_to_thread",
                    emailer_template: { subject: "Re: Quick question", body_html: "<p>Bump</p>" }
                  }
                ]
              }
            ]
          },
          {
            name: "Call cadence",
            emailer_steps: [{ type: "call", wait_time: 1, wait_mode: "day", note: "Call them" }]
          },
          {
            // Kit refuses a zero wait after the first email: blocked at plan time, not failed half-way.
            name: "Zero wait",
            emailer_steps: [
              {
                type: "auto_email",
                wait_time: 0,
                wait_mode: "day",
                emailer_touches: [{ emailer_template: { subject: "One", body_html: "<p>1</p>" } }]
              },
              {
                type: "auto_email",
                wait_time: 0,
                wait_mode: "minute",
                emailer_touches: [{ emailer_template: { subject: "Two", body_html: "<p>2</p>" } }]
              }
            ]
          }
        ]
      })
    )
    const ran = await cli(
      [
        "migrate",
        "--from",
        "apollo",
        "--to",
        "kit",
        "--yes",
        "--json",
        "--journal",
        NodePath.join(tmp, "a2k.jsonl")
      ],
      envFor(kit, apollo)
    )
    expect(ran.code).toBe(6)
    const doc = json(ran)
    expect(list(at(doc, "plan", "blocked")).map((b) => at(b, "name"))).toEqual(["Call cadence", "Zero wait"])
    expect(at(doc, "result", "counts")).toMatchObject({ created: 1, verified: 1, blocked: 2 })
    expect(kit.state().sequences.map((s) => s.name)).toEqual(["Outbound founders"])
    const migrated = kit.state().sequences.find((s) => s.name === "Outbound founders")
    expect(migrated?.emails.map((e) => [e.delay_value, e.delay_unit])).toEqual([
      [0, "days"],
      [2, "hours"]
    ])
    expect(ran.stderr).toMatch(/^error: 2 sequence\(s\) blocked or failed/m)
  })
})

describe("demo", () => {
  it("migrates the seeded Kit simulator to Apollo, verified, and the rerun writes nothing", async () => {
    const ran = await cli(["demo"], {})
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toMatch(/^ {2}sequences migrated: {2}4 \(Apollo now holds 4, all inactive: yes\)$/m)
    expect(ran.stdout).toMatch(/^ {2}verified: {12}4$/m)
    // The rerun reads the target again (it is the truth, not the journal) and writes nothing.
    expect(ran.stdout).toMatch(/^ {4}second run: Kit \d+, Apollo [1-9]\d* \(Apollo writes: 0\)$/m)
    expect(ran.stderr).toContain("[4/4]")
  })
})

describe("secrets", () => {
  it("no output of any run contains a key", () => {
    expect(transcripts.length).toBeGreaterThan(10)
    for (const ran of transcripts)
      for (const secret of secrets) {
        expect(ran.stdout).not.toContain(secret)
        expect(ran.stderr).not.toContain(secret)
      }
  })
})
