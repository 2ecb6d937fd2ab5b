/** Deletes under faults: a lost answer is not a failure, a garbled one is not a success. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fiveEmails, lines, setup } from "./helpers.js"

describe("Kit adapter: deletes under faults", () => {
  it.scopedLive(
    "a delete whose answer was lost after it happened is retried, and the 404 that follows counts as done",
    () =>
      Effect.gen(function* () {
        const { sim, sequences } = yield* setup({
          seed: { sequences: [fiveEmails()] },
          faults: {
            seed: 1,
            limit: 1,
            operations: { deleteSequence: { reset: { rate: 1, afterCommit: true } } }
          }
        })
        yield* sequences.remove("1")
        expect(sim.faultCounts.reset).toBe(1)
        expect(lines(sim)).toEqual(["DELETE /v4/sequences/1", "DELETE /v4/sequences/1"])
        expect(sim.requests.map((r) => r.status)).toEqual([null, 404])
        expect(sim.state().sequences).toEqual([])
      })
  )

  it.scopedLive("a delete that is not found at the first attempt is still SequenceNotFound", () =>
    Effect.gen(function* () {
      const { sequences } = yield* setup()
      const error = yield* Effect.flip(sequences.remove("42"))
      expect(error._tag).toBe("SequenceNotFound")
    })
  )

  it.scopedLive(
    "a 200 with an HTML page is not Kit's answer to a delete: it is retried, never taken as success",
    () =>
      Effect.gen(function* () {
        const { sim, sequences } = yield* setup({
          seed: { sequences: [fiveEmails()] },
          faults: {
            seed: 2,
            limit: 1,
            operations: { deleteEmail: { malformed: { rate: 1, kinds: ["html_200"] } } }
          }
        })
        const [first] = sim.state().sequences[0]!.emails
        yield* sequences.removeStep("1", String(first!.id))
        expect(sim.faultCounts.malformed).toBe(1)
        expect(lines(sim).filter((l) => l.startsWith("DELETE"))).toHaveLength(2)
        expect(sim.state().sequences[0]!.emails).toHaveLength(4)
      })
  )
})
