import { Migration, type Plan, SequenceError } from "@unisequence/core"
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { parseSelection } from "../src/internal/selection.js"
import { ExitCode, renderFailure, sequenceErrorTypeId } from "../src/internal/errors.js"
import { humanPath, planJson, planLines } from "../src/internal/render.js"

const step = { delay: { value: 1, unit: "days" as const }, type: "email" as const, published: false }

const plan: Plan.Plan = {
  kind: "migration",
  source: "kit",
  target: "apollo",
  activate: false,
  calls: 3,
  reads: 1,
  sequences: [
    {
      key: "1",
      name: "Welcome",
      action: "create",
      translated: { name: "Welcome", active: false, steps: [step, step] },
      target: { name: "Welcome", active: false, steps: [step, step] },
      warnings: [{ path: "steps[1].sendDays", kind: "dropped", detail: "Apollo has no per-step send days" }],
      operations: [{ kind: "create", detail: "create with 2 steps", calls: 1 }],
      calls: 3,
      fingerprint: "x"
    }
  ],
  blocked: [
    {
      key: "2",
      name: "Calls",
      error: new SequenceError.Unsupported({
        provider: "kit",
        operation: "translate",
        feature: "steps[0].type",
        detail: "a call step"
      })
    }
  ]
}

describe("render", () => {
  it("says field paths in plain words", () => {
    expect(humanPath("steps[1].sendDays")).toBe("step 2, send days")
    expect(humanPath("steps[0].email.previewText")).toBe("step 1, email, preview text")
    expect(humanPath("holdAfterLastStep")).toBe("hold after last step")
  })

  it("lays the plan out as a table with the warnings under each sequence and the blocked ones", () => {
    const lines = planLines(plan)
    const header = lines.findIndex((l) => /SEQUENCE\s+ACTION\s+STEPS\s+CALLS\s+WARNINGS/.test(l))
    expect(header).toBeGreaterThan(0)
    expect(lines[header + 1]).toMatch(/^\s+Welcome\s+create\s+2\s+3\s+1$/)
    expect(lines[header + 2]).toBe("      ! step 2, send days: dropped, Apollo has no per-step send days")
    expect(lines.join("\n")).toContain("Calls  BLOCKED")
    expect(lines.at(-1)).toContain("1 to create, 0 to update, 0 unchanged, 1 blocked; 3 HTTP calls")
  })

  it("gives scripts a stable JSON shape", () => {
    const doc = planJson(plan)
    expect(doc.sequences[0]).toEqual({
      key: "1",
      name: "Welcome",
      action: "create",
      targetId: null,
      steps: 2,
      calls: 3,
      warnings: [{ path: "steps[1].sendDays", kind: "dropped", detail: "Apollo has no per-step send days" }],
      operations: [{ kind: "create", detail: "create with 2 steps", calls: 1 }]
    })
    expect(doc.blocked[0]?.error._tag).toBe("Unsupported")
  })
})

describe("selection and exit codes", () => {
  it("parses --select", () => {
    expect(Effect.runSync(parseSelection("all"))).toEqual(Migration.all)
    expect(Effect.runSync(parseSelection("ids:1, 2,3"))).toEqual(Migration.ids(["1", "2", "3"]))
    expect(Effect.runSync(parseSelection("name:Welcome"))).toEqual(Migration.nameContains("Welcome"))
    expect(Exit.isFailure(Effect.runSyncExit(parseSelection("ids:")))).toBe(true)
    expect(Exit.isFailure(Effect.runSyncExit(parseSelection("everything")))).toBe(true)
  })

  it("maps each expected failure to its exit code", () => {
    const common = { provider: "kit" as const, operation: "get" }
    const code = (e: unknown) => renderFailure(e)?.code
    expect(code(new SequenceError.AuthenticationFailed({ ...common, detail: "no" }))).toBe(ExitCode.auth)
    expect(code(new SequenceError.PermissionDenied({ ...common, reason: "scope" }))).toBe(ExitCode.auth)
    expect(code(new SequenceError.SequenceNotFound({ ...common, sequenceId: "1" }))).toBe(ExitCode.notFound)
    expect(code(new SequenceError.InvalidInput({ ...common, issues: [] }))).toBe(ExitCode.usage)
    expect(code(new SequenceError.RateLimited(common))).toBe(ExitCode.unavailable)
    expect(code(new SequenceError.Conflict({ ...common, reason: "position has already been taken" }))).toBe(5)
    expect(code(new SequenceError.ProviderUnavailable({ ...common, reason: "502" }))).toBe(
      ExitCode.unavailable
    )
    expect(code(new Error("boom"))).toBeUndefined()
    // The CLI knows core's errors by core's own mark, without loading core at start-up.
    expect(sequenceErrorTypeId).toBe(SequenceError.TypeId)
  })
})
