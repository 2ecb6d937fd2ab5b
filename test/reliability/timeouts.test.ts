/**
 * Promise 3: every request has a timeout (configurable, 30 s by default); a provider that never
 * answers, or answers too slowly, gives `ProviderUnavailable` after it, and nothing waits forever.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Sequences } from "@unisequence/core"
import { ApolloClient } from "@unisequence/apollo"
import { KitClient } from "@unisequence/kit"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { HttpClient } from "@effect/platform"
import { Duration, Effect, Stream } from "effect"
import { expectDocumented } from "./contract.js"
import { apolloOn, apolloSeed, KIT_KEY, kitOn, kitSeed } from "./support.js"

// No upper bound on a duration is asserted: a load can stretch any of them. That the timeout fired
// is shown by the failure itself (the provider never answers, or would answer whole after 5 s).
const TIMEOUT_MS = 300
/**
 * The timeout when every operation goes at once. Each failure must say it is the timeout (not a refused
 * or broken connection); how many of the twelve requests reach the provider before it fires depends on
 * the machine's load, so that count is printed and only required to be more than none.
 */
const AT_ONCE_TIMEOUT_MS = 1_000

/** One seeded sequence per operation: each takes the lock of its own sequence, none waits for another. */
const OPERATIONS = 12

interface Target {
  readonly id: string
  readonly stepId: string
}

/** Every operation of the service, each of which sends at least one request, each on its own sequence. */
const operationsOf = (
  sequences: Sequences.Sequences,
  targets: ReadonlyArray<Target>,
  enroll: { readonly emails?: ReadonlyArray<string>; readonly ids?: ReadonlyArray<string> }
): ReadonlyArray<
  readonly [string, Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>]
> => {
  const on = (i: number): Target => targets[i % targets.length]!
  return [
    ["list", Stream.runDrain(sequences.list())],
    ["get", sequences.get(on(1).id)],
    [
      "create",
      sequences.create({
        name: "New",
        steps: [{ delay: { value: 0, unit: "days" }, email: { subject: "s", html: "<p>h</p>" } }]
      })
    ],
    ["update", sequences.update(on(3).id, { name: "Renamed" })],
    [
      "addStep",
      sequences.addStep(on(4).id, {
        delay: { value: 1, unit: "days" },
        email: { subject: "s", html: "<p>h</p>" }
      })
    ],
    ["updateStep", sequences.updateStep(on(5).id, on(5).stepId, { email: { subject: "changed" } })],
    ["removeStep", sequences.removeStep(on(6).id, on(6).stepId)],
    ["moveStep", sequences.moveStep(on(7).id, on(7).stepId, 1)],
    ["replaceSteps", sequences.replaceSteps(on(8).id, [])],
    ["setActive", sequences.setActive(on(9).id, true)],
    ["remove", sequences.remove(on(10).id)],
    ["enroll", sequences.enroll(on(11).id, enroll)]
  ]
}

const timed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const start = Date.now()
    const result = yield* Effect.either(effect)
    return { result, ms: Date.now() - start }
  })

/**
 * Runs every operation at once against a provider that never answers: each fails after the timeout,
 * no sooner. At once, so the test waits one timeout, not one per operation: each request has its own.
 */
const eachTimesOut = (operations: ReturnType<typeof operationsOf>) =>
  Effect.gen(function* () {
    const results = yield* Effect.forEach(
      operations,
      ([name, effect]) => Effect.map(timed(effect), (r) => ({ name, ...r })),
      {
        concurrency: "unbounded"
      }
    )
    for (const { name, result, ms } of results) {
      expect(result._tag, name).toBe("Left")
      if (result._tag === "Left") {
        expect(result.left._tag, name).toBe("ProviderUnavailable")
        expect(result.left.message, name).toContain("no answer within")
      }
      expect(ms, name).toBeGreaterThanOrEqual(AT_ONCE_TIMEOUT_MS - 20)
    }
    return results.map(({ name, ms }) => `${name} ${ms}ms`).join(", ")
  })

describe("timeouts", () => {
  it("the default timeout is set and sensible on both clients", () => {
    for (const timeout of [KitClient.DEFAULT_TIMEOUT, ApolloClient.defaultTimeout]) {
      expect(Duration.toMillis(timeout)).toBeGreaterThanOrEqual(5_000)
      expect(Duration.toMillis(timeout)).toBeLessThanOrEqual(120_000)
    }
  })

  it.live(
    "Kit: every operation against a provider that never answers fails with ProviderUnavailable after the timeout",
    () =>
      Effect.gen(function* () {
        const sim = yield* KitSimulator.start({
          apiKeys: [KIT_KEY],
          rateLimit: false,
          seed: kitSeed(OPERATIONS, 2)
        })
        const targets = sim
          .state()
          .sequences.map((s) => ({ id: String(s.id), stepId: String(s.emails[1]!.id) }))
        const kit = yield* kitOn(sim.url, { timeout: Duration.millis(AT_ONCE_TIMEOUT_MS), retry: false })
        sim.setFaults({ all: { hang: { rate: 1 } } })
        const figures = yield* eachTimesOut(
          operationsOf(kit.sequences, targets, { emails: ["ada@example.com"] })
        )
        console.log(
          `[timeouts] kit, ${AT_ONCE_TIMEOUT_MS} ms timeout, provider hangs: ${figures}; ${sim.requests.length} requests arrived`
        )
        expect(sim.requests.length).toBeGreaterThan(0)
        expectDocumented("documented", { kit: [sim] })
      }).pipe(Effect.scoped)
  )

  it.live(
    "Apollo: every operation against a provider that never answers fails with ProviderUnavailable after the timeout",
    () =>
      Effect.gen(function* () {
        const sim = yield* ApolloSimulator.start({
          quirks: { readOneSequence: true },
          rateLimit: false,
          seed: apolloSeed(OPERATIONS, 2)
        })
        const targets = sim.state().sequences.map((s) => ({ id: s.id, stepId: s.emailer_steps[1]!.id }))
        const contact = sim.state().contacts[0]!.id
        const apollo = yield* apolloOn(sim.url, {
          timeout: Duration.millis(AT_ONCE_TIMEOUT_MS),
          retry: false
        })
        sim.setFaults({ all: { hang: { rate: 1 } } })
        const figures = yield* eachTimesOut(operationsOf(apollo.sequences, targets, { ids: [contact] }))
        console.log(
          `[timeouts] apollo, ${AT_ONCE_TIMEOUT_MS} ms timeout, provider hangs: ${figures}; ${sim.requests.length} requests arrived`
        )
        expect(sim.requests.length).toBeGreaterThan(0)
        expectDocumented("documented", { apollo: [sim] })
      }).pipe(Effect.scoped)
  )

  it.live("a body dripped slower than the timeout counts against it (both adapters)", () =>
    Effect.gen(function* () {
      const kitSim = yield* KitSimulator.start({ apiKeys: [KIT_KEY], rateLimit: false, seed: kitSeed(1, 2) })
      const apolloSim = yield* ApolloSimulator.start({
        quirks: { readOneSequence: true },
        rateLimit: false,
        seed: apolloSeed(1, 2)
      })
      const kit = yield* kitOn(kitSim.url, { timeout: Duration.millis(TIMEOUT_MS), retry: false })
      const apollo = yield* apolloOn(apolloSim.url, { timeout: Duration.millis(TIMEOUT_MS), retry: false })
      kitSim.setFaults({ all: { slowBody: { rate: 1, slowMs: 5_000 } } })
      apolloSim.setFaults({ all: { slowBody: { rate: 1, slowMs: 5_000 } } })
      const [kitRead, apolloRead] = yield* Effect.all(
        [
          timed(kit.sequences.get(String(kitSim.state().sequences[0]!.id))),
          timed(apollo.sequences.get(apolloSim.state().sequences[0]!.id))
        ],
        { concurrency: 2 }
      )
      console.log(
        `[timeouts] body dripped over 5 s, ${TIMEOUT_MS} ms timeout: kit ${kitRead.ms} ms, apollo ${apolloRead.ms} ms`
      )
      for (const { result } of [kitRead, apolloRead]) {
        expect(result._tag).toBe("Left")
        if (result._tag === "Left") {
          expect(result.left._tag).toBe("ProviderUnavailable")
          expect(result.left.message).toContain("no answer within")
        }
      }
      expectDocumented("documented", { kit: [kitSim], apollo: [apolloSim] })
    }).pipe(Effect.scoped)
  )

  it.live(
    "with retries on, a hanging provider still ends: attempts × timeout plus backoff (both adapters)",
    () =>
      Effect.gen(function* () {
        const kitSim = yield* KitSimulator.start({
          apiKeys: [KIT_KEY],
          rateLimit: false,
          seed: kitSeed(1, 2)
        })
        const apolloSim = yield* ApolloSimulator.start({
          quirks: { readOneSequence: true },
          rateLimit: false,
          seed: apolloSeed(1, 2)
        })
        const retry = { maxAttempts: 3, baseDelay: "20 millis", maxDelay: "100 millis" } as const
        // Attempts are counted as the client sends them: how many reach a hanging provider within a
        // timeout depends on the machine's load, how many are made does not.
        const sent = { kit: 0, apollo: 0 }
        const counting = (side: keyof typeof sent) => (client: HttpClient.HttpClient) =>
          HttpClient.tapRequest(client, () => Effect.sync(() => sent[side]++))
        const kit = yield* kitOn(kitSim.url, {
          timeout: Duration.millis(TIMEOUT_MS),
          retry,
          transformClient: counting("kit")
        })
        const apollo = yield* apolloOn(apolloSim.url, {
          timeout: Duration.millis(TIMEOUT_MS),
          retry,
          transformClient: counting("apollo")
        })
        kitSim.setFaults({ all: { hang: { rate: 1 } } })
        apolloSim.setFaults({ all: { hang: { rate: 1 } } })
        const [kitRead, apolloRead] = yield* Effect.all(
          [
            timed(kit.sequences.get(String(kitSim.state().sequences[0]!.id))),
            timed(apollo.sequences.get(apolloSim.state().sequences[0]!.id))
          ],
          { concurrency: 2 }
        )
        console.log(
          `[timeouts] 3 attempts × ${TIMEOUT_MS} ms against a hanging provider: kit ${kitRead.ms} ms (${kitSim.requests.length} requests), apollo ${apolloRead.ms} ms (${apolloSim.requests.length} requests)`
        )
        for (const { result, ms } of [kitRead, apolloRead]) {
          expect(result._tag).toBe("Left")
          if (result._tag === "Left") {
            expect(result.left._tag).toBe("ProviderUnavailable")
            expect(result.left.message).toContain("no answer within")
          }
          expect(ms).toBeGreaterThanOrEqual(3 * TIMEOUT_MS - 20)
        }
        expect(sent).toEqual({ kit: 3, apollo: 3 })
        expect(kitSim.requests.length).toBeGreaterThan(0)
        expect(apolloSim.requests.length).toBeGreaterThan(0)
        expectDocumented("documented", { kit: [kitSim], apollo: [apolloSim] })
      }).pipe(Effect.scoped)
  )
})
