/** Library input is checked as strictly as files are: every path, every rule, before any request. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fiveEmails, lines, setup } from "./helpers.js"

describe("Kit: unknown fields are refused, naming the field, with no request", () => {
  it.live("update({ nmae }) and updateStep({ email: { subjet } }) are InvalidInput", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      sim.clearLog()
      const update = yield* Effect.flip(sequences.update("1", { nmae: "x" } as never))
      expect(update._tag).toBe("InvalidInput")
      expect(update.message).toContain("nmae")
      const stepEdit = yield* Effect.flip(
        sequences.updateStep("1", "102", { email: { subjet: "x" } } as never)
      )
      expect(stepEdit._tag).toBe("InvalidInput")
      expect(stepEdit.message).toContain("email.subjet")
      expect(sim.requests).toHaveLength(0)
    }).pipe(Effect.scoped)
  )
})

describe("Kit: every rule on every path (updateStep's fast path as replaceSteps)", () => {
  const hourly = () => {
    const seed = fiveEmails()
    return {
      seed: {
        sequences: [
          {
            ...seed,
            emails: seed.emails!.map((e, i) =>
              i === 1
                ? { ...e, delay_unit: "hours" as const }
                : i === 2
                  ? { ...e, send_days: ["monday" as const] }
                  : e
            )
          }
        ]
      }
    }
  }

  it.live("send days on an hour-based email are refused locally: a read, no write", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup(hourly())
      sim.clearLog()
      const error = yield* Effect.flip(sequences.updateStep("1", "102", { sendDays: ["monday"] }))
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toContain("sendDays: only day-based steps may set send days")
      expect(lines(sim).every((line) => line.startsWith("GET "))).toBe(true)
      // replaceSteps refuses the same, with no request at all.
      sim.clearLog()
      const current = yield* sequences.get("1")
      sim.clearLog()
      const viaReplace = yield* Effect.flip(
        sequences.replaceSteps(
          "1",
          current.steps.map((s, i) => (i === 1 ? { ...s, sendDays: ["monday" as const] } : s))
        )
      )
      expect(viaReplace._tag).toBe("InvalidInput")
      expect(sim.requests).toHaveLength(0)
    }).pipe(Effect.scoped)
  )

  it.live("an email with send days does not lose them silently when it becomes hour-based", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup(hourly())
      sim.clearLog()
      const error = yield* Effect.flip(
        sequences.updateStep("1", "103", { delay: { value: 4, unit: "hours" } })
      )
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toContain("clear sendDays first")
      expect(lines(sim).every((line) => line.startsWith("GET "))).toBe(true)
      expect((yield* sequences.get("1")).steps[2]?.sendDays).toEqual(["monday"])
      // Saying so is enough: the days go, as asked.
      yield* sequences.updateStep("1", "103", { delay: { value: 4, unit: "hours" }, sendDays: null })
      const after = (yield* sequences.get("1")).steps[2]
      expect(after?.delay).toEqual({ value: 4, unit: "hours" })
      expect(after?.sendDays).toBeUndefined()
    }).pipe(Effect.scoped)
  )

  it.live("a zero delay on a later email is refused before any write", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      sim.clearLog()
      const error = yield* Effect.flip(
        sequences.updateStep("1", "103", { delay: { value: 0, unit: "days" } })
      )
      expect(error._tag).toBe("InvalidInput")
      expect(lines(sim).every((line) => line.startsWith("GET "))).toBe(true)
    }).pipe(Effect.scoped)
  )
})

describe("Kit: a position taken by another writer", () => {
  it.live("is a Conflict (try again), not InvalidInput, over HTTP", () =>
    Effect.gen(function* () {
      const { client } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      // Another writer holds position 2 (the seed's third email): this write lands on it.
      const error = yield* Effect.flip(
        client.createEmail("1", {
          subject: "Late",
          content: "<p>x</p>",
          delay_value: 1,
          delay_unit: "days",
          published: false,
          position: 2
        })
      )
      expect(error._tag).toBe("Conflict")
      expect(error.message).toContain("position has already been taken")
      expect(error.isRetryable).toBe(true)
    }).pipe(Effect.scoped)
  )
})

describe("Kit: a create that fails after its first write leaves nothing behind", () => {
  const three = {
    name: "Three",
    steps: [1, 2, 3].map((n, i) => ({
      delay: { value: i === 0 ? 0 : 1, unit: "days" as const },
      email: { subject: `S${n}`, html: `<p>${n}</p>` }
    }))
  }

  it.live("a refused email deletes the sequence; the error is the refusal", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({
        faults: { operations: { createEmail: { serverError: { rate: 1, statuses: [500] } } } }
      })
      const error = yield* Effect.flip(sequences.create(three))
      expect(error._tag).toBe("ProviderUnavailable")
      expect(error.leftBehind).toBeUndefined()
      expect(lines(sim)).toContain("DELETE /v4/sequences/1")
      expect(sim.state().sequences).toEqual([])
    }).pipe(Effect.scoped)
  )

  it.live("when the clean-up fails too, the error names the partial sequence", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({
        faults: {
          operations: {
            createEmail: { serverError: { rate: 1, statuses: [500] } },
            deleteSequence: { serverError: { rate: 1, statuses: [500] } }
          }
        }
      })
      const error = yield* Effect.flip(sequences.create(three))
      expect(error._tag).toBe("ProviderUnavailable")
      expect(error.leftBehind).toBe("1")
      expect(error.message).toContain("sequence 1 is left partly written")
      expect(sim.state().sequences.map((s) => s.id)).toEqual([1])
    }).pipe(Effect.scoped)
  )
})
