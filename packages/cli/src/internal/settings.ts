/**
 * Where each provider is and how to authenticate: keys from the environment (as `Redacted`, never
 * printed), base URLs from `--kit-url` / `--apollo-url`, else `KIT_BASE_URL` / `APOLLO_BASE_URL`,
 * else the provider's own.
 */
import { Secret } from "@unisequence/core"
import { Config, Effect, Option, Redacted } from "effect"
import { MissingCredentials, UsageError } from "./errors.js"
import type { ProviderName } from "./providerNames.js"

export { type ProviderName, providerNames } from "./providerNames.js"

export const defaultUrls: Readonly<Record<ProviderName, string>> = {
  kit: "https://api.kit.com",
  apollo: "https://api.apollo.io"
}

export interface KitSettings {
  readonly provider: "kit"
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly oauthToken: Option.Option<Redacted.Redacted>
  readonly baseUrl: string
}

export interface ApolloSettings {
  readonly provider: "apollo"
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly baseUrl: string
}

export type Settings = KitSettings | ApolloSettings

/** An unset or empty variable is absent; a key is trimmed where it is read (pasted keys end in `\n`). */
const secret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(
    Config.map((value) => Option.filter(Option.map(value, Secret.trim), (v) => Redacted.value(v) !== ""))
  )

const text = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((value) => value.trim() !== "")))

const checkUrl = (value: string, from: string): Effect.Effect<string, UsageError> => {
  try {
    const url = new URL(value)
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http")
    return Effect.succeed(value.replace(/\/+$/, ""))
  } catch {
    return Effect.fail(new UsageError({ message: `${from}: not an http(s) URL: ${value}` }))
  }
}

const baseUrl = (provider: ProviderName, flag: Option.Option<string>) =>
  Effect.gen(function* () {
    const variable = provider === "kit" ? "KIT_BASE_URL" : "APOLLO_BASE_URL"
    if (Option.isSome(flag)) return yield* checkUrl(flag.value, `--${provider}-url`)
    const fromEnv = yield* text(variable)
    if (Option.isSome(fromEnv)) return yield* checkUrl(fromEnv.value, variable)
    return defaultUrls[provider]
  })

export interface UrlFlags {
  readonly kitUrl: Option.Option<string>
  readonly apolloUrl: Option.Option<string>
}

export const settingsFor = (provider: ProviderName, flags: UrlFlags) =>
  Effect.gen(function* () {
    if (provider === "kit") {
      return {
        provider,
        apiKey: yield* secret("KIT_API_KEY"),
        oauthToken: yield* secret("KIT_OAUTH_TOKEN"),
        baseUrl: yield* baseUrl("kit", flags.kitUrl)
      } satisfies KitSettings as Settings
    }
    return {
      provider,
      apiKey: yield* secret("APOLLO_API_KEY"),
      baseUrl: yield* baseUrl("apollo", flags.apolloUrl)
    } satisfies ApolloSettings as Settings
  })

export const hasCredentials = (settings: Settings): boolean =>
  settings.provider === "kit"
    ? Option.isSome(settings.apiKey) || Option.isSome(settings.oauthToken)
    : Option.isSome(settings.apiKey)

export const requireCredentials = (settings: Settings): Effect.Effect<void, MissingCredentials> =>
  hasCredentials(settings)
    ? Effect.void
    : Effect.fail(
        new MissingCredentials({
          provider: settings.provider,
          variables: settings.provider === "kit" ? ["KIT_API_KEY", "KIT_OAUTH_TOKEN"] : ["APOLLO_API_KEY"]
        })
      )

/** Every secret the run knows, so that output can be checked never to contain one. */
export const secretsOf = (settings: ReadonlyArray<Settings>): ReadonlyArray<string> =>
  settings.flatMap((s) =>
    [s.apiKey, s.provider === "kit" ? s.oauthToken : Option.none<Redacted.Redacted>()].flatMap((o) =>
      Option.isSome(o) ? [Redacted.value(o.value)] : []
    )
  )
