import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Journal, Memory, Migration } from "../src/index.js"

describe("migration smoke", () => {
  it.effect("memory to memory, rerun writes nothing", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      const target = yield* Memory.make({ pageSize: 2 })
      for (const n of [1, 2, 3]) {
        yield* source.create({
          name: `Seq ${n}`,
          active: true,
          steps: [
            {
              delay: { value: 0, unit: "days" },
              email: { subject: "Hi", html: "<p>hi</p>" },
              published: true
            },
            { delay: { value: 2, unit: "hours" }, email: { subject: "Tips", html: "<p>t</p>" } }
          ]
        })
      }
      const journal = Journal.memory()
      const plan = yield* Migration.plan({ source, target, journal })
      expect(plan.sequences.map((s) => s.action)).toEqual(["create", "create", "create"])
      const result = yield* Migration.apply(plan, { target, journal })
      expect(result.outcomes.map((o) => o.verification)).toEqual(["verified", "verified", "verified"])
      const writes = yield* target.writeCount
      const again = yield* Migration.plan({ source, target, journal })
      expect(again.sequences.map((s) => s.action)).toEqual(["unchanged", "unchanged", "unchanged"])
      yield* Migration.apply(again, { target, journal })
      expect(yield* target.writeCount).toBe(writes)
    })
  )
})
