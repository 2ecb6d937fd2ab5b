/**
 * Contract: in each test, what the adapter sends and what the simulator's documented profile answers
 * validate against Apollo's own document (`../shared/specs/apollo-sequences-openapi.json`), read from
 * that test's own simulator log. Outside CI, a clone without `../shared` skips with the reason.
 */
import { describe, expect, it } from "@effect/vitest"
import { OpenApiContract } from "@unisequence/testing"
import { Chunk, Effect, Stream } from "effect"
import { fourSteps, harness, seededId } from "./helpers.js"

const { contract, reason } = OpenApiContract.loadForTest("apollo-sequences-openapi.json")

describe.skipIf(contract === undefined)(`Apollo contract ${reason ?? ""}`, () => {
  it.scoped("every request body and every answer of a full workflow validates", () =>
    Effect.gen(function* () {
      const c = contract!
      const { sim, apollo } = yield* harness({
        // The documented profile, with the one read the document lacks turned on (the adapter needs it).
        profile: "documented",
        quirks: { readOneSequence: true },
        seed: { sequences: [{ name: "Four", emailer_steps: fourSteps }] }
      })
      const s = apollo.sequences
      const id = seededId(sim)
      const created = yield* s.create({
        name: "Contract",
        labels: ["Q3"],
        cc: ["cc@example.com"],
        limits: { maxEmailsPerDay: 20, sameAccountReplyDelayDays: 10 },
        providerOptions: { apollo: { createFlags: { mark_finished_if_reply: true } } },
        steps: [
          { delay: { value: 1, unit: "days" }, email: { subject: "A", html: "<p>A</p>" }, published: true },
          {
            delay: { value: 2, unit: "hours" },
            type: "call",
            providerOptions: { apollo: { priority: "high", note: "n" } }
          }
        ]
      })
      yield* s.update(created.id, { name: "Contract 2", bcc: ["b@example.com"], labels: [] })
      const current = yield* s.get(id)
      yield* s.updateStep(id, current.steps[1]!.id, { email: { subject: "Edited" } })
      yield* s.addStep(id, { delay: { value: 1, unit: "days" }, type: "action_item" })
      yield* s.setActive(id, true)
      yield* s.setActive(id, true)
      yield* s.setActive(id, false)
      const contacts = sim.state().contacts.map((x) => x.id)
      yield* s.enroll(id, { ids: contacts.slice(0, 2) })
      yield* apollo.client.removeOrStopContactIds({
        sequenceIds: [id],
        contactIds: [contacts[0]!],
        mode: "remove"
      })
      yield* Stream.runCollect(s.list()).pipe(Effect.map(Chunk.size))
      yield* s.remove(created.id)
      yield* apollo.client.verify()

      const check = OpenApiContract.checkLog([c], sim.requests, {
        tolerate: OpenApiContract.apolloDocumentConflict
      })
      expect(check.failures).toEqual([])
      // Apollo's document has no entry for reading one sequence; public clients use it.
      expect(new Set(check.undocumented.map((call) => call.replace(/[0-9a-f]{24}$/, "{id}")))).toEqual(
        new Set(["GET /api/v1/emailer_campaigns/{id}"])
      )
      // The log is this test's own: never empty, every whole answer checked.
      expect(check.requests).toBeGreaterThan(10)
      expect(check.responses).toBe(sim.requests.length - check.undocumented.length)
      // Every documented sequence operation was exercised.
      const calls = sim.requests.map((r) => ({ method: r.method, path: r.path }))
      expect(c.uncovered(calls).map((o) => `${o.method} ${o.path}`)).toEqual([])
    })
  )
})
