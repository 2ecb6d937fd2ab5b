/**
 * The `HttpClient` over an undici dispatcher, against a real server on 127.0.0.1: what it sends, what
 * it reads, its deadline, and interruption.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import Undici from "@effect/platform-node/Undici"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schema, Stream } from "effect"
import { DispatcherHttpClient } from "../src/index.js"
import { server } from "./helpers/httpServer.js"

const agent = new Undici.Agent()
afterAll(() => agent.close())
const client = DispatcherHttpClient.make({ request: (options) => agent.request(options) })

describe("DispatcherHttpClient", () => {
  it.scopedLive("sends method, path, query and headers; reads status, headers, text and json", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server([
        { status: 201, body: '{"ok":true}', headers: { "x-left": "7", "set-cookie": "a=1" } }
      ])
      const response = yield* client.execute(
        HttpClientRequest.get(`${url}/a/b%20c`, {
          urlParams: { q: "x y", n: "1" },
          headers: { "x-key": "k" }
        })
      )
      expect(response.status).toBe(201)
      expect(response.headers["x-left"]).toBe("7")
      expect(response.cookies.cookies.a?.value).toBe("1")
      expect(yield* response.text).toBe('{"ok":true}')
      // Read once, shared after.
      expect(yield* response.json).toEqual({ ok: true })
      expect(seen[0]).toMatchObject({ method: "GET", url: "/a/b%20c?q=x+y&n=1" })
      expect(seen[0]!.headers["x-key"]).toBe("k")
    })
  )

  it.scopedLive(
    "text is the body's UTF-8 as undici's own text() reads it, however it is cut; text and bytes share one read",
    () =>
      Effect.gen(function* () {
        const encode = (text: string) => new TextEncoder().encode(text)
        const join = (...parts: ReadonlyArray<Uint8Array>) => {
          const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
          let at = 0
          for (const part of parts) {
            out.set(part, at)
            at += part.length
          }
          return out
        }
        // Larger than a socket read, so multi-byte characters are cut between chunks.
        const long = "é日本語😀".repeat(6_000)
        const bodies: ReadonlyArray<Uint8Array> = [
          encode(`\uFEFF{"a":"${long}"}`),
          join(encode("ok "), new Uint8Array([0xc3, 0x28, 0xff, 0xe2, 0x82]), encode(" end")),
          new Uint8Array(0)
        ]
        // Each body twice: for undici's reading, then ours.
        const { url } = yield* server(
          bodies.flatMap((body) => [body, body]).map((body) => ({ status: 200, body }))
        )
        for (let i = 0; i < bodies.length; i++) {
          const theirs = yield* Effect.promise(() =>
            agent.request({ origin: url, path: "/", method: "GET" }).then((r) => r.body.text())
          )
          const response = yield* client.execute(HttpClientRequest.get(`${url}/`))
          const text = yield* response.text
          expect(text === theirs).toBe(true)
          expect(yield* response.text).toBe(text)
          expect(new Uint8Array(yield* response.arrayBuffer)).toEqual(bodies[i])
        }
      })
  )

  it.scopedLive("a URL with its own query keeps it, and the request's parameters follow", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server([{ status: 200, body: "" }])
      yield* client.execute(HttpClientRequest.get(`${url}/p?a=1`, { urlParams: { b: "2" } }))
      expect(seen[0]!.url).toBe("/p?a=1&b=2")
    })
  )

  it.scopedLive(
    "readers: concurrent reads share one; the last reader keeps nothing; kept bytes are the stream; nothing waits for a body already streamed",
    () =>
      Effect.gen(function* () {
        // Several socket reads long.
        const body = `{"a":"${"x".repeat(300_000)}"}`
        const { url } = yield* server([{ status: 200, body }])
        const get = client.execute(HttpClientRequest.get(url))
        const decode = (bytes: ArrayBuffer | Uint8Array) => new TextDecoder().decode(bytes)
        const failed = <A, E>(effect: Effect.Effect<A, E>) => Effect.map(Effect.exit(effect), Exit.isFailure)

        const shared = yield* get
        const [text, bytes] = yield* Effect.all([shared.text, shared.arrayBuffer], { concurrency: 2 })
        expect(text).toBe(body)
        expect(decode(bytes)).toBe(body)
        expect(bytes.byteLength).toBe(body.length)
        // The last reader takes the kept bytes: after it, nothing is left to read.
        expect(yield* DispatcherHttpClient.takeText(shared)).toBe(body)
        expect(yield* failed(shared.text)).toBe(true)

        const taken = yield* get
        expect(yield* DispatcherHttpClient.takeText(taken)).toBe(body)
        expect(yield* failed(taken.arrayBuffer)).toBe(true)

        const kept = yield* get
        expect(yield* kept.json).toEqual({ a: "x".repeat(300_000) })
        const streamed = yield* Stream.runCollect(kept.stream)
        expect(decode(Uint8Array.from([...streamed].flatMap((chunk) => [...chunk])))).toBe(body)

        const first = yield* get
        expect(
          decode(Uint8Array.from([...(yield* Stream.runCollect(first.stream))].flatMap((c) => [...c])))
        ).toBe(body)
        expect(yield* failed(first.text)).toBe(true)
      })
  )

  it.scopedLive("bodies: Schema-encoded JSON, text and a stream reach the server", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server([{ status: 204 }])
      const json = yield* HttpClientRequest.schemaBodyJson(Schema.Struct({ n: Schema.NumberFromString }))(
        HttpClientRequest.post(`${url}/j`),
        { n: 3 }
      )
      yield* client.execute(json)
      yield* client.execute(HttpClientRequest.bodyText(HttpClientRequest.put(`${url}/t`), "plain"))
      yield* client.execute(
        HttpClientRequest.bodyStream(
          HttpClientRequest.post(`${url}/s`),
          Stream.make(new TextEncoder().encode("ab"), new TextEncoder().encode("cd"))
        )
      )
      expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
        ["POST", "/j", '{"n":"3"}'],
        ["PUT", "/t", "plain"],
        ["POST", "/s", "abcd"]
      ])
      expect(seen[0]!.headers["content-type"]).toBe("application/json")
    })
  )

  it.scopedLive("works under mapRequest and other HttpClient combinators", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* server([{ status: 200, body: "x" }])
      const based = client.pipe(
        HttpClient.mapRequest(HttpClientRequest.prependUrl(url)),
        HttpClient.filterStatusOk
      )
      const text = yield* Effect.flatMap(based.get("/q"), (response) => response.text)
      expect(text).toBe("x")
      expect(seen[0]!.url).toBe("/q")
    })
  )

  it.scopedLive("past currentTimeout a hung request fails with a TimeoutException as its cause", () =>
    Effect.gen(function* () {
      const { url } = yield* server(["hang"])
      const exit = yield* client
        .get(`${url}/slow`)
        .pipe(Effect.locally(DispatcherHttpClient.currentTimeout, 100), Effect.exit)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      expect(error).toMatchObject({ _tag: "RequestError", reason: "Transport" })
      expect(Cause.isTimeoutException((error as { cause: unknown }).cause)).toBe(true)
      expect(DispatcherHttpClient.honoursTimeout(client)).toBe(true)
    })
  )

  it.scopedLive(
    "withTimeout: the same dispatcher with a deadline on every request; undefined for another client",
    () =>
      Effect.gen(function* () {
        const { url } = yield* server(["hang", { status: 200, body: "fine" }])
        const timed = DispatcherHttpClient.withTimeout(client, 100)
        if (timed === undefined) throw new Error("a dispatcher client has a timed sibling")
        const error = yield* Effect.flip(timed.get(`${url}/slow`))
        expect(error).toMatchObject({ _tag: "RequestError", reason: "Transport" })
        expect(Cause.isTimeoutException((error as { cause: unknown }).cause)).toBe(true)
        // An answer within the deadline is read as usual, and the deadline does not outlive it.
        expect(yield* Effect.flatMap(timed.get(`${url}/ok`), (response) => response.text)).toBe("fine")
        expect(DispatcherHttpClient.honoursTimeout(timed)).toBe(true)
        expect(
          DispatcherHttpClient.withTimeout(
            HttpClient.mapRequest(client, (r) => r),
            100
          )
        ).toBeUndefined()
      })
  )

  it.scopedLive("a refused connection is a transport error; an interrupted request ends", () =>
    Effect.gen(function* () {
      const refused = yield* Effect.flip(client.get("http://127.0.0.1:9/x"))
      expect(refused).toMatchObject({ _tag: "RequestError", reason: "Transport" })
      const { url } = yield* server(["hang"])
      const timedOut = yield* client.get(`${url}/slow`).pipe(Effect.timeout("100 millis"), Effect.flip)
      expect(Cause.isTimeoutException(timedOut)).toBe(true)
      const invalid = yield* Effect.flip(client.get("not a url"))
      expect(invalid).toMatchObject({ _tag: "RequestError", reason: "InvalidUrl" })
    })
  )
})
