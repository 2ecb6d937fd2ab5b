/**
 * The Promise client on each provider: every `Sequences` operation, `list` page by page, one runtime
 * per client, `close()` and `await using`. Kit and Apollo run against the simulators over real HTTP.
 */
import * as NodeUtil from "node:util"
import { ApolloSimulator } from "@unisequence/testing"
import { describe, expect, it } from "vitest"
import { apollo, type Client, ClientClosed, kit, memory } from "../src/index.js"
import { simulators } from "./simulators.js"

const KIT_KEY = "kit_test_key"

const sims = simulators()

const providers: ReadonlyArray<readonly [string, () => Client]> = [
  ["memory", () => memory()],
  ["kit", () => kit({ apiKey: KIT_KEY, baseUrl: sims.kit.url })],
  ["apollo", () => apollo({ apiKey: ApolloSimulator.defaultMasterKey, baseUrl: sims.apollo.url })]
]

describe.each(providers)("%s client", (provider, makeClient) => {
  it("runs every operation with Promises", async () => {
    await using client = makeClient()
    expect(client.provider).toBe(provider)
    const created = await client.create({
      name: `Onboarding ${provider}`,
      steps: [
        { delay: { value: 0, unit: "days" }, email: { subject: "Welcome", html: "<p>Hi</p>" } },
        { delay: { value: 2, unit: "days" }, email: { subject: "Tips", html: "<p>Tips</p>" } }
      ]
    })
    expect(created.steps.map((s) => s.email?.subject)).toEqual(["Welcome", "Tips"])

    await client.update(created.id, { name: `Onboarding ${provider} (v2)` })
    const added = await client.addStep(created.id, {
      delay: { value: 3, unit: "days" },
      email: { subject: "Last", html: "<p>Bye</p>" }
    })
    await client.updateStep(created.id, added.id, { email: { subject: "Last one" } })
    await client.moveStep(created.id, added.id, 1)
    let read = await client.get(created.id)
    expect(read.name).toBe(`Onboarding ${provider} (v2)`)
    expect(read.steps.map((s) => s.email?.subject)).toEqual(["Welcome", "Last one", "Tips"])

    await client.removeStep(created.id, read.steps[2]!.id)
    const replaced = await client.replaceSteps(created.id, [
      {
        id: read.steps[0]!.id,
        delay: { value: 0, unit: "days" },
        email: { subject: "Hello", html: "<p>Hi</p>" }
      }
    ])
    expect(replaced.map((s) => s.email?.subject)).toEqual(["Hello"])

    await client.setActive(created.id, true)
    read = await client.get(created.id)
    expect(read.active).toBe(true)

    const names: Array<string> = []
    for await (const summary of client.list({ nameContains: `Onboarding ${provider}` }))
      names.push(summary.name)
    expect(names).toEqual([`Onboarding ${provider} (v2)`])

    await client.remove(created.id)
    const after: Array<string> = []
    for await (const summary of client.list({ nameContains: `Onboarding ${provider}` })) {
      if (summary.archived !== true) after.push(summary.id)
    }
    expect(after).toEqual([])
  })

  it("rejects after close() with ClientClosed, and list too", async () => {
    const client = makeClient()
    await client.close()
    await client.close() // twice is fine
    const error = await client.get("1").catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientClosed)
    await expect(client.list()[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(ClientClosed)
  })
})

describe("list", () => {
  it("reads page by page as the loop asks, and stops reading on break (Kit)", async () => {
    sims.kit.reset({ sequences: Array.from({ length: 7 }, (_, i) => ({ name: `Paged ${i + 1}` })) })
    await using client = kit({ apiKey: KIT_KEY, baseUrl: sims.kit.url, pageSize: 3 })
    sims.kit.clearLog()
    const all: Array<string> = []
    for await (const summary of client.list()) all.push(summary.name)
    expect(all).toEqual(Array.from({ length: 7 }, (_, i) => `Paged ${i + 1}`))
    expect(sims.kit.requests.filter((r) => r.operation === "listSequences")).toHaveLength(3)

    sims.kit.clearLog()
    for await (const summary of client.list()) {
      expect(summary.name).toBe("Paged 1")
      break
    }
    expect(sims.kit.requests.filter((r) => r.operation === "listSequences")).toHaveLength(1)
  })

  it("memory pages the same way", async () => {
    await using client = memory({ pageSize: 2 })
    for (const name of ["a", "b", "c"]) await client.create({ name, steps: [] })
    const names: Array<string> = []
    for await (const summary of client.list()) names.push(summary.name)
    expect(names).toEqual(["a", "b", "c"])
  })
})

describe("one runtime per client", () => {
  it("builds the provider's layer once: Apollo's schedules are read on the first get only", async () => {
    sims.apollo.reset({ sequences: [{ id: "seq1", name: "Outbound" }] })
    await using client = apollo({ apiKey: ApolloSimulator.defaultMasterKey, baseUrl: sims.apollo.url })
    sims.apollo.clearLog()
    await client.get("seq1")
    await client.get("seq1")
    await client.get("seq1")
    const operations = sims.apollo.requests.map((r) => r.operation)
    expect(operations.filter((o) => o === "getCampaign")).toHaveLength(3)
    expect(operations.filter((o) => o === "listSchedules")).toHaveLength(1)
  })
})

describe("keys", () => {
  it("are never in the client's printed form", async () => {
    await using client = kit({ apiKey: "kit_secret_1234", baseUrl: sims.kit.url })
    expect(NodeUtil.inspect(client, { depth: 10 })).not.toContain("kit_secret_1234")
    expect(JSON.stringify(client)).not.toContain("kit_secret_1234")
  })
})
