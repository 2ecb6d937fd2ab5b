/**
 * Rejections are this package's `Error` subclasses, one per tagged error, never a `FiberFailure`:
 * `instanceof` and `_tag` both work, with provider, operation, isRetryable, retryAfter and cause,
 * and no key in any message.
 */
import { SequenceError } from "@unisequence/core"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { describe, expect, it } from "vitest"
import {
  apollo,
  AuthenticationFailed,
  fromEffectError,
  InvalidInput,
  kit,
  memory,
  ProviderError,
  ProviderUnavailable,
  RateLimited,
  SequenceNotFound,
  StepNotFound,
  UnisequenceError,
  Unsupported
} from "../src/index.js"
import { simulators } from "./simulators.js"

const sims = simulators()

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable("expected a rejection"),
    (error: unknown) => error
  )

describe("errors", () => {
  it("SequenceNotFound: instanceof, _tag, fields, cause, not a FiberFailure", async () => {
    await using client = kit({ apiKey: "kit_test_key", baseUrl: sims.kit.url })
    const error = await rejection(client.get("987654321"))
    expect(error).toBeInstanceOf(SequenceNotFound)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toBeInstanceOf(UnisequenceError)
    expect(error).toBeInstanceOf(Error)
    if (!(error instanceof SequenceNotFound)) return expect.unreachable()
    expect(error._tag).toBe("SequenceNotFound")
    expect(error.name).toBe("SequenceNotFound")
    expect(error.provider).toBe("kit")
    expect(error.operation).toMatch(/^get/)
    expect(error.sequenceId).toBe("987654321")
    expect(error.isRetryable).toBe(false)
    expect(error.message).toBe(`kit ${error.operation}: sequence 987654321 was not found`)
    expect(error.cause).toBeInstanceOf(SequenceError.SequenceNotFound)
    expect(String(error.stack)).not.toContain("FiberFailure")
    expect(Object.getOwnPropertySymbols(error).map(String).join()).not.toContain("FiberFailure")
  })

  it("StepNotFound names the step", async () => {
    await using client = memory()
    const { id } = await client.create({ name: "S", steps: [] })
    const error = await rejection(client.removeStep(id, "nope"))
    expect(error).toBeInstanceOf(StepNotFound)
    expect(error).toMatchObject({ _tag: "StepNotFound", sequenceId: id, stepId: "nope", provider: "memory" })
  })

  it("AuthenticationFailed carries no key in its message, stack or cause", async () => {
    await using client = kit({ apiKey: "kit_wrong_secret_42", baseUrl: sims.kit.url, retry: false })
    const error = await rejection(client.get("1"))
    expect(error).toBeInstanceOf(AuthenticationFailed)
    if (!(error instanceof AuthenticationFailed)) return expect.unreachable()
    expect(error.isRetryable).toBe(false)
    const everything = [error.message, error.stack, JSON.stringify(error), JSON.stringify(error.cause)].join()
    expect(everything).not.toContain("kit_wrong_secret_42")
  })

  it("InvalidInput lists every issue; nothing was sent", async () => {
    await using client = kit({ apiKey: "kit_test_key", baseUrl: sims.kit.url })
    sims.kit.clearLog()
    const error = await rejection(
      client.create({
        name: "",
        steps: [{ delay: { value: -1, unit: "days" }, email: { subject: "", html: "" } }]
      })
    )
    expect(error).toBeInstanceOf(InvalidInput)
    if (!(error instanceof InvalidInput)) return expect.unreachable()
    expect(error.operation).toBe("create")
    expect(error.issues.map((i) => i.path)).toContain("name")
    expect(error.issues.length).toBeGreaterThan(1)
    expect(sims.kit.requests).toHaveLength(0)
  })

  it("bad options fail at once with InvalidInput", () => {
    expect(() => kit({ apiKey: " " })).toThrow(InvalidInput)
    expect(() => apollo({ apiKey: "" })).toThrow(/apiKey: must be a non-empty string/)
  })

  it("Unsupported: a feature the provider cannot hold", async () => {
    await using client = kit({ apiKey: "kit_test_key", baseUrl: sims.kit.url })
    const error = await rejection(
      client.create({ name: "Calls", steps: [{ delay: { value: 0, unit: "days" }, type: "call" }] })
    )
    expect(error).toBeInstanceOf(Unsupported)
    expect(error).toMatchObject({ _tag: "Unsupported", provider: "kit", isRetryable: false })
  })

  it("RateLimited: retryable, with retryAfter in milliseconds when Apollo says it", async () => {
    const sim = await ApolloSimulator.startAsync({
      quirks: { readOneSequence: true },
      seed: { sequences: [{ id: "s1", name: "One" }] },
      rateLimit: { default: { perMinute: 1 }, budgetHeaders: false }
    })
    try {
      await using client = apollo({
        apiKey: ApolloSimulator.defaultMasterKey,
        baseUrl: sim.url,
        retry: false
      })
      await client.get("s1")
      const error = await rejection(client.get("s1"))
      expect(error).toBeInstanceOf(RateLimited)
      if (!(error instanceof RateLimited)) return expect.unreachable()
      expect(error._tag).toBe("RateLimited")
      expect(error.isRetryable).toBe(true)
      expect(error.retryAfter).toBeGreaterThan(0)
      expect(error.provider).toBe("apollo")
    } finally {
      await sim.close()
    }
  })

  it("ProviderUnavailable: a 503 from the provider, retryable", async () => {
    const sim = await KitSimulator.startAsync({
      faults: { all: { serverError: { rate: 1, statuses: [503] } } }
    })
    try {
      await using client = kit({ apiKey: "kit_test_key", baseUrl: sim.url, retry: false })
      const error = await rejection(client.get("1"))
      expect(error).toBeInstanceOf(ProviderUnavailable)
      expect(error).toMatchObject({ _tag: "ProviderUnavailable", status: 503, isRetryable: true })
    } finally {
      await sim.close()
    }
  })

  it("fromEffectError maps every tag of the union to its class", () => {
    const common = { provider: "memory" as const, operation: "get" }
    const made = [
      new SequenceError.SequenceNotFound({ ...common, sequenceId: "1" }),
      new SequenceError.StepNotFound({ ...common, sequenceId: "1", stepId: "2" }),
      new SequenceError.AuthenticationFailed({ ...common, detail: "no" }),
      new SequenceError.PermissionDenied({ ...common, reason: "scope" }),
      new SequenceError.InvalidInput({ ...common, issues: [] }),
      new SequenceError.Unsupported({ ...common, feature: "f", detail: "d" }),
      new SequenceError.RateLimited({ ...common }),
      new SequenceError.Conflict({ ...common, reason: "busy" }),
      new SequenceError.ProviderUnavailable({ ...common, reason: "down" }),
      new SequenceError.MalformedResponse({ ...common, reason: "garbled" })
    ].map(fromEffectError)
    for (const [i, error] of made.entries()) {
      expect(error._tag).toBe(
        [
          "SequenceNotFound",
          "StepNotFound",
          "AuthenticationFailed",
          "PermissionDenied",
          "InvalidInput",
          "Unsupported",
          "RateLimited",
          "Conflict",
          "ProviderUnavailable",
          "MalformedResponse"
        ][i]
      )
      expect(error).toBeInstanceOf(ProviderError)
      expect(error.constructor.name).toBe(error._tag)
    }
    expect(made.map((e) => e.isRetryable)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      false
    ])
  })
})
