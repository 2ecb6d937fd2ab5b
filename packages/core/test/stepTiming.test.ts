import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { Capabilities, Memory, type Sequence } from "../src/index.js"

/** A source whose steps may be timed by an option of its own (as Apollo's exact date and time). */
const source: Capabilities.Capabilities = {
  ...Memory.capabilities,
  provider: "timed",
  displayName: "Timed",
  keepsForeignOptions: false,
  options: { stepTiming: { at: "at an exact date and time" } }
}
const target: Capabilities.Capabilities = {
  ...Memory.capabilities,
  provider: "plain",
  displayName: "Plain",
  keepsForeignOptions: false
}

const sequence = (at: unknown): Sequence.NewSequence => ({
  name: "S",
  active: false,
  steps: [
    {
      delay: { value: 0, unit: "days" },
      type: "email",
      published: false,
      email: { subject: "a", html: "a" }
    },
    {
      delay: { value: 0, unit: "days" },
      type: "email",
      published: false,
      email: { subject: "b", html: "b" },
      providerOptions: { timed: { at } }
    }
  ]
})

describe("translate: a step timed by its provider's own option", () => {
  it("is Unsupported on another provider, naming the step and the time; unset, it is not", () => {
    const result = Capabilities.translateEither(sequence("2030-01-01T09:00:00Z"), target, {
      sources: [source]
    })
    expect(Either.isLeft(result) && [result.left.feature, result.left.detail]).toEqual([
      "steps[1].providerOptions.timed.at",
      "steps[1] is sent at an exact date and time (2030-01-01T09:00:00Z) in Timed; Plain steps wait a delay after the previous one, so its recipients would be mailed at another time"
    ])
    expect(Either.isRight(Capabilities.translateEither(sequence(null), target, { sources: [source] }))).toBe(
      true
    )
  })

  it("where the source times steps only under a sequence flag: blocked with the flag, a warned drop without", () => {
    const flagged: Capabilities.Capabilities = {
      ...source,
      options: { ...source.options, stepTimingFlag: ["flags", "byDate"] }
    }
    const timed = {
      ...sequence("2030-01-01T09:00:00Z"),
      providerOptions: { timed: { flags: { byDate: true } } }
    }
    const blocked = Capabilities.translateEither(timed, target, { sources: [flagged] })
    expect(Either.isLeft(blocked) && blocked.left.feature).toBe("steps[1].providerOptions.timed.at")
    for (const options of [undefined, { timed: { flags: { byDate: false } } }]) {
      const leftover = {
        ...sequence("2030-01-01T09:00:00Z"),
        ...(options === undefined ? {} : { providerOptions: options })
      }
      const result = Capabilities.translateEither(leftover, target, { sources: [flagged] })
      expect(Either.isRight(result)).toBe(true)
      if (Either.isLeft(result)) return
      const warning = result.right.warnings.find((w) => w.path === "steps[1].providerOptions.timed.at")
      expect(warning?.kind).toBe("dropped")
      expect(warning?.detail).toBe(
        'a leftover setting to send at an exact date and time (was "2030-01-01T09:00:00Z") that Timed ignores: this sequence is not timed by date there, its steps wait their delays, as they do in Plain'
      )
      expect(result.right.sequence.steps[1]!.providerOptions?.timed).toBeUndefined()
    }
  })

  it("is carried where the target is the same provider or keeps every option", () => {
    expect(
      Either.isRight(
        Capabilities.translateEither(sequence("2030-01-01T09:00:00Z"), source, { sources: [source] })
      )
    ).toBe(true)
    expect(
      Either.isRight(
        Capabilities.translateEither(sequence("2030-01-01T09:00:00Z"), Memory.capabilities, {
          sources: [source]
        })
      )
    ).toBe(true)
  })
})
