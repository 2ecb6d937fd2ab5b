import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { longestNonDecreasing, type Operation, plan, type Target } from "../src/internal/positions.js"

const existing = (id: string): Target => ({ _tag: "Existing", id })
const created = (index: number): Target => ({ _tag: "New", index })

/**
 * Carries out a plan on a model of Kit: positions unique, never negative, the immediate first
 * email only ever written at position 0. Returns the final order of ids (`new:i` for creates).
 */
const run = (
  current: ReadonlyArray<{ id: string; position: number }>,
  operations: ReadonlyArray<Operation>,
  pinned?: string
): ReadonlyArray<string> => {
  const at = new Map<string, number>(current.map((e) => [e.id, e.position]))
  const taken = (position: number) => [...at.values()].includes(position)
  for (const op of operations) {
    switch (op._tag) {
      case "Delete":
        if (!at.has(op.id)) throw new Error(`delete of unknown ${op.id}`)
        at.delete(op.id)
        break
      case "Move":
        if (op.position < 0) throw new Error(`negative position ${op.position}`)
        if (taken(op.position)) throw new Error(`move of ${op.id} to taken position ${op.position}`)
        if (op.id === pinned && op.position !== 0)
          throw new Error(`immediate email ${op.id} moved to ${op.position}`)
        at.set(op.id, op.position)
        break
      case "Create": {
        if (op.position < 0) throw new Error(`negative position ${op.position}`)
        if (taken(op.position)) throw new Error(`create at taken position ${op.position}`)
        at.set(`new:${op.index}`, op.position)
        break
      }
    }
  }
  return [...at.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id)
}

const expected = (order: ReadonlyArray<Target>) =>
  order.map((t) => (t._tag === "New" ? `new:${t.index}` : t.id))

/** The most emails that can stay put, by brute force over subsets (small inputs only). */
const bruteForceKept = (
  current: ReadonlyArray<{ id: string; position: number }>,
  order: ReadonlyArray<Target>,
  pinFirst: boolean
) => {
  const pos = new Map(current.map((e) => [e.id, e.position]))
  const candidates = order.flatMap((t, i) =>
    t._tag === "Existing" && !(pinFirst && i === 0 && pos.get(t.id) !== 0) ? [{ i, p: pos.get(t.id)! }] : []
  )
  let best = 0
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const chosen = candidates.filter((_, k) => (mask >> k) & 1)
    // a kept set works when there is room for everything before, between and after
    let ok = true
    let prev = { i: -1, p: -1 }
    for (const c of chosen) {
      if (c.p - prev.p < c.i - prev.i) ok = false
      prev = c
    }
    if (ok) best = Math.max(best, chosen.length)
  }
  return best
}

describe("longestNonDecreasing", () => {
  it("finds a longest non-decreasing run", () => {
    expect(longestNonDecreasing([])).toEqual([])
    expect(longestNonDecreasing([3, 1, 2, 2, 0, 5])).toEqual([1, 2, 3, 5])
    expect(longestNonDecreasing([4, 3, 2, 1]).length).toBe(1)
    expect(longestNonDecreasing([0, 0, 0])).toEqual([0, 1, 2])
  })
})

describe("plan", () => {
  const five = ["a", "b", "c", "d", "e"].map((id, position) => ({ id, position }))

  it("sends nothing when the order already holds", () => {
    const p = plan({ current: five, order: five.map((e) => existing(e.id)) })
    expect(p.operations).toEqual([])
    expect(p.positions).toEqual([0, 1, 2, 3, 4])
  })

  it("keeps gaps: emails at 0, 4, 9 in order need no request", () => {
    const current = [
      { id: "a", position: 0 },
      { id: "b", position: 4 },
      { id: "c", position: 9 }
    ]
    expect(plan({ current, order: current.map((e) => existing(e.id)) }).operations).toEqual([])
  })

  it("reverses five emails with four moves and no cycle", () => {
    const order = ["e", "d", "c", "b", "a"].map(existing)
    const p = plan({ current: five, order })
    expect(p.operations.filter((o) => o._tag === "Move")).toHaveLength(4)
    expect(p.cycles).toBe(0)
    expect(run(five, p.operations)).toEqual(["e", "d", "c", "b", "a"])
  })

  it("moves the last of five packed emails to the front with four moves (nothing fits below 0)", () => {
    const order = ["e", "a", "b", "c", "d"].map(existing)
    const p = plan({ current: five, order })
    expect(p.operations).toHaveLength(4)
    expect(p.kept).toEqual(["e"])
    expect(run(five, p.operations)).toEqual(["e", "a", "b", "c", "d"])
  })

  it("moves the last email to the front with one move when position 0 is free", () => {
    const current = five.map((e) => ({ ...e, position: e.position + 1 }))
    const p = plan({ current, order: ["e", "a", "b", "c", "d"].map(existing) })
    expect(p.operations).toEqual([{ _tag: "Move", id: "e", position: 0, final: true }])
  })

  it("swaps two adjacent emails with one move", () => {
    const current = five.slice(0, 2)
    const p = plan({ current, order: [existing("b"), existing("a")] })
    expect(p.operations).toHaveLength(1)
    expect(run(current, p.operations)).toEqual(["b", "a"])
  })

  it("breaks a cycle with one detour above every position", () => {
    // a at 0, b at 1, both must trade places and the first must end at 0: 0 and 1 are the only fit
    const current = [
      { id: "a", position: 0 },
      { id: "b", position: 1 },
      { id: "c", position: 2 }
    ]
    const p = plan({ current, order: [existing("b"), existing("a"), existing("c")], pinFirst: true })
    expect(p.cycles).toBe(1)
    const detour = p.operations.find((o) => o._tag === "Move" && !o.final)
    expect(detour).toMatchObject({ id: "a", position: 3 })
    expect(run(current, p.operations, "b")).toEqual(["b", "a", "c"])
  })

  it("puts the immediate first email at position 0", () => {
    const current = [
      { id: "a", position: 3 },
      { id: "b", position: 5 }
    ]
    const p = plan({ current, order: [existing("b"), existing("a")], pinFirst: true })
    expect(p.positions[0]).toBe(0)
    expect(run(current, p.operations, "b")).toEqual(["b", "a"])
    const withNew = plan({ current, order: [created(0), existing("a"), existing("b")], pinFirst: true })
    expect(withNew.operations).toEqual([{ _tag: "Create", index: 0, position: 0 }])
  })

  it("deletes first, then moves, then creates", () => {
    const p = plan({ current: five, order: [created(0), existing("e"), existing("a"), created(1)] })
    const tags = p.operations.map((o) => o._tag)
    expect(tags.indexOf("Delete")).toBe(0)
    expect(tags.lastIndexOf("Delete")).toBeLessThan(tags.indexOf("Move"))
    expect(tags.lastIndexOf("Move")).toBeLessThan(tags.indexOf("Create"))
    expect(run(five, p.operations)).toEqual(["new:0", "e", "a", "new:1"])
  })

  it("appends after the last email without moving anything", () => {
    const p = plan({ current: five, order: [...five.map((e) => existing(e.id)), created(0)] })
    expect(p.operations).toEqual([{ _tag: "Create", index: 0, position: 5 }])
  })

  it("inserts into a gap without moving anything", () => {
    const current = [
      { id: "a", position: 0 },
      { id: "b", position: 2 }
    ]
    const p = plan({ current, order: [existing("a"), created(0), existing("b")] })
    expect(p.operations).toEqual([{ _tag: "Create", index: 0, position: 1 }])
  })

  // Random current positions (unique, with gaps) and a random desired order with deletes and creates.
  const scenario = fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 9 }).chain((positions) => {
    const current = positions.map((position, i) => ({ id: `e${i}`, position }))
    return fc
      .tuple(
        fc.shuffledSubarray(
          current.map((e) => e.id),
          { minLength: 0, maxLength: current.length }
        ),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.boolean()
      )
      .map(([kept, creates, slots, pinFirst]) => {
        const order: Array<Target> = kept.map(existing)
        for (let k = 0; k < creates; k++) order.splice((slots[k] ?? 0) % (order.length + 1), 0, created(k))
        return { current, order, pinFirst }
      })
  })

  it("property: always ends in the desired order, never collides, with the fewest moves", () => {
    fc.assert(
      fc.property(scenario, ({ current, order, pinFirst }) => {
        const p = plan({ current, order, pinFirst })
        const pinned = pinFirst && order[0]?._tag === "Existing" ? order[0].id : undefined
        expect(run(current, p.operations, pinned)).toEqual(expected(order))
        if (pinFirst && order.length > 0) expect(p.positions[0]).toBe(0)

        const moves = p.operations.filter((o) => o._tag === "Move")
        const movedEmails = new Set(moves.map((o) => (o._tag === "Move" ? o.id : ""))).size
        // one request per moved email, plus one detour per cycle, never more
        expect(moves.length).toBeLessThanOrEqual(movedEmails + p.cycles)
        expect(p.cycles).toBeLessThanOrEqual(Math.floor(movedEmails / 2))
        // every existing email in the order is kept or moved exactly once (plus detours)
        const inOrder = order.filter((t) => t._tag === "Existing").length
        expect(p.kept.length + movedEmails).toBe(inOrder)
        // no more moved emails than necessary (pinning can force the first to move)
        // (an immediate first email may only stay if it already sits at 0)
        expect(p.kept.length).toBe(bruteForceKept(current, order, pinFirst))
        // deletes are exactly the emails left out
        const deletes = p.operations.filter((o) => o._tag === "Delete").length
        expect(deletes).toBe(current.length - inOrder)
        expect(p.operations.filter((o) => o._tag === "Create")).toHaveLength(order.length - inOrder)
      }),
      { numRuns: 500 }
    )
  })
})
