/**
 * The shared request pipeline over real HTTP on 127.0.0.1 (a tiny server answering from a script),
 * and its one status mapping as a pure function.
 */
import { FetchHttpClient, Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import Undici from "@effect/platform-node/Undici"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { RecordingTracer } from "@unisequence/testing"
import { Chunk, Duration, Effect, Exit, FiberRef, Layer, Option, Redacted, Schema, Stream } from "effect"
import { DispatcherHttpClient, HttpPipeline, Resilience, SequenceError } from "../src/index.js"
import { server } from "./helpers/httpServer.js"

const KEY = "pipeline_secret_key_1234"

const Thing = Schema.Struct({ id: Schema.Int, name: Schema.String })
const NewThing = Schema.Struct({ name: Schema.String, size: Schema.NumberFromString })

const ErrorBody = Schema.Struct({ errors: Schema.Array(Schema.String) })
const statusError = HttpPipeline.statusErrors({
  provider: "example",
  displayName: "Example",
  errorBody: ErrorBody,
  messages: (body) => body.errors,
  issuePath: (message) => /^([a-z_]+) /.exec(message)?.[1] ?? ""
})

const getThing = (id: string): HttpPipeline.Call<typeof Thing.Type> => ({
  operation: "getThing",
  method: "GET",
  path: `/things/${encodeURIComponent(id)}`,
  urlParams: [["include", "all"]],
  answer: HttpPipeline.json(Thing),
  idempotent: true,
  sequenceId: id
})
const createThing = (value: typeof NewThing.Type): HttpPipeline.Call<typeof Thing.Type> => ({
  operation: "createThing",
  method: "POST",
  path: "/things",
  body: HttpPipeline.body(NewThing, value),
  answer: HttpPipeline.json(Thing),
  idempotent: false
})
const deleteThing = (id: string): HttpPipeline.Call<void> => ({
  operation: "deleteThing",
  method: "DELETE",
  path: `/things/${id}`,
  answer: HttpPipeline.noContent,
  idempotent: true,
  sequenceId: id
})

const agent = new Undici.Agent()
afterAll(() => agent.close())

// Both kinds of client: one times an attempt out with `Effect.timeoutFail`, the other in its transport.
const transports = [
  ["FetchHttpClient", FetchHttpClient.layer],
  [
    "DispatcherHttpClient",
    Layer.succeed(
      HttpClient.HttpClient,
      DispatcherHttpClient.make({ request: (options) => agent.request(options) })
    )
  ]
] as const

describe.each(transports)("HttpPipeline over HTTP, on %s", (name, transport) => {
  const pipeline = (url: string, options: Partial<HttpPipeline.Options> = {}) =>
    HttpPipeline.make({
      provider: "example",
      spanPrefix: "ExampleClient",
      baseUrl: `${url}/v1/`,
      headers: { "user-agent": "pipeline-test" },
      credential: {
        secret: Redacted.make(`${KEY}\n`),
        apply: (request, key) => HttpClientRequest.setHeader(request, "x-api-key", key)
      },
      secretHeaders: ["x-api-key"],
      retry: { baseDelay: "1 millis", maxDelay: "5 millis", maxAttempts: 3 },
      statusError,
      ...options
    }).pipe(Effect.provide(transport))

  it.scopedLive("sends base URL, path, query, fixed headers and the trimmed key; decodes the answer", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server([{ status: 200, body: '{"id":1,"name":"a","extra":true}' }])
      const p = yield* pipeline(url)
      const reply = yield* p.send(getThing("a/b"))
      expect(reply.value).toEqual({ id: 1, name: "a" })
      expect(reply.raw).toEqual({ id: 1, name: "a", extra: true })
      expect(reply.status).toBe(200)
      expect(seen[0]!.url).toBe("/v1/things/a%2Fb?include=all")
      expect(seen[0]!.headers["x-api-key"]).toBe(KEY)
      expect(seen[0]!.headers["user-agent"]).toBe("pipeline-test")
    })
  )

  it.scopedLive(
    "encodes the body with its schema; a create is not retried after a 5xx, but is after a 429",
    () =>
      Effect.gen(function* () {
        const five = yield* server([
          { status: 503, body: "down" },
          { status: 201, body: '{"id":2,"name":"b"}' }
        ])
        const p5 = yield* pipeline(five.url)
        const down = yield* failure(p5.value(createThing({ name: "b", size: 3 })))
        expect(down).toMatchObject({ _tag: "ProviderUnavailable", status: 503 })
        expect(five.seen.length).toBe(1)
        expect(JSON.parse(five.seen[0]!.body)).toEqual({ name: "b", size: "3" })
        expect(five.seen[0]!.headers["content-type"]).toContain("application/json")

        const limited = yield* server([
          { status: 429, body: "slow down" },
          { status: 201, body: '{"id":2,"name":"b"}' }
        ])
        const p429 = yield* pipeline(limited.url)
        expect(yield* p429.value(createThing({ name: "b", size: 3 }))).toEqual({ id: 2, name: "b" })
        expect(limited.seen.length).toBe(2)
      })
  )

  it.scopedLive("a read is retried after a 5xx and a garbled answer", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server([
        { status: 502, body: "<html>" },
        { status: 200, body: "{not json" },
        { status: 200, body: '{"id":1,"name":"a"}' }
      ])
      const p = yield* pipeline(url)
      expect(yield* p.value(getThing("1"))).toEqual({ id: 1, name: "a" })
      expect(seen.length).toBe(3)
    })
  )

  it.scopedLive("no content: a 204 is void; a 200 with a body is malformed", () =>
    Effect.gen(function* () {
      const ok = yield* server([{ status: 204 }])
      const deleted = yield* (yield* pipeline(ok.url)).send(deleteThing("1"))
      expect(deleted.value).toBeUndefined()
      expect(deleted.status).toBe(204)
      const wrong = yield* server([{ status: 200, body: '{"deleted":true}' }])
      const error = yield* failure((yield* pipeline(wrong.url, { retry: false })).value(deleteThing("1")))
      expect(error).toMatchObject({ _tag: "MalformedResponse", status: 200, reason: "expected no content" })
    })
  )

  it.scopedLive("a delete retried after a lost answer finds nothing: done, not missing", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server(["reset", { status: 404, body: '{"errors":["Not Found"]}' }])
      const p = yield* pipeline(url)
      yield* p.value(deleteThing("7"))
      expect(seen.length).toBe(2)
      // Without a failure before, a 404 is a missing thing.
      const missing = yield* server([{ status: 404, body: '{"errors":["Not Found"]}' }])
      const error = yield* failure((yield* pipeline(missing.url)).value(deleteThing("7")))
      expect(error).toMatchObject({ _tag: "SequenceNotFound", sequenceId: "7" })
    })
  )

  it.scopedLive(
    "statuses become typed errors; a body echoing the key is scrubbed; the shape is checked",
    () =>
      Effect.gen(function* () {
        const { url } = yield* server([
          { status: 422, body: JSON.stringify({ errors: [`name is wrong: ${KEY}`] }) },
          { status: 200, body: '{"id":"x","name":"a"}' }
        ])
        const p = yield* pipeline(url, { retry: false })
        const invalid = yield* failure(p.value(getThing("1")))
        expect(invalid).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "name" }] })
        expect(JSON.stringify(invalid)).not.toContain(KEY)
        expect(JSON.stringify(invalid)).toContain("<redacted>")
        const shape = yield* failure(p.value(getThing("1")))
        expect(shape).toMatchObject({ _tag: "MalformedResponse", status: 200 })
        expect((shape as { reason: string }).reason).toContain("not the documented shape")
      })
  )

  it.live("a hung answer times out as ProviderUnavailable", () =>
    Effect.gen(function* () {
      const { url } = yield* server(["hang"])
      const p = yield* pipeline(url, { retry: false, timeout: "100 millis" })
      const error = yield* failure(p.value(getThing("1")))
      expect(error).toMatchObject({ _tag: "ProviderUnavailable", reason: "no answer within 100ms" })
    }).pipe(Effect.scoped)
  )

  it.scopedLive("without a credential, nothing is sent", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server([{ status: 200, body: '{"id":1,"name":"a"}' }])
      const p = yield* pipeline(url, { credential: undefined, noCredential: "give a key" })
      const error = yield* failure(p.value(getThing("1")))
      expect(error).toMatchObject({
        _tag: "AuthenticationFailed",
        detail: "give a key",
        operation: "getThing"
      })
      expect(seen.length).toBe(0)
    })
  )

  it.scopedLive("a 429 pauses the limiter by its retry-after, and observe sees every answer", () =>
    Effect.gen(function* () {
      const { url } = yield* server([
        { status: 429, body: "{}", headers: { "retry-after": "7", "x-left": "0" } }
      ])
      const limiter = yield* Resilience.makeLimiter({})
      const paused: Array<number> = []
      const observed: Array<string | undefined> = []
      const p = yield* pipeline(url, {
        retry: false,
        limiter: () => ({ ...limiter, pause: (d) => Effect.sync(() => paused.push(Duration.toSeconds(d))) }),
        observe: ({ headers }) => Effect.sync(() => observed.push(headers["x-left"]))
      })
      const error = yield* failure(p.value(getThing("1")))
      expect(error).toMatchObject({ _tag: "RateLimited" })
      expect(paused).toEqual([7])
      expect(observed).toEqual(["0"])
    })
  )

  it.scopedLive("one span per call with provider, operation and ids, and the key header redacted", () =>
    Effect.gen(function* () {
      const recording = RecordingTracer.make()
      const { url } = yield* server([{ status: 200, body: '{"id":1,"name":"a"}' }])
      const p = yield* pipeline(url)
      yield* p.value(getThing("9")).pipe(Effect.withTracer(recording.tracer))
      const ours = recording.spans.find((s) => s.name === "ExampleClient.getThing")
      expect(ours?.attributes.get("unisequence.provider")).toBe("example")
      expect(ours?.attributes.get("unisequence.operation")).toBe("getThing")
      expect(ours?.attributes.get("unisequence.sequence_id")).toBe("9")
      expect(recording.text()).not.toContain(KEY)
      // The platform's clients trace the headers, the key redacted; the dispatcher's makes no span.
      const traced = recording.values("http.request.header.x-api-key")
      expect(traced.every((value) => value === "<redacted>")).toBe(true)
      expect(traced.length > 0).toBe(name === "FetchHttpClient")
    })
  )

  it.scopedLive(
    "a call's span ends without its answer (a span outlives the wait: it must not keep a page)",
    () =>
      Effect.gen(function* () {
        const recording = RecordingTracer.make()
        const { url } = yield* server([{ status: 200, body: '{"id":1,"name":"a"}' }, { status: 503 }])
        const p = yield* pipeline(url, { retry: false })
        const thing = yield* p.value(getThing("9")).pipe(Effect.withTracer(recording.tracer))
        expect(thing).toEqual({ id: 1, name: "a" })
        yield* failure(p.value(getThing("9")).pipe(Effect.withTracer(recording.tracer)))
        const [ok, failed] = recording.spans.filter((s) => s.name === "ExampleClient.getThing")
        expect(ok?.exit).toEqual(Exit.void)
        // A failure still ends its span with the error, for the tracer to report.
        expect(failed?.exit !== undefined && Exit.isFailure(failed.exit)).toBe(true)
        expect(recording.text()).toContain("ProviderUnavailable")
      })
  )

  it.scopedLive("a retried call has one span, under its caller's, that says it was retried", () =>
    Effect.gen(function* () {
      const recording = RecordingTracer.make()
      const { url, seen } = yield* server([
        { status: 502, body: "<html>" },
        { status: 200, body: '{"id":1,"name":"a"}' }
      ])
      const p = yield* pipeline(url)
      yield* p.value(getThing("1")).pipe(Effect.withSpan("caller"), Effect.withTracer(recording.tracer))
      expect(seen.length).toBe(2)
      const calls = recording.spans.filter((s) => s.name === "ExampleClient.getThing")
      expect(calls.length).toBe(1)
      expect(calls[0]!.parent?.name).toBe("caller")
      expect(calls[0]!.attributes.get("unisequence.retried")).toBe(true)
      expect(calls[0]!.exit !== undefined && Exit.isSuccess(calls[0]!.exit)).toBe(true)
      const caller = recording.spans.find((s) => s.name === "caller")
      expect(caller?.attributes.has("unisequence.retried")).toBe(false)
    })
  )

  it.scopedLive("a transformClient runs inside the call's span, the credential's header redacted", () =>
    Effect.gen(function* () {
      const { url } = yield* server([{ status: 200, body: '{"id":1,"name":"a"}' }])
      const inside: Array<{ readonly span: string; readonly redacted: boolean }> = []
      const p = yield* pipeline(url, {
        // A header the platform does not redact by default: only the pipeline's setting covers it.
        credential: {
          secret: Redacted.make(KEY),
          apply: (request, key) => HttpClientRequest.setHeader(request, "x-thing-key", key)
        },
        secretHeaders: ["x-thing-key"],
        transformClient: HttpClient.tapRequest(() =>
          Effect.gen(function* () {
            const span = yield* Effect.currentSpan.pipe(Effect.map((s) => s.name))
            const names = yield* FiberRef.get(Headers.currentRedactedNames)
            inside.push({ span, redacted: names.includes("x-thing-key") })
          }).pipe(Effect.orDie)
        )
      })
      yield* p.value(getThing("1"))
      expect(inside).toEqual([{ span: "ExampleClient.getThing", redacted: true }])
    })
  )
})

const failure = <A>(effect: Effect.Effect<A, SequenceError.SequenceError>) => Effect.flip(effect)

describe("HttpPipeline.statusErrors", () => {
  const at = (status: number, text: string, ids: { sequenceId?: string; stepId?: string } = {}) =>
    statusError({ operation: "op", status, text, now: 0, ...ids })

  it("maps the common statuses, reading the provider's error body", () => {
    expect(at(401, '{"errors":["bad key"]}')).toMatchObject({
      _tag: "AuthenticationFailed",
      detail: "bad key"
    })
    expect(at(401, "")).toMatchObject({ _tag: "AuthenticationFailed", detail: "status 401" })
    expect(at(403, "nope")).toMatchObject({ _tag: "PermissionDenied", reason: "nope" })
    expect(at(404, "{}", { sequenceId: "3" })).toMatchObject({ _tag: "SequenceNotFound", sequenceId: "3" })
    expect(at(404, "{}", { sequenceId: "3", stepId: "4" })).toMatchObject({
      _tag: "StepNotFound",
      stepId: "4"
    })
    expect(at(404, "{}")).toMatchObject({ _tag: "MalformedResponse", status: 404 })
    expect(at(422, '{"errors":["size must be positive","name is taken"]}')).toMatchObject({
      _tag: "InvalidInput",
      issues: [
        { path: "size", message: "size must be positive" },
        { path: "name", message: "name is taken" }
      ]
    })
    expect(at(503, "<html>down</html>")).toMatchObject({
      _tag: "ProviderUnavailable",
      reason: "Example answered 503",
      excerpt: "<html>down</html>"
    })
    expect(at(418, "teapot")).toMatchObject({ _tag: "MalformedResponse", reason: "unexpected status 418" })
    // Statuses the provider does not list as invalid input, conflict or unavailable are unexpected.
    expect(at(409, "{}")._tag).toBe("MalformedResponse")
    expect(at(408, "{}")._tag).toBe("MalformedResponse")
  })

  it("429 carries retry-after, in seconds or as a date", () => {
    const seconds = statusError({ operation: "op", status: 429, text: "", retryAfter: "12", now: 0 })
    expect(
      seconds._tag === "RateLimited" && Option.map(seconds.retryAfterOption, Duration.toSeconds)
    ).toEqual(Option.some(12))
    const now = Date.parse("2026-01-01T00:00:00Z")
    const dated = statusError({
      operation: "op",
      status: 429,
      text: "",
      retryAfter: "Thu, 01 Jan 2026 00:00:30 GMT",
      now
    })
    expect(dated._tag === "RateLimited" && Option.map(dated.retryAfterOption, Duration.toSeconds)).toEqual(
      Option.some(30)
    )
    expect(HttpPipeline.parseRetryAfter("soon", 0)).toEqual(Option.none())
  })

  it("a provider's own statuses and special cases come first", () => {
    const own = HttpPipeline.statusErrors({
      provider: "other",
      displayName: "Other",
      invalidInput: [400],
      conflict: [409],
      unavailable: [408],
      special: (failure) =>
        failure.status === 429 && failure.text.includes("busy")
          ? new SequenceError.Conflict({ provider: "other", operation: failure.operation, reason: "busy" })
          : undefined
    })
    const of = (status: number, text = "") => own({ operation: "op", status, text, now: 0 })._tag
    expect([of(400), of(409), of(408), of(429, "busy"), of(429, "later")]).toEqual([
      "InvalidInput",
      "Conflict",
      "ProviderUnavailable",
      "Conflict",
      "RateLimited"
    ])
  })

  it("a decode of the error body that fails falls back to an excerpt", () => {
    expect(at(403, '{"message":"not the errors shape"}')).toMatchObject({
      _tag: "PermissionDenied",
      reason: '{"message":"not the errors shape"}'
    })
  })
})

describe("HttpPipeline.pages", () => {
  /** Pages of `size` items out of `total`, counting the pages asked for. */
  const listing = (total: number, size: number) => {
    const asked: Array<number> = []
    const stream = HttpPipeline.pages(0, (from: number) =>
      Effect.sync(() => {
        asked.push(from)
        const items = Array.from({ length: Math.min(size, total - from) }, (_, i) => from + i)
        return [items, from + size < total ? Option.some(from + size) : Option.none()] as const
      })
    )
    return { asked, stream }
  }

  it.effect("every item once, in order, a page per chunk", () =>
    Effect.gen(function* () {
      const { asked, stream } = listing(5, 2)
      const chunks = yield* Stream.runCollect(Stream.chunks(stream))
      expect(Chunk.toReadonlyArray(chunks).map((c) => Chunk.toReadonlyArray(c))).toEqual([
        [0, 1],
        [2, 3],
        [4]
      ])
      expect(asked).toEqual([0, 2, 4])
    })
  )

  it.effect("a page is asked for only once the one before is consumed", () =>
    Effect.gen(function* () {
      const { asked, stream } = listing(10, 3)
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(stream, 2)))).toEqual([0, 1])
      expect(asked).toEqual([0])
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(stream, 4)))).toEqual([0, 1, 2, 3])
      expect(asked).toEqual([0, 0, 3])
    })
  )
})
