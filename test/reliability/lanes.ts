/**
 * A lane: a Kit and an Apollo simulator on one profile, for the CLI tests that reuse them from trial to
 * trial (crash, lease). It keeps the request log of the running test across the trials' resets, so
 * that the contract check of a test sees all of that test's requests and none of another's.
 */
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import type { Logged, Profile } from "./contract.js"
import { APOLLO_KEY, KIT_KEY } from "./support.js"

export interface Lane {
  readonly profile: Profile
  readonly kit: KitSimulator.KitSimulator
  readonly apollo: ApolloSimulator.ApolloSimulator
  /** Requests both simulators have received since the last reset. */
  readonly requests: () => number
  /** The CLI's environment: both keys and both base URLs. */
  readonly env: Readonly<Record<string, string>>
  /** A new test: the simulators back to their seed, the test's log emptied. */
  readonly begin: () => void
  /** A new trial of the same test: the simulators back to their seed, the log kept for the test. */
  readonly fresh: () => void
  /** Everything this test sent each simulator (every trial's requests). */
  readonly kitLog: Logged
  readonly apolloLog: Logged
  readonly close: () => Promise<void>
}

/** Starts a lane: Kit seeded with `kitSeed`, Apollo empty, both on `profile`, no rate limits. */
export const startLane = async (profile: Profile, kitSeed: KitSimulator.Seed): Promise<Lane> => {
  const kit = await KitSimulator.startAsync({ profile, apiKeys: [KIT_KEY], rateLimit: false, seed: kitSeed })
  // The documented profile lacks the single-sequence read the adapter needs; observed has it.
  const apollo = await ApolloSimulator.startAsync({
    profile,
    quirks: { readOneSequence: true },
    rateLimit: false
  })
  let kitEarlier: Logged["requests"] = []
  let apolloEarlier: Logged["requests"] = []
  const reset = () => {
    kit.reset()
    kit.clearLog()
    apollo.reset()
    apollo.clearLog()
  }
  return {
    profile,
    kit,
    apollo,
    requests: () => kit.requests.length + apollo.requests.length,
    env: {
      KIT_API_KEY: KIT_KEY,
      KIT_BASE_URL: kit.url,
      APOLLO_API_KEY: APOLLO_KEY,
      APOLLO_BASE_URL: apollo.url
    },
    begin: () => {
      kitEarlier = []
      apolloEarlier = []
      reset()
    },
    fresh: () => {
      kitEarlier = [...kitEarlier, ...kit.requests]
      apolloEarlier = [...apolloEarlier, ...apollo.requests]
      reset()
    },
    kitLog: {
      get requests() {
        return [...kitEarlier, ...kit.requests]
      }
    },
    apolloLog: {
      get requests() {
        return [...apolloEarlier, ...apollo.requests]
      }
    },
    close: async () => {
      await kit.close()
      await apollo.close()
    }
  }
}
