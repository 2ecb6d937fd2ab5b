/**
 * `migrate` between clients over the simulators: progress events, the journal's guarantees, and
 * cancellation with an `AbortSignal` that a rerun with the same journal finishes with no duplicate.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { apollo, type Client, kit, migrate, type ProgressEvent } from "../src/index.js"

const seed: KitSimulator.Seed = {
  sequences: ["Welcome", "Trial ending", "Re-engage", "Newsletter"].map((name) => ({
    name,
    // Apollo's business-hours schedule: the target can hold it.
    send_days: ["monday", "tuesday", "wednesday", "thursday", "friday"] as const,
    send_hour: 9,
    time_zone: "America/New_York",
    emails: [
      { subject: `${name}: first`, content: "<p>One</p>", delay_value: 0, delay_unit: "days" as const },
      { subject: `${name}: second`, content: "<p>Two</p>", delay_value: 2, delay_unit: "days" as const }
    ]
  }))
}

let kitSim: KitSimulator.KitSimulator
let apolloSim: ApolloSimulator.ApolloSimulator
let dir: string

beforeEach(async () => {
  kitSim = await KitSimulator.startAsync({ seed })
  apolloSim = await ApolloSimulator.startAsync({ quirks: { readOneSequence: true } })
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-client-"))
})
afterEach(async () => {
  await kitSim.close()
  await apolloSim.close()
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

const clients = () => ({
  from: kit({ apiKey: "kit_test_key", baseUrl: kitSim.url }),
  to: apollo({ apiKey: ApolloSimulator.defaultMasterKey, baseUrl: apolloSim.url })
})

/** The target's live sequences, by name. */
const namesIn = async (client: Client) => {
  const names: Array<string> = []
  for await (const summary of client.list()) if (summary.archived !== true) names.push(summary.name)
  return names.sort()
}

describe("migrate", () => {
  it("plans, applies with progress, verifies; a rerun is unchanged", async () => {
    const { from, to } = clients()
    await using _from = from
    await using _to = to
    const journal = NodePath.join(dir, "journal.jsonl")
    const events: Array<ProgressEvent> = []
    const result = await migrate({ from, to, journal, onProgress: (e) => events.push(e) })
    expect(result.outcomes.map((o) => [o.name, o.outcome, o.verification]).sort()).toEqual(
      seed.sequences!.map((s) => [s.name, "created", "verified"]).sort()
    )
    expect(events.filter((e) => e._tag === "Started")).toHaveLength(4)
    expect(events.filter((e) => e._tag === "Finished")).toHaveLength(4)
    expect(events.some((e) => e._tag === "Operation" && e.state === "created")).toBe(true)
    expect(await namesIn(to)).toEqual(seed.sequences!.map((s) => s.name).sort())

    const rerun = await migrate({ from, to, journal })
    expect(rerun.outcomes.map((o) => o.outcome)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"])
  })

  it("dryRun plans and writes nothing", async () => {
    const { from, to } = clients()
    await using _from = from
    await using _to = to
    apolloSim.clearLog()
    const result = await migrate({ from, to, dryRun: true, select: { nameContains: "Welcome" } })
    expect(result.plan.sequences.map((s) => [s.name, s.action])).toEqual([["Welcome", "create"]])
    expect(result.outcomes).toEqual([])
    // Apollo's search is a read sent as a POST.
    expect(
      apolloSim.requests.filter((r) => r.method !== "GET" && r.path !== "/api/v1/emailer_campaigns/search")
    ).toEqual([])
  })

  it("an abort interrupts the run; the same journal then finishes with no duplicate", async () => {
    const { from, to } = clients()
    await using _from = from
    await using _to = to
    const journal = NodePath.join(dir, "journal.jsonl")
    const controller = new AbortController()
    const seen: Array<ProgressEvent> = []
    const aborted = await migrate({
      from,
      to,
      journal,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (event) => {
        seen.push(event)
        // Stop as soon as the first target exists: others are mid-create.
        if (event._tag === "Operation" && event.state === "created") controller.abort()
      }
    }).then(
      () => expect.unreachable("the run should have been interrupted"),
      (error: unknown) => error
    )
    expect(aborted).toBeInstanceOf(Error)
    expect(aborted).toMatchObject({ name: "AbortError" })
    expect(seen.some((e) => e._tag === "Finished")).toBe(false)
    const journalled = NodeFs.readFileSync(journal, "utf8").trim().split("\n")
    expect(journalled.length).toBeGreaterThan(0)

    const result = await migrate({ from, to, journal })
    expect(result.outcomes).toHaveLength(4)
    expect(result.outcomes.every((o) => o.verification === "verified")).toBe(true)
    // The sequence whose create the abort followed is resumed from the journal, not created again.
    expect(result.outcomes.some((o) => o.outcome === "resumed")).toBe(true)
    // Each source sequence once in the target, with its final name.
    expect(await namesIn(to)).toEqual(seed.sequences!.map((s) => s.name).sort())
    const rerun = await migrate({ from, to, journal })
    expect(rerun.outcomes.every((o) => o.outcome === "unchanged")).toBe(true)
  })

  it("an already aborted signal rejects before any request", async () => {
    const { from, to } = clients()
    await using _from = from
    await using _to = to
    kitSim.clearLog()
    const controller = new AbortController()
    controller.abort(new Error("stop"))
    await expect(migrate({ from, to, signal: controller.signal })).rejects.toThrow("stop")
    expect(kitSim.requests).toEqual([])
  })

  it("rejects a value that is not a client", async () => {
    const { to } = clients()
    await using _to = to
    await expect(migrate({ from: { ...to }, to })).rejects.toThrow(/from must be a client/)
  })
})
