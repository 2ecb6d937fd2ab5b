import { describe, expect, it } from "@effect/vitest"
import { Duration, Option, Schema } from "effect"
import { SequenceError } from "../src/index.js"

const errors: ReadonlyArray<[SequenceError.SequenceError, string, boolean]> = [
  [
    new SequenceError.SequenceNotFound({ provider: "kit", operation: "get", sequenceId: "42" }),
    "kit get: sequence 42 was not found",
    false
  ],
  [
    new SequenceError.StepNotFound({
      provider: "apollo",
      operation: "updateStep",
      sequenceId: "s",
      stepId: "t"
    }),
    "apollo updateStep: step t of sequence s was not found",
    false
  ],
  [
    new SequenceError.AuthenticationFailed({ provider: "kit", operation: "list", detail: "status 401" }),
    "kit list: the credentials were refused (status 401)",
    false
  ],
  [
    new SequenceError.PermissionDenied({
      provider: "apollo",
      operation: "update",
      reason: "this key lacks the api/v1/sequences/update scope; use a master key",
      requiredScope: "api/v1/sequences/update"
    }),
    "apollo update: permission denied: this key lacks the api/v1/sequences/update scope; use a master key",
    false
  ],
  [
    new SequenceError.InvalidInput({
      provider: "memory",
      operation: "create",
      issues: [
        { path: "name", message: "must not be blank" },
        { path: "", message: "name at least one step" }
      ]
    }),
    "memory create: invalid input: name: must not be blank; name at least one step",
    false
  ],
  [
    new SequenceError.Unsupported({
      provider: "kit",
      operation: "create",
      feature: "call steps",
      detail: "Kit sends emails only"
    }),
    "kit create: call steps is not supported: Kit sends emails only",
    false
  ],
  [
    new SequenceError.RateLimited({ provider: "apollo", operation: "get", retryAfter: Duration.seconds(30) }),
    "apollo get: rate limited, retry after 30s",
    true
  ],
  [
    new SequenceError.RateLimited({ provider: "kit", operation: "get", detail: "Retry later" }),
    "kit get: rate limited (Retry later)",
    true
  ],
  [
    new SequenceError.Conflict({ provider: "apollo", operation: "update", reason: "already processing" }),
    "apollo update: conflict: already processing",
    true
  ],
  [
    new SequenceError.ProviderUnavailable({
      provider: "kit",
      operation: "get",
      reason: "server error",
      status: 503,
      excerpt: "<html>down</html>"
    }),
    "kit get: provider unavailable (status 503): server error: <html>down</html>",
    true
  ],
  [
    new SequenceError.ProviderUnavailable({
      provider: "kit",
      operation: "get",
      reason: "connection refused"
    }),
    "kit get: provider unavailable: connection refused",
    true
  ],
  [
    new SequenceError.MalformedResponse({
      provider: "apollo",
      operation: "get",
      reason: "expected emailer_campaign",
      status: 200,
      excerpt: "{}"
    }),
    "apollo get: unexpected answer (status 200): expected emailer_campaign; body starts: {}",
    false
  ]
]

describe("SequenceError", () => {
  it("every error has a readable message and says whether a retry can help", () => {
    for (const [error, message, retryable] of errors) {
      expect(error.message).toBe(message)
      expect(error.isRetryable).toBe(retryable)
      expect(SequenceError.isRetryable(error)).toBe(retryable)
      expect(error).toBeInstanceOf(Error)
      expect(String(error)).toContain(message)
    }
  })

  it("covers every member of the closed union", () => {
    const tags = new Set(errors.map(([e]) => e._tag))
    expect(tags.size).toBe(SequenceError.SequenceError.members.length)
  })

  it("round-trips through its schema", () => {
    const encode = Schema.encodeSync(SequenceError.SequenceError)
    const decode = Schema.decodeUnknownSync(SequenceError.SequenceError)
    for (const [error] of errors) {
      const back = decode(encode(error))
      expect(back._tag).toBe(error._tag)
      expect(back.message).toBe(error.message)
    }
  })

  it("RateLimited exposes retryAfter as an Option", () => {
    expect(
      new SequenceError.RateLimited({ provider: "kit", operation: "get", retryAfter: Duration.seconds(2) })
        .retryAfterOption
    ).toEqual(Option.some(Duration.seconds(2)))
    expect(new SequenceError.RateLimited({ provider: "kit", operation: "get" }).retryAfterOption).toEqual(
      Option.none()
    )
  })

  it("excerpt shortens a body to one line", () => {
    expect(SequenceError.excerpt("  Retry\n  later  ")).toBe("Retry later")
    const long = "x".repeat(500)
    expect(SequenceError.excerpt(long)).toBe(`${"x".repeat(160)}…`)
    expect(SequenceError.excerpt(long, 10)).toBe("xxxxxxxxxx…")
  })
})
