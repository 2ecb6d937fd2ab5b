/**
 * The small pure pieces: selections in the core's terms, and how an `Exit` becomes a value or one
 * thrown `Error`.
 */
import { SequenceError } from "@unisequence/core"
import { Cause, Exit, FiberId } from "effect"
import { describe, expect, it } from "vitest"
import { SequenceNotFound } from "../src/index.js"
import { selection } from "../src/internal/engine.js"
import { abortReason, unwrap } from "../src/internal/run.js"

describe("selection", () => {
  it("maps every form to the core's selection", () => {
    expect(selection(undefined)).toEqual({ _tag: "All" })
    expect(selection("all")).toEqual({ _tag: "All" })
    expect(selection({ ids: ["1", "2"] })).toEqual({ _tag: "Ids", ids: ["1", "2"] })
    expect(selection({ nameContains: "Wel" })).toEqual({ _tag: "NameContains", text: "Wel" })
  })
})

describe("unwrap", () => {
  it("returns a success's value", () => {
    expect(unwrap(Exit.succeed(42))).toBe(42)
  })

  it("throws a failure as this package's error", () => {
    const failure = new SequenceError.SequenceNotFound({
      provider: "memory",
      operation: "get",
      sequenceId: "1"
    })
    expect(() => unwrap(Exit.fail(failure))).toThrow(SequenceNotFound)
  })

  it("throws a defect as it is", () => {
    const defect = new TypeError("a bug")
    expect(() => unwrap(Exit.die(defect))).toThrow(defect)
  })

  it("throws the signal's reason for an interruption, or an AbortError", () => {
    const controller = new AbortController()
    controller.abort(new Error("stopped by the user"))
    const interrupted = Exit.failCause(Cause.interrupt(FiberId.none))
    expect(() => unwrap(interrupted, controller.signal)).toThrow("stopped by the user")
    expect(abortReason(undefined)).toMatchObject({ name: "AbortError" })
  })
})
