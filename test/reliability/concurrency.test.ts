/**
 * Promise 4: step edits to one sequence issued at once from one process all survive, because core
 * serialises the read-modify-write of each sequence id. The simulators make the writes slow
 * (Apollo holds each sequence write `writeProcessingMs`; Kit answers are dripped slowly), so that
 * unserialised edits would interleave. What cannot be guaranteed against edits made elsewhere is
 * shown last and written down in README.md. Every request (and answer) of each test is valid under
 * the providers' documents.
 */
import { describe, expect, it } from "@effect/vitest"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { Effect } from "effect"
import { expectDocumented } from "./contract.js"
import { apolloOn, apolloSeed, KIT_KEY, kitOn, kitSeed } from "./support.js"

const email = (subject: string) => ({
  delay: { value: 2, unit: "days" as const },
  email: { subject, html: `<p>${subject}</p>` }
})

const EDITS = 60
/**
 * How long Apollo holds each write, and how slowly Kit's answers come: edits started together all
 * read before any write lands, so unserialised edits would overwrite each other. They start in the
 * same tick, so a short window is enough; a longer one only makes the serialised edits wait longer.
 */
const HOLD_MS = 80
const DRIP_MS = 30

describe("concurrent edits of one sequence", () => {
  it.live(`Apollo: edits issued at once all survive while each write is held ${HOLD_MS} ms`, () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        quirks: { readOneSequence: true },
        rateLimit: false,
        seed: apolloSeed(1, 4),
        writeProcessingMs: HOLD_MS
      })
      const apollo = yield* apolloOn(sim.url)
      const id = sim.state().sequences[0]!.id
      const [s1, s2, s3, s4] = sim.state().sequences[0]!.emailer_steps.map((s) => s.id)
      const started = Date.now()
      yield* Effect.all(
        [
          apollo.sequences.updateStep(id, s1!, { email: { subject: "first edit" } }),
          apollo.sequences.updateStep(id, s2!, { email: { subject: "second edit" } }),
          apollo.sequences.addStep(id, email("added at the end")),
          apollo.sequences.updateStep(id, s3!, { delay: { value: 9, unit: "days" } }),
          apollo.sequences.removeStep(id, s4!),
          apollo.sequences.addStep(id, email("added second"), { index: 1 })
        ],
        { concurrency: "unbounded", discard: true }
      )
      const ms = Date.now() - started
      const steps = sim.state().sequences[0]!.emailer_steps
      const puts = sim.requests.filter((r) => r.operation === "updateSequence")
      const busy = puts.filter((r) => r.status === 429).length
      console.log(
        `[concurrency] apollo: 6 edits at once, ${puts.length} PUTs (${busy} answered "already processing"), ${ms} ms`
      )
      const subjects = steps.map((s) => s.emailer_touches[0]?.emailer_template.subject)
      expect(subjects).toContain("first edit")
      expect(subjects).toContain("second edit")
      expect(subjects).toContain("added at the end")
      expect(subjects).toContain("added second")
      expect(steps.find((s) => s.id === s3)?.wait_time).toBe(9)
      expect(steps.map((s) => s.id)).not.toContain(s4)
      expect(steps).toHaveLength(5)
      expect(steps.map((s) => s.position)).toEqual([1, 2, 3, 4, 5])
      // Serialised: no write ever found another in progress.
      expect(busy).toBe(0)
      expect(ms).toBeGreaterThanOrEqual(6 * HOLD_MS)
      expectDocumented("documented", { apollo: [sim] })
    }).pipe(Effect.scoped)
  )

  it.live(`Kit: edits issued at once all survive while every answer is dripped over ${DRIP_MS} ms`, () =>
    Effect.gen(function* () {
      const sim = yield* KitSimulator.start({ apiKeys: [KIT_KEY], rateLimit: false, seed: kitSeed(1, 4) })
      const kit = yield* kitOn(sim.url)
      const sequence = sim.state().sequences[0]!
      const id = String(sequence.id)
      const [e1, e2, e3, e4] = sequence.emails.map((e) => String(e.id))
      sim.setFaults({ all: { slowBody: { rate: 1, slowMs: DRIP_MS } } })
      yield* Effect.all(
        [
          kit.sequences.addStep(id, email("inserted second"), { index: 1 }),
          kit.sequences.moveStep(id, e4!, 1),
          kit.sequences.updateStep(id, e2!, { email: { subject: "edited" } }),
          kit.sequences.addStep(id, email("inserted third"), { index: 2 }),
          kit.sequences.replaceSteps(id, [
            {
              id: e1!,
              delay: { value: 0, unit: "days" },
              email: { subject: "K000 email 0", html: "<p>kept</p>" }
            },
            ...[e2!, e3!, e4!].map((stepId) => ({ id: stepId, ...email(`replaced ${stepId}`) }))
          ])
        ],
        { concurrency: "unbounded", discard: true }
      )
      sim.setFaults(undefined)
      const emails = sim.state().sequences[0]!.emails
      console.log(
        `[concurrency] kit: 5 edits at once, ${sim.requests.length} requests, final: ${emails.map((e) => `${e.position}:${e.subject}`).join(" | ")}`
      )
      // Each edit ran on the state the previous one left: replaceSteps (last) keeps e1..e4 and
      // removes the two inserted emails, whatever the order of the others.
      expect(emails.map((e) => String(e.id)).sort()).toEqual([e1!, e2!, e3!, e4!].sort())
      // Kit orders by position; gaps are allowed, ties are not.
      const positions = emails.map((e) => e.position)
      expect(new Set(positions).size).toBe(4)
      expect([...positions].sort((a, b) => a - b)).toEqual(positions)
      expect(emails.map((e) => String(e.id))).toEqual([e1, e2, e3, e4])
      expect(emails.slice(1).map((e) => e.subject)).toEqual(
        [e2, e3, e4].map((stepId) => `replaced ${stepId}`)
      )
      expectDocumented("documented", { kit: [sim] })
    }).pipe(Effect.scoped)
  )

  it.live("Kit: inserts at the same index issued at once all land, positions stay unique", () =>
    Effect.gen(function* () {
      const sim = yield* KitSimulator.start({ apiKeys: [KIT_KEY], rateLimit: false, seed: kitSeed(1, 3) })
      const kit = yield* kitOn(sim.url)
      const id = String(sim.state().sequences[0]!.id)
      sim.setFaults({ all: { slowBody: { rate: 1, slowMs: DRIP_MS } } })
      yield* Effect.all(
        Array.from({ length: 4 }, (_, i) => kit.sequences.addStep(id, email(`insert ${i}`), { index: 1 })),
        { concurrency: "unbounded", discard: true }
      )
      sim.setFaults(undefined)
      const emails = sim.state().sequences[0]!.emails
      expect(emails).toHaveLength(7)
      const positions = emails.map((e) => e.position)
      expect(new Set(positions).size).toBe(7)
      expect([...positions].sort((a, b) => a - b)).toEqual(positions)
      expect(
        emails
          .map((e) => e.subject)
          .filter((s) => s.startsWith("insert"))
          .sort()
      ).toEqual(["insert 0", "insert 1", "insert 2", "insert 3"])
      expect(emails[0]!.subject).toBe("K000 email 0")
      expect(emails.slice(-2).map((e) => e.subject)).toEqual(["K000 email 1", "K000 email 2"])
      expectDocumented("documented", { kit: [sim] })
    }).pipe(Effect.scoped)
  )

  // 60 edits, not the 200 of the report: each adds a step, so the cost grows with the square of the
  // count, and half are lost without the shared lock at any count.
  it.live("Apollo: 60 edits at once split across two services of one process all survive", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        quirks: { readOneSequence: true },
        rateLimit: false,
        seed: apolloSeed(1, 1)
      })
      // Two services on the same account share the per-sequence lock: it is keyed by provider, base
      // URL and sequence id, process-wide.
      const one = yield* apolloOn(sim.url)
      const two = yield* apolloOn(`${sim.url}/`)
      const id = sim.state().sequences[0]!.id
      const results = yield* Effect.all(
        Array.from({ length: EDITS }, (_, i) =>
          (i % 2 === 0 ? one : two).sequences.addStep(id, email(`edit ${i}`)).pipe(Effect.either)
        ),
        { concurrency: "unbounded" }
      )
      const subjects = sim
        .state()
        .sequences[0]!.emailer_steps.map((s) => s.emailer_touches[0]?.emailer_template.subject)
      const lost = Array.from({ length: EDITS }, (_, i) => `edit ${i}`).filter((s) => !subjects.includes(s))
      console.log(`[concurrency] two services, ${EDITS} edits at once: ${lost.length} lost`)
      expect(results.filter((r) => r._tag === "Left")).toEqual([])
      expect(lost).toEqual([])
      expect(subjects).toHaveLength(EDITS + 1)
      expectDocumented("documented", { apollo: [sim] })
    }).pipe(Effect.scoped)
  )

  it.live(
    "not guaranteed: two processes editing one Apollo sequence at once — the last full write wins",
    () =>
      Effect.gen(function* () {
        const sim = yield* ApolloSimulator.start({
          quirks: { readOneSequence: true },
          rateLimit: false,
          seed: apolloSeed(1, 3),
          writeProcessingMs: 150
        })
        // A second process has locks of its own. In one process, a base URL spelt differently
        // (`127.1` is `127.0.0.1`) gives a service whose locks are not shared either.
        const one = yield* apolloOn(sim.url)
        const two = yield* apolloOn(sim.url.replace("127.0.0.1", "127.1"))
        expect(two.client.baseUrl).not.toBe(one.client.baseUrl)
        const id = sim.state().sequences[0]!.id
        const [s1, s2] = sim.state().sequences[0]!.emailer_steps.map((s) => s.id)
        yield* Effect.all(
          [
            one.sequences.updateStep(id, s1!, { email: { subject: "edit from process one" } }),
            two.sequences.updateStep(id, s2!, { email: { subject: "edit from process two" } })
          ],
          { concurrency: "unbounded", discard: true }
        )
        const subjects = sim
          .state()
          .sequences[0]!.emailer_steps.map((s) => s.emailer_touches[0]?.emailer_template.subject)
        const survived = ["edit from process one", "edit from process two"].filter((s) =>
          subjects.includes(s)
        )
        console.log(
          `[concurrency] two processes, two edits at once: ${survived.length} of 2 survived (documented in README)`
        )
        // Apollo has no version or ETag to make the second write conditional: one edit is lost.
        expect(survived).toHaveLength(1)
        expectDocumented("documented", { apollo: [sim] })
      }).pipe(Effect.scoped)
  )
})
