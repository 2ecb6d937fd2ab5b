/** A create that fails after its first write leaves nothing behind, or says what it left. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { harness } from "./helpers.js"

describe("Apollo: a failed create archives what it created", () => {
  it.live(
    "create({ active: true, steps: [] }) with the activation refused: archived, the error is the refusal",
    () =>
      Effect.gen(function* () {
        const { sim, apollo } = yield* harness({
          faults: { operations: { approve: { serverError: { rate: 1, statuses: [500] } } } }
        })
        const error = yield* Effect.flip(apollo.sequences.create({ name: "Empty", active: true, steps: [] }))
        expect(error._tag).toBe("ProviderUnavailable")
        expect(error.leftBehind).toBeUndefined()
        const left = sim.state().sequences
        expect(left).toHaveLength(1)
        expect(left[0]!.archived).toBe(true)
        expect(left[0]!.active).toBe(false)
      }).pipe(Effect.scoped)
  )

  it.live("when archiving fails too, the error names the partial sequence", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness({
        faults: {
          operations: {
            approve: { serverError: { rate: 1, statuses: [500] } },
            archive: { serverError: { rate: 1, statuses: [500] } }
          }
        }
      })
      const error = yield* Effect.flip(apollo.sequences.create({ name: "Empty", active: true, steps: [] }))
      const id = sim.state().sequences[0]!.id
      expect(error.leftBehind).toBe(id)
      expect(error.message).toContain(`sequence ${id} is left partly written`)
      expect(sim.state().sequences[0]!.archived).toBe(false)
    }).pipe(Effect.scoped)
  )
})
