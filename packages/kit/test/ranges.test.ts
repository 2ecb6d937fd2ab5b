/**
 * Numbers beyond what Kit's fields hold (its document types them `integer`: 32-bit) are
 * `InvalidInput` at their path before any request, on every input; today's defect was an empty
 * sequence created, then an untyped failure encoding the first email.
 */
import { describe, expect, it } from "@effect/vitest"
import { Capabilities } from "@unisequence/core"
import { Effect } from "effect"
import * as Kit from "../src/Kit.js"
import { fiveEmails, setup } from "./helpers.js"

const email = { subject: "Hi", html: "<p>Hi</p>" }
const beyond = Capabilities.int32Max + 1

describe("Kit: numbers past its fields' range", () => {
  it("the limits are Kit's capabilities (data), not core's", () => {
    expect(Kit.capabilities.ranges).toEqual({ delay: 2147483647, numericIds: 2147483647 })
  })

  it.live("create with a huge delay or template id: InvalidInput at each path, nothing created", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup()
      const error = yield* Effect.flip(
        sequences.create({
          name: "Big",
          templateId: "9999999999999999",
          steps: [
            { delay: { value: 0, unit: "days" }, email: { ...email, templateId: "9999999999999999" } },
            { delay: { value: beyond, unit: "hours" }, email }
          ]
        })
      )
      expect(error._tag).toBe("InvalidInput")
      expect(error._tag === "InvalidInput" && error.issues.map((i) => i.path)).toEqual([
        "templateId",
        "steps[0].email.templateId",
        "steps[1].delay.value"
      ])
      expect(error.message).toContain("2147483647")
      expect(sim.requests).toHaveLength(0)
      expect(sim.state().sequences).toHaveLength(0)
    }).pipe(Effect.scoped)
  )

  it.live("update, addStep, updateStep and replaceSteps refuse them the same way, with no request", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      sim.clearLog()
      const paths = (e: { readonly _tag: string }) =>
        "issues" in e ? (e.issues as ReadonlyArray<{ readonly path: string }>).map((i) => i.path) : [e._tag]
      const update = yield* Effect.flip(
        sequences.update("1", {
          templateId: String(beyond),
          exclusions: [{ type: "tag", ids: ["12", "99999999999"] }]
        })
      )
      expect(paths(update)).toEqual(["templateId", "exclusions[0].ids[1]"])
      const add = yield* Effect.flip(
        sequences.addStep("1", { delay: { value: beyond, unit: "days" }, email })
      )
      expect(paths(add)).toEqual(["step.delay.value"])
      const edit = yield* Effect.flip(
        sequences.updateStep("1", "102", { email: { templateId: "9999999999999999" } })
      )
      expect(paths(edit)).toEqual(["patch.email.templateId"])
      const replace = yield* Effect.flip(
        sequences.replaceSteps("1", [
          { delay: { value: 0, unit: "days" }, email },
          { delay: { value: 1e12, unit: "days" }, email }
        ])
      )
      expect(paths(replace)).toEqual(["steps[1].delay.value"])
      expect(sim.requests).toHaveLength(0)
      // At the limit itself: accepted and written.
      yield* sequences.updateStep("1", "102", { delay: { value: Capabilities.int32Max, unit: "days" } })
      expect(sim.state().sequences[0]!.emails[1]!.delay_value).toBe(Capabilities.int32Max)
    }).pipe(Effect.scoped)
  )
})
