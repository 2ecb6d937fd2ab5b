/**
 * The example provider written outside core (`provider/Outbox.ts`) passes the whole conformance
 * suite, and migrates to and from Kit on the simulator (real HTTP), with its own rules and options.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConformanceProbe, conformance } from "@unisequence/conformance"
import { Apply, Journal, Migration, Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { KitSimulator } from "@unisequence/testing"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import * as Outbox from "../provider/Outbox.js"

conformance("outbox", ({ pageSize }) =>
  Layer.unwrapEffect(
    Effect.map(Outbox.make({ pageSize }), (outbox) =>
      Layer.mergeAll(
        Layer.succeed(Sequences.Sequences, outbox.sequences),
        Layer.succeed(ConformanceProbe, {
          writes: outbox.writes,
          enrollees: { emails: ["ada@example.com", "grace@example.com"] }
        })
      )
    )
  )
)

const kitOn = (sim: KitSimulator.KitSimulator) =>
  Kit.make({
    apiKey: Redacted.make("kit_test_key"),
    baseUrl: sim.url,
    rateLimit: false,
    retry: { baseDelay: "5 millis", maxDelay: "50 millis" }
  }).pipe(
    Effect.map(({ sequences }) => sequences),
    Effect.provide(FetchHttpClient.layer)
  )

const migrate = (source: Sequences.Sequences, target: Sequences.Sequences) =>
  Effect.gen(function* () {
    const plan = yield* Migration.plan({ source, target })
    const result = yield* Apply.apply(plan, { target, concurrency: 1 })
    return { plan, result }
  }).pipe(Effect.provide(Journal.layerMemory))

describe("Outbox, a provider outside core", () => {
  it.effect("its own rules are data: a zero wait after another email is valid on Outbox, not on Kit", () =>
    Effect.gen(function* () {
      const outbox = yield* Outbox.make()
      const steps = [
        { delay: { value: 0, unit: "days" as const }, email: { subject: "A", html: "a" } },
        { delay: { value: 0, unit: "hours" as const }, email: { subject: "B", html: "b" } }
      ]
      const created = yield* outbox.sequences.create({ name: "Burst", steps })
      expect(created.steps.map((s) => s.delay.value)).toEqual([0, 0])
      const refused = yield* Effect.flip(
        outbox.sequences.create({
          name: "Bad",
          providerOptions: { outbox: { folder: " " } },
          steps: [{ ...steps[0]!, providerOptions: { outbox: { priority: "urgent" } } }]
        })
      )
      expect(refused._tag === "InvalidInput" && refused.issues.map((i) => i.path)).toEqual([
        "providerOptions.outbox.folder",
        "steps[0].providerOptions.outbox.priority"
      ])
    })
  )

  it.live("migrates to Kit and back on the simulator, with warnings for what Kit has no place for", () =>
    Effect.gen(function* () {
      const sim = yield* KitSimulator.start({ rateLimit: false })
      const kit = yield* kitOn(sim)
      const outbox = yield* Outbox.make()
      yield* outbox.sequences.create({
        name: "Onboarding",
        sender: "team@example.com",
        labels: ["new users"],
        schedule: { _tag: "Weekly", days: ["monday", "thursday"], hour: 10, timeZone: "Europe/Paris" },
        providerOptions: { outbox: { folder: "Lifecycle" } },
        steps: [
          {
            delay: { value: 0, unit: "days" },
            email: { subject: "Welcome", html: "<p>Hi</p>", previewText: "Hello" }
          },
          {
            delay: { value: 6, unit: "hours" },
            email: { subject: "", html: "<p>Any questions?</p>", thread: "reply" },
            providerOptions: { outbox: { priority: "high" } }
          },
          { delay: { value: 3, unit: "days" }, email: { subject: "Tips", html: "<p>Tips</p>" } }
        ]
      })

      const there = yield* migrate(outbox.sequences, kit)
      expect(there.result.outcomes.map((o) => [o.outcome, o.verification])).toEqual([["created", "verified"]])
      const warnings = there.plan.sequences.flatMap((s) => s.warnings.map((w) => w.path))
      // Labels, a reply in the thread and Outbox's own options have no place on Kit; the
      // read-only revision is dropped silently.
      expect(warnings).toEqual(
        expect.arrayContaining([
          "labels",
          "providerOptions.outbox.folder",
          "steps[1].email.thread",
          "steps[1].providerOptions.outbox.priority"
        ])
      )
      expect(warnings).not.toContain("providerOptions.outbox.revision")
      const [onKit] = yield* listAll(kit)
      expect(onKit?.name).toBe("Onboarding")
      const read = yield* kit.get(onKit!.id)
      expect(read.sender).toBe("team@example.com")
      expect(read.schedule).toMatchObject({
        days: ["monday", "thursday"],
        hour: 10,
        timeZone: "Europe/Paris"
      })
      expect(read.steps.map((s) => s.email?.subject)).toEqual(["Welcome", "Re: Welcome", "Tips"])
      expect(read.steps.map((s) => s.delay)).toEqual([
        { value: 0, unit: "days" },
        { value: 6, unit: "hours" },
        { value: 3, unit: "days" }
      ])

      // Back from Kit into a fresh Outbox: Kit's read-only figures stay behind without a warning.
      const back = yield* Outbox.make()
      const home = yield* migrate(kit, back.sequences)
      expect(home.result.outcomes.map((o) => [o.outcome, o.verification])).toEqual([["created", "verified"]])
      const backWarnings = home.plan.sequences.flatMap((s) => s.warnings.map((w) => w.path))
      expect(backWarnings.filter((p) => p.startsWith("providerOptions.kit"))).toEqual([])
      const [returned] = yield* listAll(back.sequences)
      const full = yield* back.sequences.get(returned!.id)
      expect(full.name).toBe("Onboarding")
      expect(full.sender).toBe("team@example.com")
      expect(full.steps.map((s) => s.email?.subject)).toEqual(["Welcome", "Re: Welcome", "Tips"])
      expect(full.steps.map((s) => s.email?.previewText)).toEqual(["Hello", undefined, undefined])
      expect(full.providerOptions?.kit).toBeUndefined()
    }).pipe(Effect.scoped)
  )
})

const listAll = (sequences: Sequences.Sequences) =>
  Stream.runCollect(sequences.list()).pipe(Effect.map(Chunk.toReadonlyArray))
