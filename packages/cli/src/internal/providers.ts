/**
 * Builds the `Sequences` service of a provider from its settings, counting the HTTP requests each
 * provider is sent so that long commands can report them. This is the one module of the command
 * that knows each provider.
 */
import { HttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import type { Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { Effect, Option } from "effect"
import type { CallCounter } from "./context.js"
import type { MissingCredentials } from "./errors.js"
import { type ProviderName, requireCredentials, type Settings } from "./settings.js"

export interface Connected {
  readonly provider: ProviderName
  readonly settings: Settings
  readonly sequences: Sequences.Sequences
}

const counting =
  (counter: CallCounter, provider: "kit" | "apollo") =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.tapRequest(client, () =>
      Effect.sync(() => {
        counter.counts[provider]++
      })
    )

/** Connects to a provider; fails with `MissingCredentials` when its keys are not set. */
export const connect = (
  settings: Settings,
  counter: CallCounter
): Effect.Effect<Connected, MissingCredentials, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    yield* requireCredentials(settings)
    if (settings.provider === "kit") {
      const credential = Option.isSome(settings.oauthToken)
        ? { oauthToken: settings.oauthToken.value }
        : { apiKey: Option.getOrThrow(settings.apiKey) }
      const made = yield* Kit.make({
        ...credential,
        baseUrl: settings.baseUrl,
        transformClient: counting(counter, "kit")
      })
      return { provider: "kit", settings, sequences: made.sequences } satisfies Connected as Connected
    }
    const made = yield* Apollo.make({
      apiKey: Option.getOrThrow(settings.apiKey),
      baseUrl: settings.baseUrl,
      transformClient: counting(counter, "apollo")
    })
    return { provider: "apollo", settings, sequences: made.sequences } satisfies Connected as Connected
  })
