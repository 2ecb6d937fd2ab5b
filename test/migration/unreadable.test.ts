/**
 * An Apollo account that does not serve `GET /emailer_campaigns/{id}` (Apollo's document does not
 * list it): a migration, a file's apply and `apply` itself fail once, with `Unsupported` naming the
 * endpoint, before anything is written; the adapter's own reads fail at once after the first answer.
 */
import { Apply, Journal, Memory, Migration, SequenceFile } from "@unisequence/core"
import { ApolloSimulator } from "@unisequence/testing"
import { apolloOn } from "./adapters.js"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"

const endpoint = "GET /api/v1/emailer_campaigns/{id}"
const writes = (sim: ApolloSimulator.ApolloSimulator) =>
  sim.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/search"))

const source = Effect.gen(function* () {
  const memory = yield* Memory.make()
  yield* memory.create({
    name: "Welcome",
    steps: [{ delay: { value: 0, unit: "days" }, email: { subject: "Hi", html: "<p>Hi</p>" } }]
  })
  yield* memory.create({ name: "Second", steps: [] })
  return memory
})

describe("Apollo without the single-sequence read", () => {
  it.scoped("a migration fails at plan, once, naming the endpoint: nothing created", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false })
      const target = yield* apolloOn(sim)
      const from = yield* source
      const error = yield* Migration.plan({ source: from, target }).pipe(
        Effect.provide(Journal.layerMemory),
        Effect.flip
      )
      expect(error._tag).toBe("Unsupported")
      expect(error._tag === "Unsupported" && error.feature).toBe(endpoint)
      expect(writes(sim)).toEqual([])
      expect(sim.state().sequences).toHaveLength(0)
      // One probe, not one per sequence.
      expect(sim.requests.filter((r) => r.path.startsWith("/api/v1/emailer_campaigns/"))).toHaveLength(1)
    })
  )

  it.scoped("apply of a plan made where the read was served fails before its first write", () =>
    Effect.gen(function* () {
      const readable = yield* ApolloSimulator.start({ rateLimit: false, quirks: { readOneSequence: true } })
      const from = yield* source
      const plan = yield* Migration.plan({ source: from, target: yield* apolloOn(readable) }).pipe(
        Effect.provide(Journal.layerMemory)
      )
      expect(plan.sequences.map((s) => s.action)).toEqual(["create", "create"])
      const sim = yield* ApolloSimulator.start({ rateLimit: false })
      const target = yield* apolloOn(sim)
      const result = yield* Apply.apply(plan, { target }).pipe(
        Effect.provide(Journal.layerMemory),
        Effect.either
      )
      expect(Either.isLeft(result) && result.left._tag).toBe("Unsupported")
      expect(writes(sim)).toEqual([])
      expect(sim.state().sequences).toHaveLength(0)
    })
  )

  it.scoped("a file's plan fails the same way, before any write", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false })
      const target = yield* apolloOn(sim)
      const file = Either.getOrThrow(
        SequenceFile.parse(
          "version: 1\nsequences:\n  - name: Onboarding\n    steps:\n      - delay: 0 days\n        email: { subject: Hi, html: <p>Hi</p> }\n",
          "s.yaml"
        )
      )
      const error = yield* SequenceFile.plan({ file, target }).pipe(
        Effect.provide(Journal.layerMemory),
        Effect.flip
      )
      expect(error._tag).toBe("Unsupported")
      expect(error.message).toContain(endpoint)
      expect(writes(sim)).toEqual([])
    })
  )

  it.scoped("once known, every read and step edit fails at once with the same error, without a request", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false, seed: { sequences: [{ name: "S" }] } })
      const target = yield* apolloOn(sim)
      const id = sim.state().sequences[0]!.id
      const first = yield* Effect.flip(target.get(id))
      expect(first._tag).toBe("Unsupported")
      sim.clearLog()
      const again = yield* Effect.flip(target.get(id))
      const edit = yield* Effect.flip(target.addStep(id, { delay: { value: 1, unit: "days" }, type: "call" }))
      const preflight = yield* Effect.flip(target.preflight ?? Effect.succeed(0))
      expect([again, edit, preflight].map((e) => (e._tag === "Unsupported" ? e.feature : e._tag))).toEqual([
        endpoint,
        endpoint,
        endpoint
      ])
      expect(sim.requests).toEqual([])
    })
  )

  it.scoped("where the read is served, the preflight costs one request, then none", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false, quirks: { readOneSequence: true } })
      const target = yield* apolloOn(sim)
      expect(yield* target.preflight ?? Effect.succeed(0)).toBe(1)
      expect(yield* target.preflight ?? Effect.succeed(0)).toBe(0)
      expect(sim.requests.map((r) => [r.method, r.status])).toEqual([["GET", 404]])
    })
  )

  it.scoped("a plan's read figure counts the preflight's request: every request planning made", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false, quirks: { readOneSequence: true } })
      const target = yield* apolloOn(sim)
      const from = yield* source
      const plan = yield* Migration.plan({ source: from, target }).pipe(Effect.provide(Journal.layerMemory))
      expect(sim.requests.length).toBeGreaterThan(1)
      expect(plan.reads).toBe(sim.requests.length)
      sim.clearLog()
      const file = Either.getOrThrow(
        SequenceFile.parse("version: 1\nsequences:\n  - name: Welcome\n    steps: []\n", "s.yaml")
      )
      const fresh = yield* apolloOn(sim)
      const filePlan = yield* SequenceFile.plan({ file, target: fresh }).pipe(
        Effect.provide(Journal.layerMemory)
      )
      expect(filePlan.reads).toBe(sim.requests.length)
    })
  )
})
