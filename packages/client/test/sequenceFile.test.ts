/**
 * `plan` and `apply` of sequence files through the Promise API, against the Kit simulator.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { KitSimulator } from "@unisequence/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { apply, kit, memory, plan, type ProgressEvent, SequenceFileError } from "../src/index.js"

let sim: KitSimulator.KitSimulator
let dir: string

beforeAll(async () => {
  sim = await KitSimulator.startAsync()
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-file-"))
})
afterAll(async () => {
  await sim.close()
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

const yaml = `version: 1
sequences:
  - name: Onboarding (file)
    steps:
      - delay: 0 days
        email: { subject: Welcome, html: "<p>Hi</p>" }
      - delay: 2 days
        email: { subject: Tips, html: "<p>Tips</p>" }
`

describe("sequence files", () => {
  it("plan reads only; apply writes with progress; a second plan has nothing to do", async () => {
    const file = NodePath.join(dir, "sequences.yaml")
    NodeFs.writeFileSync(file, yaml)
    const journal = NodePath.join(dir, "sequences.jsonl")
    await using to = kit({ apiKey: "kit_test_key", baseUrl: sim.url })
    sim.clearLog()
    const planned = await plan({ file, to })
    expect(planned.sequences.map((s) => [s.name, s.action])).toEqual([["Onboarding (file)", "create"]])
    expect(sim.requests.filter((r) => r.method !== "GET")).toEqual([])

    const events: Array<ProgressEvent["_tag"]> = []
    const result = await apply({ file, to, journal, onProgress: (e) => events.push(e._tag) })
    expect(result.outcomes.map((o) => [o.outcome, o.verification])).toEqual([["created", "verified"]])
    expect(events[0]).toBe("Started")
    expect(events.at(-1)).toBe("Finished")

    const again = await plan({ file, to, journal })
    expect(again.sequences.map((s) => s.action)).toEqual(["unchanged"])
  })

  it("takes the file as an object too", async () => {
    await using to = memory()
    const file = { version: 1, sequences: [{ name: "Inline", steps: [] }] } as const
    const result = await apply({ file, to })
    expect(result.outcomes.map((o) => o.outcome)).toEqual(["created"])
  })

  it("a broken file rejects with SequenceFileError, one issue per problem with its line", async () => {
    const file = NodePath.join(dir, "broken.yaml")
    NodeFs.writeFileSync(
      file,
      `version: 1
sequences:
  - name: Broken
    steps:
      - delay: 2 fortnights
        email: { subject: Hi, html: "<p>Hi</p>" }
`
    )
    await using to = memory()
    const error = await plan({ file, to }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SequenceFileError)
    if (!(error instanceof SequenceFileError)) return expect.unreachable()
    expect(error._tag).toBe("SequenceFileError")
    expect(error.file).toBe(file)
    expect(error.issues.some((i) => i.path === "sequences[0].steps[0].delay" && i.line === 5)).toBe(true)

    const missing = await plan({ file: NodePath.join(dir, "nope.yaml"), to }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(SequenceFileError)
  })
})
