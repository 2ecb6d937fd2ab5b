/**
 * The CLI's HTTP client: core's `DispatcherHttpClient` over an undici `Agent`, the cheapest client
 * that is still an `HttpClient` (bench/README.md, benchmark 1), built once per run. undici is imported
 * when the first request goes out, so that `--help` and usage errors do not load it.
 */
import { HttpClient, type HttpClientError } from "@effect/platform"
import { DispatcherHttpClient } from "@unisequence/core"
import { Effect, Layer, Scope } from "effect"

export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const client = yield* Effect.cached(
      Effect.promise(() => import("@effect/platform-node/Undici")).pipe(
        Effect.flatMap((undici) =>
          Effect.acquireRelease(
            Effect.sync(() => new undici.Agent()),
            (agent) => Effect.promise(() => agent.close())
          )
        ),
        Effect.map((agent) => DispatcherHttpClient.make({ request: (options) => agent.request(options) })),
        Scope.extend(scope)
      )
    )
    // A pass-through to the client once it is built.
    return HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (request) => Effect.flatMap(client, (built) => Effect.flatMap(request, built.execute)),
      Effect.succeed
    )
  })
)
