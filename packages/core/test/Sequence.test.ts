import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Equal, FastCheck as fc, Schema } from "effect"
import * as Model from "../src/Sequence.js"

describe("fromDecoded", () => {
  const weekly = { days: ["monday", "friday"] as const, hour: 9, timeZone: "Europe/Paris" }
  const summary = {
    id: "7",
    name: "Welcome",
    schedule: Model.fromDecoded(Model.Weekly, weekly),
    reentry: false,
    active: true,
    raw: { id: 7 }
  }
  const step = {
    id: "s1",
    delay: { value: 1, unit: "days" as const },
    type: "email" as const,
    email: { subject: "Hi", html: "<p>hi</p>" },
    published: true
  }

  const sequence = { ...summary, active: true, steps: [new Model.Step(step, true)] }

  it("builds what the constructor builds without validation: same class, same fields in the same order, equal", () => {
    const cases: ReadonlyArray<readonly [object, object]> = [
      [Model.fromDecoded(Model.Weekly, weekly), new Model.Weekly(weekly, true)],
      [Model.fromDecoded(Model.SequenceSummary, summary), new Model.SequenceSummary(summary, true)],
      [Model.fromDecoded(Model.Step, step), new Model.Step(step, true)],
      // Plain arrays compare by reference in `Equal`: the same steps in both.
      [Model.fromDecoded(Model.Sequence, sequence), new Model.Sequence(sequence, true)]
    ]
    // The props are valid: the validating constructor accepts them too.
    expect(() => [
      new Model.Weekly(weekly),
      new Model.SequenceSummary(summary),
      new Model.Sequence(sequence)
    ]).not.toThrow()
    for (const [fast, made] of cases) {
      expect(Object.getPrototypeOf(fast)).toBe(Object.getPrototypeOf(made))
      expect(Object.keys(fast)).toStrictEqual(Object.keys(made))
      expect(Equal.equals(fast, made)).toBe(true)
    }
  })

  it("summaryOf and weeklyOf make what the constructor makes, every field of a list item included", () => {
    fc.assert(
      fc.property(Arbitrary.make(Model.SequenceSummary), (made) => {
        const props: Model.SummaryProps = { ...made }
        const fast = Model.summaryOf(props)
        expect(Object.getPrototypeOf(fast)).toBe(Model.SequenceSummary.prototype)
        // A field given as `undefined` is a field not given.
        const given = Object.keys(made).filter((key) => Reflect.get(made, key) !== undefined)
        expect(Object.keys(fast).sort()).toStrictEqual(given.sort())
        expect(fast).toEqual(made)
      })
    )
    fc.assert(
      fc.property(Arbitrary.make(Model.Weekly), (made) => {
        const fast = Model.weeklyOf(made.days, made.hour, made.timeZone)
        expect(Object.getPrototypeOf(fast)).toBe(Model.Weekly.prototype)
        expect(fast).toStrictEqual(made)
        expect(Schema.encodeSync(Model.Weekly)(fast)).toStrictEqual(Schema.encodeSync(Model.Weekly)(made))
      })
    )
  })

  it("sets a tagged class's tag, as the constructor does", () => {
    const fast = Model.fromDecoded(Model.Weekly, weekly)
    expect(fast._tag).toBe("Weekly")
    expect(Schema.is(Model.Weekly)(fast)).toBe(true)
    expect(Schema.encodeSync(Model.Weekly)(fast)).toStrictEqual({ _tag: "Weekly", ...weekly })
  })

  it("keeps the props given and does not share the props object", () => {
    const props = { ...summary }
    const fast = Model.fromDecoded(Model.SequenceSummary, props)
    expect(fast).not.toBe(props)
    expect(fast.raw).toBe(summary.raw)
    expect(fast instanceof Model.SequenceSummary).toBe(true)
  })
})
