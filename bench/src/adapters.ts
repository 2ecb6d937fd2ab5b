/**
 * The adapters as the benchmarks build them, against a simulator's URL, on the default HTTP client
 * of the CLI and of the Promise API (core's `DispatcherHttpClient` over an undici `Agent`) unless
 * `NodeHttpClient.layerUndici` or `FetchHttpClient` is asked for.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import { Apollo, ApolloClient } from "@unisequence/apollo"
import { DispatcherHttpClient, type Sequences } from "@unisequence/core"
import { Kit, KitClient } from "@unisequence/kit"
import { ApolloSimulator } from "@unisequence/testing"
import { Clock, Duration, Effect, ManagedRuntime, Redacted } from "effect"

export const KIT_KEY = "kit_test_key"
export const APOLLO_KEY = ApolloSimulator.defaultMasterKey

/** Short retry waits: the simulators answer at once, and a benchmark should not idle. */
const retry = { baseDelay: "5 millis", maxDelay: "200 millis" } as const

/**
 * `default`: the CLI's and the Promise API's (`DispatcherHttpClient` over an undici `Agent`);
 * `undici`: `@effect/platform-node`'s `NodeHttpClient.layerUndici`; `fetch`: `FetchHttpClient`.
 */
export type Transport = "default" | "undici" | "fetch"

const layers = {
  default: DispatcherHttpClient.layer(() => {
    const agent = new Undici.Agent()
    return { request: (options) => agent.request(options), close: () => agent.close() }
  }),
  undici: NodeHttpClient.layerUndici,
  fetch: FetchHttpClient.layer
} as const

// One client per transport, built once and kept (undici's dispatcher lives in the layer's scope),
// as the CLI and the Promise API build theirs once per runtime.
const runtimes = new Map<Transport, ManagedRuntime.ManagedRuntime<HttpClient.HttpClient, never>>()

const runtime = (transport: Transport) => {
  const existing = runtimes.get(transport)
  if (existing !== undefined) return existing
  const made = ManagedRuntime.make(layers[transport])
  runtimes.set(transport, made)
  return made
}

/** Closes the clients (undici's dispatcher and its sockets); the next adapter builds a new one. */
export const release = async (): Promise<void> => {
  const all = [...runtimes.values()]
  runtimes.clear()
  for (const r of all) await r.dispose()
}

export const kit = (
  url: string,
  options: Partial<Kit.Options> = {},
  transport: Transport = "default"
): Promise<{ readonly client: KitClient.Service; readonly sequences: Sequences.Sequences }> =>
  runtime(transport).runPromise(
    Kit.make({
      apiKey: Redacted.make(KIT_KEY),
      baseUrl: url,
      rateLimit: false,
      retry,
      ...options
    })
  )

export const apollo = (
  url: string,
  options: Partial<Apollo.Options> = {},
  transport: Transport = "default"
): Promise<Apollo.Apollo> =>
  runtime(transport).runPromise(
    Apollo.make({ apiKey: Redacted.make(APOLLO_KEY), baseUrl: url, retry, ...options })
  )

/** The bare HTTP client of a transport, for the breakdown rows. */
export const httpClient = (transport: Transport): Promise<HttpClient.HttpClient> =>
  runtime(transport).runPromise(HttpClient.HttpClient)

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

/**
 * The Kit adapter with its default rate limit (120 requests a minute per API key), to run under
 * `scaledClock(scale)` against a simulator whose clock is scaled the same: its windows are Kit's
 * real minutes, lasting `60 / scale` s. Its request timeout is scaled back to real time, as
 * `scaledApollo`'s.
 */
export const scaledKit = (
  url: string,
  scale: number
): Promise<{ readonly client: KitClient.Service; readonly sequences: Sequences.Sequences }> =>
  runtime("undici").runPromise(
    Kit.make({
      apiKey: Redacted.make(KIT_KEY),
      baseUrl: url,
      retry,
      timeout: Duration.times(KitClient.DEFAULT_TIMEOUT, scale)
    })
  )
