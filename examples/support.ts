/**
 * Where the examples' providers are: the real Kit and Apollo when their keys are in the environment
 * (`KIT_API_KEY`, `APOLLO_API_KEY`), otherwise simulators started in this process on 127.0.0.1.
 */
import type { Apollo } from "@unisequence/apollo"
import type { KitClient } from "@unisequence/kit"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { Effect, Redacted, type Scope } from "effect"

const fromEnv = (name: string) => {
  const value = process.env[name]
  return value === undefined || value.trim() === "" ? undefined : value
}

/** Kit options: the real account, or a simulator seeded with `seed`. */
export const kitOptions = (
  seed?: KitSimulator.Seed
): Effect.Effect<KitClient.Options, never, Scope.Scope> => {
  const key = fromEnv("KIT_API_KEY")
  if (key !== undefined) {
    const baseUrl = fromEnv("KIT_BASE_URL")
    return Effect.succeed({
      apiKey: Redacted.make(key),
      ...(baseUrl === undefined ? {} : { baseUrl })
    })
  }
  return Effect.map(KitSimulator.start(seed === undefined ? {} : { seed }), (sim) => ({
    apiKey: Redacted.make("kit_test_key"),
    baseUrl: sim.url
  }))
}

/** Apollo options: the real account, or a simulator seeded with `seed`. */
export const apolloOptions = (
  seed?: ApolloSimulator.Seed
): Effect.Effect<Apollo.Options, never, Scope.Scope> => {
  const key = fromEnv("APOLLO_API_KEY")
  if (key !== undefined) {
    const baseUrl = fromEnv("APOLLO_BASE_URL")
    return Effect.succeed({ apiKey: Redacted.make(key), ...(baseUrl === undefined ? {} : { baseUrl }) })
  }
  return Effect.map(
    ApolloSimulator.start({ quirks: { readOneSequence: true }, ...(seed === undefined ? {} : { seed }) }),
    (sim) => ({
      apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
      baseUrl: sim.url
    })
  )
}

export const usingSimulators = fromEnv("KIT_API_KEY") === undefined || fromEnv("APOLLO_API_KEY") === undefined
