import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream, Chunk } from "effect"
import { Memory } from "../src/index.js"

describe("memory smoke", () => {
  it.effect("create, patch, steps, list", () =>
    Effect.gen(function* () {
      const s = yield* Memory.make({ pageSize: 2 })
      const seq = yield* s.create({
        name: "Welcome",
        steps: [
          { delay: { value: 0, unit: "days" }, email: { subject: "Hi", html: "<p>hi</p>" } },
          { delay: { value: 2, unit: "days" }, email: { subject: "Tips", html: "<p>t</p>" } }
        ]
      })
      yield* s.update(seq.id, { name: "Welcome 2" })
      const added = yield* s.addStep(seq.id, {
        delay: { value: 3, unit: "hours" },
        email: { subject: "More", html: "x" }
      })
      yield* s.moveStep(seq.id, added.id, 1)
      const got = yield* s.get(seq.id)
      expect(got.name).toBe("Welcome 2")
      expect(got.steps.map((x) => x.email?.subject)).toEqual(["Hi", "More", "Tips"])
      const bad = yield* Effect.flip(s.create({ name: " ", steps: [{ delay: { value: -1, unit: "days" } }] }))
      expect(bad._tag).toBe("InvalidInput")
      console.log(bad.message)
      const all = yield* Stream.runCollect(s.list())
      expect(Chunk.size(all)).toBe(1)
    })
  )
})
