import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { SequenceError } from "../src/index.js"
import { Apply, Journal, Memory, Migration, type Sequences } from "../src/index.js"
import * as JournalLines from "../src/internal/journalLines.js"

type Service = Sequences.Sequences

/** Interrupts the run right after the `killAt`-th write has reached the target, as a SIGKILL would. */
const killingAfter = (target: Service, killAt: number): Service => {
  let writes = 0
  const after = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.tap(effect, () => (++writes === killAt ? Effect.interrupt : Effect.void))
  return {
    ...target,
    create: (input) => after(target.create(input)),
    update: (id, patch) => after(target.update(id, patch)),
    replaceSteps: (id, steps) => after(target.replaceSteps(id, steps)),
    setActive: (id, active) => after(target.setActive(id, active)),
    remove: (id) => after(target.remove(id))
  }
}

const seedSource = Effect.gen(function* () {
  const source = yield* Memory.make()
  for (const n of [1, 2, 3]) {
    yield* source.create({
      name: `Onboarding ${n}`,
      active: true,
      reentry: n === 2,
      steps: [
        {
          delay: { value: 0, unit: "days" },
          email: { subject: `Welcome ${n}`, html: "<p>hi</p>" },
          published: true
        },
        {
          delay: { value: 2, unit: "days" },
          sendDays: ["monday"],
          email: { subject: "Tips", html: "<p>t</p>" }
        },
        { delay: { value: 5, unit: "hours" }, email: { subject: "Offer", html: "<p>o</p>" } }
      ]
    })
  }
  return source
})

const snapshot = (target: Service) =>
  Stream.runCollect(target.list()).pipe(
    Effect.flatMap((all) => Effect.forEach(Chunk.toReadonlyArray(all), (s) => target.get(s.id))),
    Effect.map((all) =>
      all
        .map((s) => ({
          name: s.name,
          active: s.active,
          steps: s.steps.map((st) => [st.delay, st.email?.subject, st.published])
        }))
        .sort((a, b) => a.name.localeCompare(b.name))
    )
  )

describe("Migration", () => {
  it.effect("a run killed after each of its writes in turn resumes to the same end, with no duplicate", () =>
    Effect.gen(function* () {
      const source = yield* seedSource
      const reference = yield* Memory.make()
      yield* Migration.plan({ source, target: reference }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target: reference, concurrency: 1 })),
        Effect.provide(Journal.layerMemory)
      )
      const expected = yield* snapshot(reference)
      const totalWrites = yield* reference.writeCount
      expect(totalWrites).toBeGreaterThan(3)

      for (let killAt = 1; killAt <= totalWrites; killAt++) {
        const target = yield* Memory.make()
        const journal = yield* Journal.makeMemory()
        const killed = yield* Effect.exit(
          Migration.plan({ source, target }).pipe(
            Effect.flatMap((plan) =>
              Apply.apply(plan, { target: killingAfter(target, killAt), concurrency: 1 })
            ),
            Effect.provideService(Journal.Journal, journal)
          )
        )
        expect(Exit.isInterrupted(killed)).toBe(true)
        yield* Effect.gen(function* () {
          const resumed = yield* Apply.apply(yield* Migration.plan({ source, target }), { target })
          expect(resumed.outcomes.every((o) => o.verification !== "differs")).toBe(true)
          expect(yield* snapshot(target)).toEqual(expected)
          // Finished: another run writes nothing.
          const writes = yield* target.writeCount
          const again = yield* Migration.plan({ source, target })
          expect(again.sequences.every((s) => s.action === "unchanged")).toBe(true)
          yield* Apply.apply(again, { target })
          expect(yield* target.writeCount).toBe(writes)
        }).pipe(Effect.provideService(Journal.Journal, journal))
      }
    })
  )

  it.effect("a journal cut short mid-line is recovered", () =>
    Effect.gen(function* () {
      const source = yield* seedSource
      const target = yield* Memory.make()
      const journal = yield* Journal.makeMemory()
      yield* Migration.plan({ source, target }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target })),
        Effect.provideService(Journal.Journal, journal)
      )
      const text = yield* journal.text
      const cut = yield* Journal.makeMemory(text.slice(0, text.length - 20))
      const { skipped } = JournalLines.parse(yield* cut.text)
      expect(skipped).toBe(1)
      const result = yield* Migration.plan({ source, target }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target })),
        Effect.provideService(Journal.Journal, cut)
      )
      expect(result.outcomes.every((o) => o.verification !== "differs")).toBe(true)
      expect((yield* snapshot(target)).length).toBe(3)
    })
  )

  it.effect("targets are created inactive and unpublished unless asked to activate", () =>
    Effect.gen(function* () {
      const source = yield* seedSource
      const safe = yield* Memory.make()
      yield* Migration.plan({ source, target: safe }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target: safe })),
        Effect.provide(Journal.layerMemory)
      )
      for (const s of yield* snapshot(safe)) {
        expect(s.active).toBe(false)
        expect(s.steps.every(([, , published]) => published === false)).toBe(true)
      }
      const live = yield* Memory.make()
      yield* Migration.plan({ source, target: live, activate: true }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target: live })),
        Effect.provide(Journal.layerMemory)
      )
      for (const s of yield* snapshot(live)) {
        expect(s.active).toBe(true)
        expect(s.steps[0]?.[2]).toBe(true)
      }
    })
  )

  it.effect("plans selections and counts calls per target capability", () =>
    Effect.gen(function* () {
      const source = yield* seedSource
      const target = yield* Memory.make()
      const plan = yield* Migration.plan({ source, target, select: Migration.nameContains("ing 2") }).pipe(
        Effect.provide(Journal.layerMemory)
      )
      expect(plan.sequences.map((s) => s.name)).toEqual(["Onboarding 2"])
      // memory: create inline (1) + rename (1) + read back (1)
      expect(plan.sequences[0]?.calls).toBe(3)
      expect(yield* target.writeCount).toBe(0)
    })
  )

  it.effect("one sequence failing lets the others finish, then the run fails with its error", () =>
    Effect.gen(function* () {
      const source = yield* seedSource
      const target = yield* Memory.make()
      const refusing: Sequences.Sequences = {
        ...target,
        create: (input) =>
          input.name.startsWith("Onboarding 2")
            ? Effect.fail(
                new SequenceError.PermissionDenied({
                  provider: "memory",
                  operation: "create",
                  reason: "not this one"
                })
              )
            : target.create(input)
      }
      const journal = yield* Journal.makeMemory()
      const error = yield* Migration.plan({ source, target }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target: refusing, concurrency: 3 })),
        Effect.flip,
        Effect.provideService(Journal.Journal, journal)
      )
      expect(error._tag).toBe("PermissionDenied")
      const names = (yield* snapshot(target)).map((s) => s.name)
      expect(names).toEqual(["Onboarding 1", "Onboarding 3"])
      const states = [...Journal.latest(yield* journal.read).values()].map((e) => e.state)
      expect(states.filter((s) => s === "verified")).toHaveLength(2)
    })
  )

  it.live("a create whose answer was lost and that lands after the retry leaves no duplicate", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      yield* source.create({ name: "Late", steps: [] })
      const target = yield* Memory.make()
      const landed = yield* Deferred.make<void>()
      let creates = 0
      let late: Fiber.RuntimeFiber<unknown, unknown> | undefined
      const lossy: Sequences.Sequences = {
        ...target,
        create: (input) => {
          creates++
          if (creates === 1) {
            // The provider got it, but the answer is lost; it is carried out only after the retry.
            return Effect.gen(function* () {
              late = yield* Effect.fork(Deferred.await(landed).pipe(Effect.zipRight(target.create(input))))
              return yield* new SequenceError.ProviderUnavailable({
                provider: "memory",
                operation: "create",
                reason: "connection reset"
              })
            })
          }
          return target.create(input).pipe(
            Effect.tap(() => Deferred.succeed(landed, undefined)),
            Effect.tap(() => (late === undefined ? Effect.void : Fiber.await(late)))
          )
        }
      }
      const result = yield* Migration.plan({ source, target }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target: lossy })),
        Effect.provide(Journal.layerMemory)
      )
      expect(creates).toBe(2)
      expect(result.outcomes.map((o) => o.verification)).toEqual(["verified"])
      const names = (yield* snapshot(target)).map((s) => s.name)
      expect(names).toEqual(["Late"])
    })
  )
})
