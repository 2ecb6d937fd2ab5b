/**
 * The CLI's HTTP client: core's `DispatcherHttpClient` over an undici `Agent`, the cheapest client
 * that is still an `HttpClient` (bench/README.md, benchmark 1), built once per run. undici is imported
 * when the first request goes out, with the client (and so core), so that `--help` and usage errors
 * load neither.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"

export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const client = yield* Effect.cached(
      Effect.promise(() =>
        Promise.all([
          import("@effect/platform-node/Undici"),
          import("@unisequence/core/DispatcherHttpClient")
        ])
      ).pipe(
        Effect.flatMap(([undici, DispatcherHttpClient]) =>
          Effect.map(
            Effect.acquireRelease(
              Effect.sync(() => new undici.Agent()),
              (agent) => Effect.promise(() => agent.close())
            ),
            (agent) => DispatcherHttpClient.make({ request: (options) => agent.request(options) })
          )
        ),
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
