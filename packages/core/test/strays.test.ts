import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Memory, type Sequences } from "../src/index.js"
import { markedName, sweepAll, tokensOf } from "../src/internal/strays.js"

const names = (target: Sequences.Sequences) =>
  Stream.runCollect(target.list()).pipe(
    Effect.map((all) =>
      Chunk.toReadonlyArray(all)
        .map((s) => s.name)
        .sort()
    )
  )

describe("strays", () => {
  it("tokensOf reads the run tokens a name is marked with, and none from an unmarked name", () => {
    expect(tokensOf(markedName("Welcome", "00ab12cd34ef"))).toEqual(["00ab12cd34ef"])
    expect(tokensOf("Welcome [unisequence ]")).toEqual([])
    expect(tokensOf("Welcome")).toEqual([])
  })

  it.effect("sweepAll removes, in one listing, every sequence marked with a token but the one kept", () =>
    Effect.gen(function* () {
      const target = yield* Memory.make()
      const create = (name: string) => target.create({ name, steps: [] }).pipe(Effect.map((s) => s.id))
      const keepA = yield* create(markedName("A", "aaaa"))
      yield* create(markedName("A", "aaaa"))
      yield* create(markedName("A", "aaaa"))
      const keepB = yield* create("B")
      yield* create(markedName("B", "bbbb"))
      yield* create(markedName("C", "cccc"))
      yield* create("D")
      let lists = 0
      const counted: Sequences.Sequences = {
        ...target,
        list: (options) => {
          lists++
          return target.list(options)
        }
      }
      yield* sweepAll(
        counted,
        new Map([
          ["aaaa", keepA],
          ["bbbb", keepB]
        ])
      )
      expect(lists).toBe(1)
      // A's two strays and B's one are gone; C's token was not asked for, D carries none.
      expect(yield* names(target)).toEqual(["A [unisequence aaaa]", "B", "C [unisequence cccc]", "D"])
    })
  )
})
