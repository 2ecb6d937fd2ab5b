/** Numbers beyond Apollo's fields (32-bit integers; a reply delay of at most 1000 days): refused before any request. */
import { describe, expect, it } from "@effect/vitest"
import { Capabilities } from "@unisequence/core"
import { Effect } from "effect"
import * as Apollo from "../src/Apollo.js"
import { fourSteps, harness, seededId } from "./helpers.js"

const paths = (e: { readonly _tag: string }) =>
  "issues" in e ? (e.issues as ReadonlyArray<{ readonly path: string }>).map((i) => i.path) : [e._tag]

describe("Apollo: numbers past its fields' range", () => {
  it("the limits are Apollo's capabilities (data)", () => {
    expect(Apollo.capabilities.ranges).toEqual({
      delay: Capabilities.int32Max,
      maxEmailsPerDay: Capabilities.int32Max,
      sameAccountReplyDelayDays: 1000
    })
  })

  it.scoped(
    "create, update and step edits with a number Apollo cannot hold: InvalidInput at its path, no request",
    () =>
      Effect.gen(function* () {
        const { sim, apollo } = yield* harness({
          seed: { sequences: [{ name: "Four", emailer_steps: fourSteps }] }
        })
        const s = apollo.sequences
        const id = seededId(sim)
        const steps = sim.state().sequences[0]!.emailer_steps
        sim.clearLog()
        const create = yield* Effect.flip(
          s.create({
            name: "Big",
            limits: { maxEmailsPerDay: 3_000_000_000, sameAccountReplyDelayDays: 1001 },
            steps: [{ delay: { value: 2 ** 31, unit: "minutes" }, type: "call" }]
          })
        )
        expect(paths(create)).toEqual([
          "limits.maxEmailsPerDay",
          "limits.sameAccountReplyDelayDays",
          "steps[0].delay.value"
        ])
        const update = yield* Effect.flip(s.update(id, { limits: { maxEmailsPerDay: 2 ** 40 } }))
        expect(paths(update)).toEqual(["limits.maxEmailsPerDay"])
        const edit = yield* Effect.flip(
          s.updateStep(id, steps[2]!.id, { delay: { value: 2 ** 31, unit: "days" } })
        )
        expect(paths(edit)).toEqual(["patch.delay.value"])
        const add = yield* Effect.flip(
          s.addStep(id, { delay: { value: 2 ** 31, unit: "hours" }, type: "call" })
        )
        expect(paths(add)).toEqual(["step.delay.value"])
        expect(sim.requests).toHaveLength(0)
        expect(sim.state().sequences).toHaveLength(1)
      })
  )
})
