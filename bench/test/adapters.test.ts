/**
 * The benchmarks' adapters under a scaled clock: only the provider's windows are scaled, never the
 * wait for a real answer (a create that timed out is ambiguous, not retried, and counts as failed).
 */
import { ApolloSimulator } from "@unisequence/testing"
import { Cause, Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import * as Adapters from "../src/adapters.js"

describe("scaledApollo", () => {
  it("waits for an answer slower than the adapter's timeout on the scaled clock", async () => {
    // 30 s of the scaled clock last 0.25 s at 120×; the simulator holds each sequence write for 1 s.
    const scale = 120
    // The observed profile, as the benchmarks run it.
    const sim = await ApolloSimulator.startAsync({
      quirks: { readOneSequence: true },
      writeProcessingMs: 1_000
    })
    try {
      const { sequences } = await Adapters.scaledApollo(sim.url, scale, { retry: false })
      const created = await Effect.runPromise(sequences.create({ name: "Slow answer" }))
      const exit = await Effect.runPromiseExit(
        Effect.withClock(sequences.update(created.id, { name: "Renamed" }), Adapters.scaledClock(scale))
      )
      expect(Exit.isSuccess(exit), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").toBe(true)
      expect(sim.state().sequences.map((s) => s.name)).toEqual(["Renamed"])
    } finally {
      await sim.close()
    }
  })
})
