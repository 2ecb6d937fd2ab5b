/**
 * Contract: in each test, every request the adapter makes and every answer of the simulator's
 * documented profile validate against Kit's own documents (`../shared/specs/kit-*.yml`), read from
 * that test's own simulator log. Outside CI, a clone without `../shared` skips with the reason.
 */
import { describe, expect, it } from "@effect/vitest"
import { OpenApiContract } from "@unisequence/testing"
import { Chunk, Effect, Stream } from "effect"
import { contractCheck, fiveEmails, setup } from "./helpers.js"

const sequences = OpenApiContract.loadForTest("kit-sequences.yml")
const emails = OpenApiContract.loadForTest("kit-sequence-emails.yml")
const missing = sequences.reason ?? emails.reason

describe.skipIf(missing !== undefined)(`Kit contract ${missing ?? ""}`, () => {
  it.live("a full workflow: every request and every documented answer validates", () =>
    Effect.gen(function* () {
      const {
        sim,
        sequences: kit,
        client
      } = yield* setup({
        seed: {
          subscribers: [
            { id: 7, email_address: "ann@example.com" },
            { id: 8, email_address: "bob@example.com" }
          ],
          sequences: [fiveEmails()]
        }
      })
      const created = yield* kit.create({
        name: "Contract",
        schedule: { _tag: "Weekly", days: ["monday", "friday"], hour: 9, timeZone: "Europe/Paris" },
        steps: [
          { delay: { value: 0, unit: "days" }, email: { subject: "A", html: "<p>A</p>", previewText: "pa" } },
          { delay: { value: 2, unit: "hours" }, email: { subject: "B", html: "<p>B</p>" } }
        ]
      })
      yield* kit.update(created.id, { name: "Contract 2" })
      const step = yield* kit.addStep(created.id, {
        delay: { value: 1, unit: "days" },
        email: { subject: "C", html: "<p>C</p>" }
      })
      yield* kit.updateStep(created.id, step.id, { email: { subject: "C2" } })
      yield* kit.moveStep("1", "103", 4)
      yield* kit.removeStep("1", "105")
      yield* kit.setActive(created.id, false)
      yield* kit.setActive(created.id, true)
      yield* kit.enroll(created.id, { emails: ["ann@example.com"], ids: ["8"] })
      yield* kit.get(created.id)
      yield* client.getEmail(Number(created.id), Number(step.id))
      yield* Stream.runCollect(kit.list()).pipe(Effect.map(Chunk.size))
      yield* Stream.runCollect(client.listSubscribers(Number(created.id), { status: "all" }))
      yield* Effect.flip(kit.get("999"))
      yield* kit.remove(created.id)

      const check = contractCheck(sim)
      expect(check?.failures).toEqual([])
      // The log is this test's own: it cannot be empty, and every answer was checked.
      expect(check?.requests).toBeGreaterThan(5)
      expect(check?.responses).toBe(sim.requests.length)
      expect(check?.undocumented).toEqual([])
      const calls = sim.requests.map((r) => ({ method: r.method, path: r.path }))
      const uncovered = [sequences.contract, emails.contract].flatMap(
        (c) => c?.uncovered(calls).map((o) => `${o.method} ${o.path}`) ?? []
      )
      expect(uncovered).toEqual([])
    }).pipe(Effect.scoped)
  )

  it.live("a failing write: the refused request is valid and the 422 answer is documented", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const refused = yield* Effect.flip(client.updateSequence(1, { send_hour: 99 }))
      expect(refused._tag).toBe("InvalidInput")
      const check = contractCheck(sim)
      expect(check?.failures).toEqual([])
      expect(sim.requests.map((r) => r.status)).toEqual([422])
      expect(check?.responses).toBe(1)
    }).pipe(Effect.scoped)
  )
})
