/**
 * The CLI's HTTP client: core's `DispatcherHttpClient` over an undici `Agent`, the cheapest client
 * that is still an `HttpClient` (bench/README.md, benchmark 1), built once per run. It is that client
 * itself, not a pass-through to it, so that the adapters' pipeline recognises it: each attempt's
 * timeout is the transport's own timer, and no span or header setting is made around the exchange.
 * undici is imported and the agent made when the first request goes out, so that `--help` and usage
 * errors load neither.
 */
import type Undici from "@effect/platform-node/Undici"
import * as DispatcherHttpClient from "@unisequence/core/DispatcherHttpClient"

export const layer = DispatcherHttpClient.layer(() => {
  let agent: Promise<Undici.Agent> | undefined
  const made = () => {
    agent ??= import("@effect/platform-node/Undici").then((undici) => new undici.Agent())
    return agent
  }
  return {
    request: (options) => made().then((ready) => ready.request(options)),
    // An agent that was never made (its import failed) has nothing to close.
    close: () =>
      agent === undefined
        ? Promise.resolve()
        : agent.then(
            (ready) => ready.close(),
            () => undefined
          )
  }
})
