/**
 * KitClient over the simulator: every endpoint, auth (API key, refreshable OAuth token, config),
 * error mapping, retries, the client-side limiter, timeouts, and that the key never leaks.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Sequences } from "@unisequence/core"
import { KitSimulator, RecordingTracer } from "@unisequence/testing"
import {
  Cause,
  Chunk,
  Config,
  ConfigProvider,
  Effect,
  Exit,
  Layer,
  Logger,
  LogLevel,
  Option,
  Redacted,
  Ref,
  Stream
} from "effect"
import * as Kit from "../src/Kit.js"
import * as KitClient from "../src/KitClient.js"
import { fromStatus } from "../src/internal/errors.js"
import { contractCheck, fiveEmails, lines, setup } from "./helpers.js"

describe("KitClient: endpoints", () => {
  it.live("reaches every documented endpoint, decoding each answer", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({
        seed: {
          subscribers: [
            { id: 7, email_address: "ann@example.com", created_at: "2024-01-01T00:00:00Z" },
            { id: 8, email_address: "bob@example.com", state: "cancelled" }
          ],
          sequences: [{ ...fiveEmails(), subscribers: [{ subscriber: 8, added_at: "2024-02-01T00:00:00Z" }] }]
        }
      })
      const page = yield* client.listSequencesPage({ pageSize: 1, includeTotalCount: true })
      expect(page.pagination.total_count).toBe(1)
      const created = yield* client.createSequence({ name: "Client", active: true })
      expect((yield* client.getSequence(created.id)).name).toBe("Client")
      yield* client.updateSequence(created.id, { send_hour: 9 })
      const email = yield* client.createEmail(created.id, {
        subject: "S",
        delay_value: 0,
        delay_unit: "days"
      })
      // The document types `content` a string (never null): an email without content answers "".
      expect((yield* client.getEmail(created.id, email.id)).content).toBe("")
      yield* client.updateEmail(created.id, email.id, { content: "<p>c</p>", preview_text: "p" })
      const withoutContent = yield* Stream.runCollect(client.listEmails(created.id))
      expect(Chunk.unsafeGet(withoutContent, 0).content).toBeUndefined()
      const withContent = yield* Stream.runCollect(client.listEmails(created.id, { includeContent: true }))
      expect(Chunk.unsafeGet(withContent, 0).content).toBe("<p>c</p>")
      yield* client.deleteEmail(created.id, email.id)
      yield* client.deleteSequence(created.id)

      const first = yield* client.addSubscriberByEmail(1, "ann@example.com")
      expect(first).toMatchObject({ added: true, subscriber: { id: 7 } })
      expect((yield* client.addSubscriberById(1, 7)).added).toBe(false)
      const active = yield* Stream.runCollect(client.listSubscribers(1))
      expect([...active].map((s) => s.id)).toEqual([7])
      const all = yield* Stream.runCollect(client.listSubscribers(1, { status: "all", pageSize: 1 }))
      expect([...all].map((s) => s.id)).toEqual([8, 7])
      const early = yield* Stream.runCollect(
        client.listSubscribers(1, { status: "all", addedBefore: "2024-03-01T00:00:00Z" })
      )
      expect([...early].map((s) => s.id)).toEqual([8])
      expect(lines(sim)).toContain(
        "GET /v4/sequences/1/subscribers?per_page=1000&status=all&added_before=2024-03-01T00%3A00%3A00Z"
      )
      // Every request this test made is valid under Kit's documents (answers: observed profile here).
      const check = contractCheck(sim, { answers: false })
      if (check !== undefined) {
        expect(check.failures).toEqual([])
        expect(check.requests).toBeGreaterThanOrEqual(6)
      }
    }).pipe(Effect.scoped)
  )
})

describe("KitClient: auth and configuration", () => {
  it.live("sends a real User-Agent and the key header", () =>
    Effect.gen(function* () {
      const seen: Array<Record<string, string>> = []
      const { client } = yield* setup(
        {},
        {
          transformClient: (c) =>
            HttpClient.tapRequest(c, (request) => Effect.sync(() => seen.push({ ...request.headers })))
        }
      )
      yield* client.listSequencesPage()
      expect(seen[0]?.["user-agent"]).toBe(KitClient.USER_AGENT)
      expect(seen[0]?.["x-kit-api-key"]).toBe("kit_test_key")
      expect(KitClient.USER_AGENT).toMatch(/^unisequence\/\d+\.\d+\.\d+ /)
    }).pipe(Effect.scoped)
  )

  it.live("an OAuth token given as an effect is read on every request, so it can be refreshed", () =>
    Effect.gen(function* () {
      const token = yield* Ref.make("tok_1")
      const { sim, client } = yield* setup(
        { oauthTokens: ["tok_1", "tok_2"], apiKeys: [] },
        { oauthToken: Ref.get(token).pipe(Effect.map(Redacted.make)) }
      )
      yield* client.listSequencesPage()
      yield* Ref.set(token, "tok_2")
      yield* client.listSequencesPage()
      yield* Ref.set(token, "tok_expired")
      const error = yield* Effect.flip(client.listSequencesPage())
      expect(error._tag).toBe("AuthenticationFailed")
      expect(sim.requests.map((r) => [r.auth, r.status])).toEqual([
        ["oauth", 200],
        ["oauth", 200],
        ["oauth", 401]
      ])
    }).pipe(Effect.scoped)
  )

  it.live("verify checks the credential with one read and writes nothing", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      expect(yield* client.verify).toEqual({ ok: true })
      expect(lines(sim)).toEqual(["GET /v4/sequences?per_page=1"])
      const bad = yield* KitClient.make({
        apiKey: Redacted.make("kit_wrong"),
        baseUrl: sim.url
      }).pipe(Effect.provide(FetchHttpClient.layer))
      const result = yield* bad.verify
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error._tag).toBe("AuthenticationFailed")
        expect(result.reason).toContain("The access token is invalid")
      }
      expect(sim.requests.every((r) => r.method === "GET")).toBe(true)
    }).pipe(Effect.scoped)
  )

  it.live("layerConfig reads KIT_API_KEY / KIT_OAUTH_TOKEN and KIT_BASE_URL", () =>
    Effect.gen(function* () {
      const sim = yield* KitSimulator.start({
        rateLimit: false,
        oauthTokens: ["tok"],
        seed: { sequences: [fiveEmails()] }
      })
      const run = (env: Record<string, string>) =>
        Effect.gen(function* () {
          const sequences = yield* Sequences.Sequences
          const client = yield* KitClient.KitClient
          return { sequence: yield* sequences.get("1"), baseUrl: client.baseUrl }
        }).pipe(
          Effect.provide(
            Kit.layerConfig().pipe(
              Layer.provide(FetchHttpClient.layer),
              Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
            )
          )
        )
      const byKey = yield* run({ KIT_API_KEY: "kit_test_key", KIT_BASE_URL: sim.url })
      expect(byKey.sequence.steps).toHaveLength(5)
      expect(byKey.baseUrl).toBe(sim.url)
      yield* run({ KIT_OAUTH_TOKEN: "tok", KIT_BASE_URL: sim.url })
      expect(sim.requests.at(-1)?.auth).toBe("oauth")
      const missing = yield* Effect.exit(run({ KIT_BASE_URL: sim.url }))
      expect(Exit.isFailure(missing)).toBe(true)
      expect(Cause.pretty(Exit.isFailure(missing) ? missing.cause : Cause.empty)).toContain("KIT_API_KEY")
      // without KIT_BASE_URL the default is Kit's own
      const defaults = yield* Effect.gen(function* () {
        return (yield* KitClient.KitClient).baseUrl
      }).pipe(
        Effect.provide(
          Kit.layerConfig().pipe(
            Layer.provide(FetchHttpClient.layer),
            Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["KIT_API_KEY", "k"]]))))
          )
        )
      )
      expect(defaults).toBe("https://api.kit.com")
    }).pipe(Effect.scoped)
  )

  it.live("layerConfig takes every option as a Config (Config.Config.Wrap<Options>)", () =>
    Effect.gen(function* () {
      const sim = yield* KitSimulator.start({ rateLimit: false, seed: { sequences: [fiveEmails()] } })
      const read = yield* Effect.gen(function* () {
        const client = yield* KitClient.KitClient
        const sequences = yield* Sequences.Sequences
        return { pageSize: client.pageSize, steps: (yield* sequences.get("1")).steps.length }
      }).pipe(
        Effect.provide(
          Kit.layerConfig({
            apiKey: Config.redacted("MY_KIT_KEY"),
            baseUrl: Config.string("MY_KIT_URL"),
            pageSize: Config.integer("MY_PAGE_SIZE")
          }).pipe(
            Layer.provide(FetchHttpClient.layer),
            Layer.provide(
              Layer.setConfigProvider(
                ConfigProvider.fromMap(
                  new Map([
                    ["MY_KIT_KEY", "kit_test_key"],
                    ["MY_KIT_URL", sim.url],
                    ["MY_PAGE_SIZE", "2"]
                  ])
                )
              )
            )
          )
        )
      )
      expect(read).toEqual({ pageSize: 2, steps: 5 })
      // Five emails at two a page: three reads of the emails, each with per_page=2.
      const pages = sim.requests.filter((r) => r.path.endsWith("/emails"))
      expect(pages.map((r) => r.query.per_page)).toEqual(["2", "2", "2"])
    }).pipe(Effect.scoped)
  )
})

describe("KitClient: errors", () => {
  it("maps statuses: 401, 403, 404, 422 with Kit's messages, 429, 5xx, others", () => {
    const at = (status: number, body: string, notFound?: Parameters<typeof fromStatus>[0]["notFound"]) =>
      fromStatus({ operation: "op", status, body, notFound })
    expect(at(401, '{"errors":["The access token is invalid"]}')).toMatchObject({
      _tag: "AuthenticationFailed",
      detail: "The access token is invalid"
    })
    expect(at(403, '{"errors":["You do not have sufficient permissions"]}')).toMatchObject({
      _tag: "PermissionDenied",
      reason: "You do not have sufficient permissions"
    })
    expect(at(404, '{"errors":["Not Found"]}', { _tag: "Sequence", sequenceId: "3" })).toMatchObject({
      _tag: "SequenceNotFound",
      sequenceId: "3"
    })
    expect(at(404, '{"errors":["Not Found"]}', { _tag: "Step", sequenceId: "3", stepId: "4" })).toMatchObject(
      {
        _tag: "StepNotFound",
        stepId: "4"
      }
    )
    expect(
      at(422, '{"errors":["send_hour must be an integer between 0 and 23","name can\'t be blank"]}')
    ).toMatchObject({
      _tag: "InvalidInput",
      issues: [
        { path: "send_hour", message: "send_hour must be an integer between 0 and 23" },
        { path: "name", message: "name can't be blank" }
      ]
    })
    // A position another writer holds is a conflict to retry, not a bad input; mixed with a real
    // problem, the input is at fault.
    for (const body of [
      '{"errors":["position has already been taken"]}',
      '{"errors":["Position has already been taken"]}'
    ])
      expect(at(422, body)).toMatchObject({ _tag: "Conflict", isRetryable: true })
    expect(at(422, '{"errors":["position has already been taken","subject can\'t be blank"]}')).toMatchObject(
      {
        _tag: "InvalidInput"
      }
    )
    expect(at(422, '{"errors":["position must be an integer"]}')).toMatchObject({ _tag: "InvalidInput" })
    expect(at(429, "Retry later")).toMatchObject({ _tag: "RateLimited", detail: "Retry later" })
    expect(at(503, "<html>down</html>")).toMatchObject({
      _tag: "ProviderUnavailable",
      status: 503,
      excerpt: "<html>down</html>"
    })
    expect(at(413, "too big")).toMatchObject({ _tag: "MalformedResponse", status: 413 })
  })

  it.live(
    "over HTTP: 401, 404, 422, 429, 5xx, garbled bodies, resets and timeouts are typed, never defects",
    () =>
      Effect.gen(function* () {
        const { sim, client } = yield* setup(
          { seed: { sequences: [fiveEmails()] }, rateLimit: { apiKey: { limit: 1000, windowMs: 60_000 } } },
          { retry: false, timeout: "300 millis" }
        )
        const failure = (effect: Effect.Effect<unknown, unknown>) =>
          Effect.exit(effect).pipe(
            Effect.map((exit) => {
              expect(Exit.isFailure(exit) && Option.isSome(Cause.failureOption(exit.cause))).toBe(true)
              return Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : undefined
            })
          )
        expect(yield* failure(client.getSequence(42))).toMatchObject({ _tag: "SequenceNotFound" })
        expect(yield* failure(client.updateSequence(1, { name: "" }))).toMatchObject({
          _tag: "InvalidInput",
          issues: [{ path: "name", message: "name can't be blank" }]
        })
        for (const [kind, tag] of [
          ["html_200", "MalformedResponse"],
          ["wrong_types", "MalformedResponse"],
          ["truncated_json", "MalformedResponse"],
          ["html_502", "ProviderUnavailable"]
        ] as const) {
          sim.setFaults({ operations: { getSequence: { malformed: { rate: 1, kinds: [kind] } } } })
          expect(yield* failure(client.getSequence(1))).toMatchObject({ _tag: tag })
        }
        sim.setFaults({ operations: { getSequence: { serverError: { rate: 1, statuses: [500] } } } })
        expect(yield* failure(client.getSequence(1))).toMatchObject({
          _tag: "ProviderUnavailable",
          status: 500,
          excerpt: '{"errors":["Internal Server Error"]}'
        })
        sim.setFaults({ operations: { getSequence: { reset: { rate: 1 } } } })
        expect(yield* failure(client.getSequence(1))).toMatchObject({ _tag: "ProviderUnavailable" })
        sim.setFaults({ operations: { getSequence: { hang: { rate: 1 } } } })
        const timeout = yield* failure(client.getSequence(1))
        expect(timeout).toMatchObject({ _tag: "ProviderUnavailable" })
        expect((timeout as { reason: string }).reason).toContain("no answer within")
        sim.setFaults(undefined)
        const bad = yield* KitClient.make({
          apiKey: Redacted.make("nope"),
          baseUrl: sim.url,
          retry: false
        }).pipe(Effect.provide(FetchHttpClient.layer))
        expect(yield* failure(bad.getSequence(1))).toMatchObject({ _tag: "AuthenticationFailed" })
        const refused = yield* KitClient.make({
          apiKey: Redacted.make("k"),
          baseUrl: "http://127.0.0.1:1",
          retry: false
        }).pipe(Effect.provide(FetchHttpClient.layer))
        expect(yield* failure(refused.getSequence(1))).toMatchObject({ _tag: "ProviderUnavailable" })
      }).pipe(Effect.scoped)
  )

  it.live("a 429 (plain text `Retry later`) is RateLimited", () =>
    Effect.gen(function* () {
      const { client } = yield* setup(
        { rateLimit: { apiKey: { limit: 1, windowMs: 60_000 } } },
        { retry: false, rateLimit: false }
      )
      yield* client.listSequencesPage()
      expect(yield* Effect.flip(client.listSequencesPage())).toMatchObject({
        _tag: "RateLimited",
        detail: "Retry later"
      })
    }).pipe(Effect.scoped)
  )
})

describe("KitClient: resilience", () => {
  it.live("reads, updates and deletes are retried after 5xx until they succeed", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({
        seed: { sequences: [fiveEmails()] },
        faults: { all: { serverError: { rate: 1, statuses: [502, 503] } }, limit: 2 }
      })
      expect((yield* client.getSequence(1)).id).toBe(1)
      expect(sim.requests.map((r) => r.status)).toEqual([
        sim.requests[0]!.status,
        sim.requests[1]!.status,
        200
      ])
      expect(sim.faultCounts.serverError).toBe(2)
      sim.setFaults({ all: { serverError: { rate: 1 } }, limit: 1 })
      sim.clearLog()
      yield* client.updateSequence(1, { name: "x" })
      expect(lines(sim)).toEqual(["PUT /v4/sequences/1", "PUT /v4/sequences/1"])
    }).pipe(Effect.scoped)
  )

  it.live("a create is not retried after an ambiguous failure", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({
        faults: { operations: { createSequence: { serverError: { rate: 1, afterCommit: true } } }, limit: 1 }
      })
      const error = yield* Effect.flip(client.createSequence({ name: "Once" }))
      expect(error._tag).toBe("ProviderUnavailable")
      expect(lines(sim)).toEqual(["POST /v4/sequences"])
      // the write happened: a blind retry would have made two
      expect(sim.state().sequences).toHaveLength(1)
    }).pipe(Effect.scoped)
  )

  it.live("a create is retried after a 429: Kit refuses it before doing anything", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup(
        { rateLimit: { apiKey: { limit: 1, windowMs: 300 } } },
        // the client's own limit is looser than the server's, so the 429 does happen
        { rateLimit: { limit: 10, window: "300 millis" } }
      )
      yield* client.createSequence({ name: "A" })
      yield* client.createSequence({ name: "B" })
      expect(sim.requests.map((r) => r.status)).toContain(429)
      expect(sim.requests.filter((r) => r.status === 201)).toHaveLength(2)
      expect(sim.state().sequences.map((s) => s.name)).toEqual(["A", "B"])
    }).pipe(Effect.scoped)
  )

  // Two and a half windows' worth of reads at once: the client holds back what the window cannot take.
  it.live(
    "a burst of 150 reads within the limit (scaled: 60 per second) fails no call and draws no 429",
    () =>
      Effect.gen(function* () {
        const { sim, client } = yield* setup(
          { seed: { sequences: [fiveEmails()] }, rateLimit: { apiKey: { limit: 60, windowMs: 1000 } } },
          { rateLimit: { limit: 60, window: "1 second" } }
        )
        const results = yield* Effect.forEach(
          Array.from({ length: 150 }, () => 1),
          (id) => Effect.either(client.getSequence(id)),
          { concurrency: 16 }
        )
        expect(results.filter((r) => r._tag === "Left")).toEqual([])
        expect(sim.requests.filter((r) => r.status === 429)).toHaveLength(0)
        expect(sim.requests).toHaveLength(150)
      }).pipe(Effect.scoped)
  )
})

describe("KitClient: the key never leaks", () => {
  const MARKER = "kit_MARKER_5ec7e7_do_not_leak"
  const WRONG = "kit_WRONG_MARKER_0ddba11"

  it.live("not in errors, Cause.pretty, logs or span attributes, for 401/404/422/429/5xx", () =>
    Effect.gen(function* () {
      const recording = RecordingTracer.make()
      const logs: Array<string> = []
      const logger = Logger.make(({ message, annotations }) => {
        logs.push(JSON.stringify({ message, annotations: [...annotations] }))
      })

      const program = Effect.gen(function* () {
        const { sim, client, sequences } = yield* setup(
          {
            apiKeys: [MARKER],
            seed: { sequences: [fiveEmails()] },
            rateLimit: { apiKey: { limit: 1000, windowMs: 60_000 } }
          },
          {
            apiKey: Redacted.make(MARKER),
            retry: { maxAttempts: 2, baseDelay: "1 millis" }
          }
        )
        const errors: Array<unknown> = []
        const collect = (effect: Effect.Effect<unknown, unknown>) =>
          Effect.exit(effect).pipe(
            Effect.map((exit) => {
              if (Exit.isFailure(exit)) errors.push(Cause.squash(exit.cause), Cause.pretty(exit.cause))
            })
          )
        yield* collect(sequences.get("404"))
        yield* collect(client.updateSequence(1, { name: "" }))
        sim.setFaults({ all: { serverError: { rate: 1 } } })
        yield* collect(sequences.get("1"))
        sim.setFaults(undefined)
        const wrong = yield* Kit.make({
          apiKey: Redacted.make(WRONG),
          baseUrl: sim.url
        }).pipe(Effect.provide(FetchHttpClient.layer))
        yield* collect(wrong.sequences.get("1"))
        const limited = yield* setup(
          { apiKeys: [MARKER], rateLimit: { apiKey: { limit: 1, windowMs: 60_000 } } },
          { apiKey: Redacted.make(MARKER), retry: false, rateLimit: false }
        )
        yield* collect(limited.client.listSequencesPage())
        yield* collect(limited.client.listSequencesPage())
        return errors
      })
      const errors = yield* program.pipe(
        Effect.scoped,
        Effect.withTracer(recording.tracer),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      const tags = errors.filter(
        (e): e is { _tag: string } => typeof e === "object" && e !== null && "_tag" in e
      )
      expect(new Set(tags.map((e) => e._tag))).toEqual(
        new Set([
          "SequenceNotFound",
          "InvalidInput",
          "ProviderUnavailable",
          "AuthenticationFailed",
          "RateLimited"
        ])
      )
      const text = [
        ...errors.map((e) =>
          typeof e === "string" ? e : `${JSON.stringify(e)} ${String(e)} ${(e as Error).message}`
        ),
        ...logs,
        recording.text()
      ].join("\n")
      expect(text).not.toContain(MARKER)
      expect(text).not.toContain(WRONG)
      // the header is traced, redacted
      const headerValues = recording.values("http.request.header.x-kit-api-key")
      expect(headerValues.length).toBeGreaterThan(0)
      expect(headerValues.every((v) => String(v) === "<redacted>")).toBe(true)
      expect(
        recording.spans.some(
          (s) => s.name === "KitClient.getSequence" && s.attributes.get("unisequence.provider") === "kit"
        )
      ).toBe(true)
      expect(logs.length).toBeGreaterThan(0)
    })
  )
})
