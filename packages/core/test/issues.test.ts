import { describe, expect, it } from "@effect/vitest"
import { collapse } from "../src/internal/issues.js"

describe("collapse", () => {
  it("drops an optional field's 'Expected undefined' when the field is wrong deeper down", () => {
    expect(
      collapse([
        { path: "steps", message: "Expected undefined, actual [1]" },
        { path: "steps[0]", message: "Expected number, actual 1" }
      ])
    ).toEqual([{ path: "steps[0]", message: "Expected number, actual 1" }])
  })

  it("drops a nullable field's 'Expected null' when the field is wrong deeper down", () => {
    expect(
      collapse([
        { path: "sendDays", message: 'Expected null, actual ["friday","friday"]' },
        { path: "sendDays[1]", message: 'duplicate weekday "friday"' }
      ])
    ).toEqual([{ path: "sendDays[1]", message: 'duplicate weekday "friday"' }])
  })

  it("keeps 'Expected undefined' when nothing deeper explains it", () => {
    expect(collapse([{ path: "id", message: "Expected undefined, actual 3" }])).toHaveLength(1)
  })

  it("prefers a transformation's own words over the generic alternatives", () => {
    expect(
      collapse([
        { path: "delay", message: 'Expected { value: number }, actual "2 weeks"' },
        { path: "delay", message: 'expected a delay such as "2 days", got "2 weeks"' }
      ])
    ).toEqual([{ path: "delay", message: 'expected a delay such as "2 days", got "2 weeks"' }])
  })

  it("joins a union's alternatives into one message", () => {
    expect(
      collapse([
        { path: "unit", message: 'Expected "days", actual "weeks"' },
        { path: "unit", message: 'Expected "hours", actual "weeks"' }
      ])
    ).toEqual([{ path: "unit", message: 'Expected "days" | "hours", actual "weeks"' }])
  })

  it("keeps other fields of the issue (a file's key path)", () => {
    const [only] = collapse([{ path: "a", message: "is missing", keys: ["a"] }])
    expect(only?.keys).toEqual(["a"])
  })
})
