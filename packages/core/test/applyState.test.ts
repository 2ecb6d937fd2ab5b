import { describe, expect, it } from "@effect/vitest"
import type { Journal, Plan } from "../src/index.js"
import { advance, effectiveAction, rank, startingStage } from "../src/internal/applyState.js"

const entry = (state: Journal.State, extra: Partial<Journal.Entry> = {}): Journal.Entry => ({
  v: 1,
  key: "k",
  state,
  fingerprint: "f",
  at: "",
  ...extra
})
const planned = (action: Plan.Action, fingerprint = "f"): Plan.SequencePlan => ({
  key: "k",
  name: "Welcome",
  action,
  translated: { name: "Welcome", active: false, steps: [] },
  target: { name: "Welcome", active: false, steps: [] },
  warnings: [],
  operations: [],
  calls: 0,
  fingerprint
})

describe("the apply state machine", () => {
  it("states are ordered along the way a sequence is written", () => {
    const order: ReadonlyArray<Journal.State> = ["creating", "created", "settled", "activated", "verified"]
    expect(order.map((s) => rank[s])).toEqual([0, 1, 2, 3, 4])
    expect(rank.differs).toBe(rank.verified)
  })

  it("a create starts from nothing; anything else from where the journal stands", () => {
    expect(startingStage("create", entry("settled"))).toBe(-1)
    expect(startingStage("resume", undefined)).toBe(-1)
    expect(startingStage("resume", entry("created"))).toBe(rank.created)
    expect(startingStage("update", entry("verified"))).toBe(rank.verified)
  })

  it("the journal is trusted over the plan: done is unchanged, a begun create resumes", () => {
    expect(effectiveAction(planned("create"), undefined)).toBe("create")
    expect(effectiveAction(planned("create"), entry("creating"))).toBe("resume")
    expect(effectiveAction(planned("create"), entry("verified"))).toBe("unchanged")
    expect(effectiveAction(planned("update"), entry("verified"))).toBe("unchanged")
    // Done, but with another fingerprint: the plan's update stands.
    expect(effectiveAction(planned("update", "g"), entry("verified"))).toBe("update")
    expect(effectiveAction(planned("remove"), entry("verified"))).toBe("remove")
  })

  it("advance keeps what earlier entries learnt", () => {
    const first = advance(undefined, { key: "k", state: "creating", token: "t" })
    expect(first).toMatchObject({ state: "creating", token: "t" })
    const second = advance(first, { key: "k", state: "created", targetId: "9", stepIds: ["a"] })
    expect(second).toMatchObject({ state: "created", token: "t", targetId: "9", stepIds: ["a"] })
    expect(advance(second, { key: "k", state: "verified" })).toMatchObject({
      state: "verified",
      token: "t",
      targetId: "9"
    })
  })
})
