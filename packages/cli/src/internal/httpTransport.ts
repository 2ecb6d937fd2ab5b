/**
 * The CLI's HTTP client: undici's own (`NodeHttpClient.layerUndici`), faster than `fetch`'s
 * (bench/README.md, benchmark 1), built once per run. Its module (and undici) is imported when the
 * first request goes out, so that `--help` and usage errors load neither.
 */
import { HttpClient, type HttpClientError } from "@effect/platform"
import { Context, Effect, Layer } from "effect"

export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const undici = yield* Effect.cached(
      Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(
        Effect.flatMap((module) => Layer.buildWithScope(module.layerUndici, scope)),
        Effect.map(Context.get(HttpClient.HttpClient))
      )
    )
    // A pass-through: undici's client makes the span and does the rest, so nothing is done twice.
    return HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (request) => Effect.flatMap(undici, (client) => Effect.flatMap(request, client.execute)),
      Effect.succeed
    )
  })
)
