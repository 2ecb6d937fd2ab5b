import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { SequenceError } from "@unisequence/core"
import { ApolloSimulator, RecordingTracer } from "@unisequence/testing"
import { Cause, Duration, Effect, Fiber, Option, Redacted, TestClock } from "effect"
import * as Apollo from "../src/Apollo.js"
import { budgetsFromHeaders } from "../src/ApolloClient.js"
import { fromStatus } from "../src/internal/errors.js"

/** A key that must never show up anywhere. */
const marker = "MARKER-KEY-7f3a9c1e"

const adapter = (sim: ApolloSimulator.ApolloSimulator, key: string, extra: Partial<Apollo.Options> = {}) =>
  Apollo.make({ apiKey: Redacted.make(key), baseUrl: sim.url, retry: false, ...extra }).pipe(
    Effect.provide(FetchHttpClient.layer)
  )

const leaks = (error: SequenceError.SequenceError, recording?: RecordingTracer.RecordingTracer) => {
  const texts = [
    error.message,
    Cause.pretty(Cause.fail(error)),
    JSON.stringify(error),
    String(error),
    ...(recording === undefined ? [] : [recording.text()])
  ]
  return texts.filter((text) => text.includes(marker))
}

describe("errors", () => {
  it.live("each status maps to its typed error, and the key appears in no message, cause or span", () => {
    const recording = RecordingTracer.make()
    return Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        quirks: { readOneSequence: true },
        rateLimit: false,
        masterKeys: [marker],
        scopedKeys: { [`${marker}-scoped`]: ["api/v1/emailer_campaigns/search"] },
        seed: {
          sequences: [{ name: "S", emailer_steps: [{ type: "call", wait_time: 1, wait_mode: "day" }] }]
        }
      })
      const id = sim.state().sequences[0]!.id
      const { client, sequences } = yield* adapter(sim, marker)
      const found: Array<SequenceError.SequenceError> = []
      const expectError = <A>(effect: Effect.Effect<A, SequenceError.SequenceError>, tag: string) =>
        Effect.flip(effect).pipe(
          Effect.tap((error) => {
            expect(error._tag).toBe(tag)
            found.push(error)
          })
        )

      // 401: a wrong key, answered in plain text.
      const wrong = yield* adapter(sim, `${marker}-wrong`)
      const unauthorized = yield* expectError(wrong.sequences.get(id), "AuthenticationFailed")
      expect(unauthorized.message).toContain("Invalid API key")

      // 403: a key scoped to search only.
      const scoped = yield* adapter(sim, `${marker}-scoped`)
      const denied = yield* expectError(scoped.sequences.update(id, { name: "x" }), "PermissionDenied")
      expect(denied.message).toContain("api/v1/sequences/update")
      expect(denied.message).toContain("master API key")
      expect(denied._tag === "PermissionDenied" && denied.requiredScope).toBe("api/v1/sequences/update")

      // 404.
      const missing = yield* expectError(sequences.get("000000000000000000000000"), "SequenceNotFound")
      expect(missing._tag === "SequenceNotFound" && missing.sequenceId).toBe("000000000000000000000000")

      // 422 with Apollo's message.
      const invalid = yield* expectError(client.updateSequence(id, { name: "" }), "InvalidInput")
      expect(invalid.message).toContain("Name can't be blank")

      // 5xx.
      sim.setFaults({ all: { serverError: { rate: 1 } } })
      yield* expectError(sequences.get(id), "ProviderUnavailable")
      // Undecodable body.
      sim.setFaults({ all: { malformed: { rate: 1, kinds: ["truncated_json"] } } })
      const malformed = yield* expectError(sequences.get(id), "MalformedResponse")
      expect(malformed._tag === "MalformedResponse" && malformed.status).toBe(200)
      // A hang past the timeout.
      sim.setFaults({ all: { hang: { rate: 1 } } })
      const slow = yield* adapter(sim, marker, { timeout: "200 millis" })
      const hung = yield* expectError(slow.sequences.get(id), "ProviderUnavailable")
      expect(hung.message).toContain("200")
      // A refused connection.
      sim.setFaults(undefined)
      const closed = yield* adapter(sim, marker, { baseUrl: "http://127.0.0.1:9" })
      yield* expectError(closed.sequences.get(id), "ProviderUnavailable")

      for (const error of found) expect(leaks(error, recording)).toEqual([])
      expect(recording.values("http.request.header.x-api-key").length).toBeGreaterThan(0)
    }).pipe(Effect.scoped, Effect.withTracer(recording.tracer))
  })

  it.live("spans of HTTP calls carry the key redacted", () =>
    Effect.gen(function* () {
      const recording = RecordingTracer.make()
      const sim = yield* ApolloSimulator.start({ rateLimit: false, masterKeys: [marker] })
      const { client } = yield* adapter(sim, marker)
      yield* client.listSchedules.pipe(Effect.withTracer(recording.tracer))
      const headerValues = recording.values("http.request.header.x-api-key")
      expect(headerValues.length).toBeGreaterThan(0)
      expect(headerValues.every((v) => !String(v).includes(marker))).toBe(true)
      expect(recording.spans.map((s) => s.name)).toContain("ApolloClient.listSchedules")
    }).pipe(Effect.scoped)
  )

  it.scoped(
    "429: the limiter learns the headers and holds the next request; the 429 carries retry-after",
    () =>
      Effect.gen(function* () {
        const sim = yield* ApolloSimulator.start({
          masterKeys: [marker],
          rateLimit: { default: { perMinute: 100 }, endpoints: { listSchedules: { perHour: 1 } } }
        })
        const { client } = yield* adapter(sim, marker)
        yield* client.listSchedules
        expect(sim.requests).toHaveLength(1)
        const fiber = yield* Effect.fork(Effect.flip(client.listSchedules))
        // The answer said 0 left this hour: nothing is sent until the window ends.
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
        expect(sim.requests).toHaveLength(1)
        yield* TestClock.adjust(Duration.hours(1))
        const error = yield* Fiber.join(fiber)
        expect(sim.requests).toHaveLength(2)
        expect(error._tag).toBe("RateLimited")
        if (error._tag !== "RateLimited") return
        expect(error.retryAfter === undefined ? 0 : Duration.toSeconds(error.retryAfter)).toBeGreaterThan(0)
        expect(leaks(error)).toEqual([])
      })
  )

  it.live("429 'already processing' is a Conflict, and is retried", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        rateLimit: false,
        writeProcessingMs: 150,
        seed: { sequences: [{ name: "S" }] }
      })
      const id = sim.state().sequences[0]!.id
      const noRetry = yield* adapter(sim, ApolloSimulator.defaultMasterKey)
      const [, second] = yield* Effect.all(
        [
          noRetry.client.updateSequence(id, { name: "a" }),
          Effect.sleep("30 millis").pipe(
            Effect.zipRight(Effect.flip(noRetry.client.updateSequence(id, { name: "b" })))
          )
        ],
        { concurrency: 2 }
      )
      expect(second._tag).toBe("Conflict")
      const retrying = yield* adapter(sim, ApolloSimulator.defaultMasterKey, {
        retry: { baseDelay: "100 millis", maxDelay: "300 millis" }
      })
      yield* Effect.all(
        [
          retrying.client.updateSequence(id, { name: "c" }),
          Effect.sleep("30 millis").pipe(Effect.zipRight(retrying.client.updateSequence(id, { name: "d" })))
        ],
        { concurrency: 2 }
      )
      expect(sim.requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(2)
      expect(sim.state().sequences[0]!.name).toBe("d")
    }).pipe(Effect.scoped)
  )

  it.live("a create is not retried after an ambiguous failure", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        rateLimit: false,
        faults: { all: { reset: { rate: 1, afterCommit: true } } }
      })
      const { sequences } = yield* adapter(sim, ApolloSimulator.defaultMasterKey, {
        retry: { baseDelay: "1 millis", maxDelay: "5 millis" }
      })
      const error = yield* Effect.flip(sequences.create({ name: "Once" }))
      expect(error._tag).toBe("ProviderUnavailable")
      expect(sim.requests.filter((r) => r.method === "POST")).toHaveLength(1)
      expect(sim.state().sequences).toHaveLength(1)
    }).pipe(Effect.scoped)
  )

  it.live("idempotent reads are retried through 5xx", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        rateLimit: false,
        faults: { all: { serverError: { rate: 0.5 } }, seed: 3 }
      })
      const { client } = yield* adapter(sim, ApolloSimulator.defaultMasterKey, {
        retry: { baseDelay: "1 millis", maxDelay: "5 millis", maxAttempts: 20 }
      })
      for (let i = 0; i < 5; i++) yield* client.listEmailAccounts
      expect(sim.faultCounts.serverError).toBeGreaterThan(0)
    }).pipe(Effect.scoped)
  )
})

describe("error mapping (pure)", () => {
  const ctx = {
    operation: "updateSequence" as const,
    sequenceId: "abc",
    scrub: (t: string) => t.split(marker).join("<redacted>")
  }

  it("401 plain text → AuthenticationFailed", () => {
    const error = fromStatus(ctx, 401, "Invalid access credentials.", undefined, 0)
    expect(error._tag).toBe("AuthenticationFailed")
    expect(error.message).toContain("Invalid access credentials.")
  })

  it("403 older API_INACCESSIBLE wording names the scope", () => {
    const error = fromStatus(
      ctx,
      403,
      JSON.stringify({
        error: "api/v1/sequences/update is not accessible with this api_key",
        error_code: "API_INACCESSIBLE"
      }),
      undefined,
      0
    )
    expect(error._tag === "PermissionDenied" && error.requiredScope).toBe("api/v1/sequences/update")
  })

  it("403 from Cloudflare names the user agent", () => {
    const error = fromStatus(ctx, 403, "error code: 1010", undefined, 0)
    expect(error.message).toContain("User-Agent")
  })

  it("429 with retry-after and with the quota message", () => {
    const error = fromStatus(
      ctx,
      429,
      JSON.stringify({
        message: "The maximum number of api calls allowed for api/v1/sequences/update is 600 times per hour."
      }),
      "42",
      0
    )
    expect(error._tag).toBe("RateLimited")
    expect(error._tag === "RateLimited" && Option.map(error.retryAfterOption, Duration.toSeconds)).toEqual(
      Option.some(42)
    )
  })

  it("422 keeps Apollo's message and code; a body echoing the key is scrubbed", () => {
    const error = fromStatus(
      ctx,
      422,
      JSON.stringify({
        error: `Your current plan does not allow A/B Testing. ${marker}`,
        code: "ab_testing_limit"
      }),
      undefined,
      0
    )
    expect(error._tag).toBe("InvalidInput")
    expect(error.message).toContain("ab_testing_limit")
    expect(error.message).not.toContain(marker)
  })

  it("budgets: both header namings; the strictest window wins in the limiter", () => {
    const current = budgetsFromHeaders(
      { "x-minute-requests-left": "5", "x-hourly-requests-left": "0", "x-24-hour-requests-left": "100" },
      30_000
    )
    expect(current.map((b) => [b.key, b.remaining])).toEqual([
      ["minute", 5],
      ["hour", 0],
      ["day", 100]
    ])
    expect(Duration.toMillis(Duration.decode(current[0]!.resetAfter))).toBe(30_000)
    const legacy = budgetsFromHeaders({ "x-rate-limit-daily": "2000", "x-daily-usage": "1990" }, 0)
    expect(legacy.map((b) => [b.key, b.remaining])).toEqual([["day", 10]])
  })
})
