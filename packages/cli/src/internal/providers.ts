/**
 * Builds the `Sequences` service (and the raw client, for `verify`) of a provider from its
 * settings, counting the HTTP requests each provider is sent so that long commands can report them.
 */
import { HttpClient } from "@effect/platform"
import { Apollo, type ApolloClient } from "@unisequence/apollo"
import type { Sequences } from "@unisequence/core"
import { Kit, KitClient } from "@unisequence/kit"
import { Effect, Option } from "effect"
import { requireCredentials, type Settings } from "./settings.js"

/** HTTP requests sent per provider during this run. */
export interface CallCounter {
  readonly counts: { kit: number; apollo: number }
}

export const makeCounter = (): CallCounter => ({ counts: { kit: 0, apollo: 0 } })

export type Connected =
  | {
      readonly provider: "kit"
      readonly settings: Settings
      readonly sequences: Sequences.Sequences
      readonly client: KitClient.KitClient
    }
  | {
      readonly provider: "apollo"
      readonly settings: Settings
      readonly sequences: Sequences.Sequences
      readonly client: ApolloClient.Service
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
export const connect = (settings: Settings, counter: CallCounter) =>
  Effect.gen(function* () {
    yield* requireCredentials(settings)
    if (settings.provider === "kit") {
      const credential = Option.isSome(settings.oauthToken)
        ? KitClient.oauthToken(settings.oauthToken.value)
        : KitClient.apiKey(Option.getOrThrow(settings.apiKey))
      const made = yield* Kit.make({
        credential,
        baseUrl: settings.baseUrl,
        transformClient: counting(counter, "kit")
      })
      return {
        provider: "kit",
        settings,
        sequences: made.sequences,
        client: made.client
      } satisfies Connected as Connected
    }
    const made = yield* Apollo.make({
      apiKey: Option.getOrThrow(settings.apiKey),
      baseUrl: settings.baseUrl,
      transformClient: counting(counter, "apollo")
    })
    return {
      provider: "apollo",
      settings,
      sequences: made.sequences,
      client: made.client
    } satisfies Connected as Connected
  })
