/**
 * A migration between two accounts of one provider. The source's read-only bookkeeping (Apollo's
 * touch ids) names the source's objects, never the target's: a rerun with nothing changed writes
 * nothing, and an email edited at the source updates the target's touch in place (its id, and what
 * Apollo holds on it, kept) instead of replacing it.
 */
import { Journal } from "@unisequence/core"
import { ApolloSimulator } from "@unisequence/testing"
import { apolloOn } from "./adapters.js"
import { applyWith, planWith } from "./journaled.js"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const seed: ApolloSimulator.Seed = {
  sequences: [
    {
      name: "Onboarding",
      emailer_steps: [
        {
          type: "auto_email",
          wait_time: 0,
          wait_mode: "day",
          emailer_touches: [
            { status: "approved", emailer_template: { subject: "Welcome", body_html: "<p>Hi</p>" } }
          ]
        },
        {
          type: "auto_email",
          wait_time: 2,
          wait_mode: "day",
          emailer_touches: [
            { status: "approved", emailer_template: { subject: "Tips", body_html: "<p>Tips</p>" } }
          ]
        }
      ]
    }
  ]
}

describe("Apollo → Apollo", () => {
  it.scoped("a rerun writes nothing; an email edited at the source keeps the target's touch", () =>
    Effect.gen(function* () {
      const from = yield* ApolloSimulator.start({ rateLimit: false, quirks: { readOneSequence: true }, seed })
      const to = yield* ApolloSimulator.start({ rateLimit: false, quirks: { readOneSequence: true } })
      const source = yield* apolloOn(from)
      const target = yield* apolloOn(to)
      const journal = yield* Journal.makeMemory()
      yield* applyWith(yield* planWith(source, target, journal), target, journal)
      const touchIds = () =>
        to.state().sequences[0]!.emailer_steps.flatMap((step) => step.emailer_touches.map((t) => t.id))
      const created = touchIds()
      expect(created.length).toBe(2)

      to.clearLog()
      const again = yield* planWith(source, target, journal)
      expect(again.sequences.map((s) => s.action)).toEqual(["unchanged"])
      yield* applyWith(again, target, journal)
      expect(to.requests.filter((r) => r.method !== "GET" && r.operation !== "search")).toEqual([])

      const sourceId = from.state().sequences[0]!.id
      const read = yield* source.get(sourceId)
      yield* source.updateStep(sourceId, read.steps[1]!.id, { email: { subject: "Tips, week 1" } })
      const edited = yield* planWith(source, target, journal)
      expect(edited.sequences.map((s) => s.action)).toEqual(["update"])
      yield* applyWith(edited, target, journal)
      const subjects = to
        .state()
        .sequences[0]!.emailer_steps.map((step) => step.emailer_touches[0]?.emailer_template.subject)
      expect(subjects).toEqual(["Welcome", "Tips, week 1"])
      expect(touchIds()).toEqual(created)
    })
  )
})
