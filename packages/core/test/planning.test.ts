import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Journal, Memory, Sequence } from "../src/index.js"
import { actionFrom, callsOf, fingerprint, matchByIndex, operationsFor } from "../src/internal/planning.js"
import { safeDefaults } from "../src/internal/safeDefaults.js"
import { markedName, newToken } from "../src/internal/strays.js"

const newStep = (subject: string, published = true): Sequence.NewStep => ({
  delay: { value: 1, unit: "days" },
  type: "email",
  published,
  email: { subject, html: `<p>${subject}</p>` },
  variants: [{ email: { subject: `${subject} B`, html: "<p>B</p>" }, published: true }]
})
const desired: Sequence.NewSequence = {
  name: "Welcome",
  active: true,
  steps: [newStep("One"), newStep("Two")]
}
const existing = (active: boolean, published: ReadonlyArray<boolean>) =>
  new Sequence.Sequence({
    id: "t1",
    name: "Welcome",
    active,
    steps: published.map(
      (p, i) =>
        new Sequence.Step({
          ...newStep(`S${i}`, p),
          id: `s${i}`,
          variants: [{ email: { subject: "B", html: "<p>B</p>" }, published: p }]
        })
    )
  })

describe("safeDefaults", () => {
  it("asked to activate, the desired sequence is written as it is", () => {
    expect(safeDefaults(desired, undefined, true)).toBe(desired)
  })

  it("a new target is inactive, every email and variant unpublished", () => {
    const safe = safeDefaults(desired, undefined, false)
    expect(safe.active).toBe(false)
    expect(safe.steps.map((s) => [s.published, s.variants?.map((v) => v.published)])).toEqual([
      [false, [false]],
      [false, [false]]
    ])
  })

  it("an existing target keeps running and published only where it already is", () => {
    const safe = safeDefaults(desired, existing(true, [true, false]), false)
    expect(safe.active).toBe(true)
    expect(safe.steps.map((s) => [s.published, s.variants?.map((v) => v.published)])).toEqual([
      [true, [true]],
      [false, [false]]
    ])
  })

  it("without activate, a live target is never turned off nor unpublished, whatever the source says", () => {
    const off = safeDefaults(
      { ...desired, active: false, steps: desired.steps.map((s) => ({ ...s, published: false })) },
      existing(true, [true, true]),
      false
    )
    expect(off.active).toBe(true)
    expect(off.steps.map((s) => s.published)).toEqual([true, true])
    // Asked to activate, the desired state is written, off as well as on.
    expect(safeDefaults({ ...desired, active: false }, existing(true, [true, true]), true).active).toBe(false)
  })
})

describe("planning", () => {
  it("calls come from the capabilities: inline steps or one request per step", () => {
    const inline = callsOf({ ...Memory.capabilities, stepsInline: true })
    const perStep = callsOf({ ...Memory.capabilities, stepsInline: false })
    expect([inline.create(3), inline.get]).toEqual([1, 1])
    expect([perStep.create(3), perStep.get]).toEqual([4, 2])
  })

  it("a create is created, settled, verified; activated only when asked and wanted", () => {
    const kinds = (activate: boolean) =>
      operationsFor("create", desired, Memory.capabilities, activate).map((op) => op.kind)
    expect(kinds(false)).toEqual(["create", "settle", "verify"])
    expect(kinds(true)).toEqual(["create", "settle", "activate", "verify"])
    expect(operationsFor("create", desired, Memory.capabilities, false)[0]?.detail).toBe(
      "create with 2 steps, inactive, unpublished"
    )
    expect(operationsFor("unchanged", desired, Memory.capabilities, false)).toEqual([])
  })

  it("an update lists the settings and steps that change, nothing else", () => {
    const actual = existing(false, [false, false])
    const same = safeDefaults(
      {
        name: "Welcome",
        active: false,
        steps: actual.steps.map(({ id: _id, raw: _raw, ...step }) => step)
      },
      actual,
      false
    )
    expect(operationsFor("update", same, Memory.capabilities, false, actual).map((op) => op.kind)).toEqual([
      "reconcile",
      "verify"
    ])
    const renamed = { ...same, name: "Hello", steps: [same.steps[0]!] }
    const ops = operationsFor("update", renamed, Memory.capabilities, false, actual)
    expect(ops.map((op) => [op.kind, op.detail])).toEqual([
      ["reconcile", "read the target"],
      ["update", "change name"],
      ["replaceSteps", "steps: 0 new, 0 changed, 1 removed"],
      ["verify", "read back and compare"]
    ])
  })

  it("the journal's state is the action: finished and unchanged, changed, or part-way", () => {
    const entry = (state: Journal.State, fp = "f"): Journal.Entry => ({
      v: 1,
      key: "k",
      state,
      fingerprint: fp,
      at: ""
    })
    expect(actionFrom(undefined, "f")).toBe("create")
    expect(actionFrom(entry("verified"), "f")).toBe("unchanged")
    expect(actionFrom(entry("verified"), "g")).toBe("update")
    expect(actionFrom(entry("differs"), "f")).toBe("update")
    expect(actionFrom(entry("removed"), "f")).toBe("create")
    for (const state of ["creating", "created", "settled", "activated"] as const)
      expect(actionFrom(entry(state), "f")).toBe("resume")
  })

  it("matchByIndex keeps the target's step at each index and creates the rest", () => {
    const matched = matchByIndex(existing(false, [false]), desired)
    expect(matched.map((s) => s.id)).toEqual(["s0", undefined])
  })

  it.effect("the fingerprint ignores key order and absent fields, and sees every value", () =>
    Effect.gen(function* () {
      const a = yield* fingerprint({ name: "W", active: false, steps: [] })
      const b = yield* fingerprint({ steps: [], active: false, name: "W", reentry: undefined })
      const c = yield* fingerprint({ name: "W", active: true, steps: [] })
      expect(a).toMatch(/^[0-9a-f]{16}$/)
      expect(b).toBe(a)
      expect(c).not.toBe(a)
    })
  )

  it.effect("run tokens are 12 hex digits and differ between runs", () =>
    Effect.gen(function* () {
      const tokens = yield* Effect.all(Array.from({ length: 20 }, () => newToken))
      for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{12}$/)
      expect(new Set(tokens).size).toBe(20)
      expect(markedName("Welcome", tokens[0]!)).toBe(`Welcome [unisequence ${tokens[0]}]`)
    })
  )
})
