/**
 * The CLI's HTTP client is core's dispatcher client itself (so the adapters' pipeline times each
 * attempt out in the transport and sets nothing around the exchange), and it reaches a server over
 * real HTTP with the agent it makes on the first request.
 */
import * as Http from "node:http"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { DispatcherHttpClient } from "@unisequence/core"
import { Effect } from "effect"
import * as HttpTransport from "../src/internal/httpTransport.js"

const listening = Effect.acquireRelease(
  Effect.async<Http.Server>((resume) => {
    const server = Http.createServer((_, response) => response.end("pong"))
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

describe("the CLI's HTTP client", () => {
  it.scopedLive("is the dispatcher client, and answers over HTTP", () =>
    Effect.gen(function* () {
      const server = yield* listening
      const address = server.address()
      if (address === null || typeof address === "string") return expect.fail("not listening on a port")
      const { port } = address
      const client = yield* HttpClient.HttpClient
      expect(DispatcherHttpClient.honoursTimeout(client)).toBe(true)
      const text = yield* client.get(`http://127.0.0.1:${port}/ping`).pipe(Effect.flatMap((r) => r.text))
      expect(text).toBe("pong")
    }).pipe(Effect.provide(HttpTransport.layer))
  )
})
