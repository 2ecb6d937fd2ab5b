/** The adapters as the benchmarks build them: over fetch, against a simulator's URL. */
import { FetchHttpClient } from "@effect/platform"
import { Apollo, ApolloClient } from "@unisequence/apollo"
import type { Sequences } from "@unisequence/core"
import { Kit, type KitClient } from "@unisequence/kit"
import { ApolloSimulator } from "@unisequence/testing"
import { Clock, Duration, Effect, Redacted } from "effect"

export const KIT_KEY = "kit_test_key"
export const APOLLO_KEY = ApolloSimulator.defaultMasterKey

/** Short retry waits: the simulators answer at once, and a benchmark should not idle. */
const retry = { baseDelay: "5 millis", maxDelay: "200 millis" } as const

export const kit = (
  url: string,
  options: Partial<Kit.Options> = {}
): Promise<{ readonly client: KitClient.Service; readonly sequences: Sequences.Sequences }> =>
  Effect.runPromise(
    Kit.make({
      apiKey: Redacted.make(KIT_KEY),
      baseUrl: url,
      rateLimit: false,
      retry,
      ...options
    }).pipe(Effect.provide(FetchHttpClient.layer))
  )

export const apollo = (url: string, options: Partial<Apollo.Options> = {}): Promise<Apollo.Apollo> =>
  Effect.runPromise(
    Apollo.make({ apiKey: Redacted.make(APOLLO_KEY), baseUrl: url, retry, ...options }).pipe(
      Effect.provide(FetchHttpClient.layer)
    )
  )

/**
 * A clock running `scale` times faster than real time: its milliseconds are the simulator's scaled
 * ones (`Date.now() * scale`), and a sleep of d lasts d / scale. Run an adapter under it when its
 * provider's windows are scaled, so both sides agree on when a minute ends.
 */
export const scaledClock = (scale: number): Clock.Clock => {
  const real = Clock.make()
  const millis = () => Date.now() * scale
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => BigInt(Math.round(millis() * 1_000_000)),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(millis() * 1_000_000))),
    sleep: (duration) => real.sleep(Duration.millis(Duration.toMillis(duration) / scale))
  }
}

/**
 * The Apollo adapter to run under `scaledClock(scale)`. Its budget windows are the simulator's scaled
 * minutes, but its request timeout waits for a real answer, so it is scaled back to real time: left
 * on the scaled clock, 30 s would last 0.25 s at 120×, which a loaded machine exceeds, and a create
 * that timed out is ambiguous, so it is not retried and counts as a failed call.
 */
export const scaledApollo = (
  url: string,
  scale: number,
  options: Partial<Apollo.Options> = {}
): Promise<Apollo.Apollo> => {
  const { timeout, ...rest } = options
  return apollo(url, {
    ...rest,
    timeout: Duration.times(Duration.decode(timeout ?? ApolloClient.defaultTimeout), scale)
  })
}
