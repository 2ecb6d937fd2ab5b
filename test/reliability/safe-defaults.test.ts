/**
 * Promise 8: nothing is published (Kit email), approved (Apollo touch) or activated unless the
 * caller asked for it — for a migration, for sequences as code, and for every `Sequences` write.
 * Each check reads the simulators' own state; a control run with activation asked for shows the
 * same checks do see activation when it happens. Every request (and answer) of each test is valid
 * under the providers' documents.
 */
import { describe, expect, it } from "@effect/vitest"
import { Apply, Journal, Migration, SequenceFile, type Sequences } from "@unisequence/core"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { Effect, Either } from "effect"
import { expectDocumented } from "./contract.js"
import { apolloOn, apolloSeed, KIT_KEY, kitOn, kitSeed } from "./support.js"

/** What could send: per sequence, whether it is active and which steps would send. */
const kitLive = (sim: KitSimulator.KitSimulator) =>
  sim.state().sequences.map((s) => ({
    name: s.name,
    active: s.active,
    published: s.emails.filter((e) => e.published).length
  }))

/** Apollo: a touch sends once approved; an archived sequence sends nothing. */
const apolloLive = (sim: ApolloSimulator.ApolloSimulator) => {
  const unarchived = sim.state().sequences.filter((s) => !s.archived)
  return unarchived.map(({ name, active, emailer_steps }) => ({
    name,
    active,
    published: emailer_steps.flatMap((step) => step.emailer_touches).filter((t) => t.status === "approved")
      .length
  }))
}

const nothingLive = (live: ReadonlyArray<{ readonly active: boolean; readonly published: number }>) =>
  live.every((s) => !s.active && s.published === 0)

const step = (subject: string, days: number) => ({
  delay: { value: days, unit: "days" as const },
  email: { subject, html: `<p>${subject}</p>` }
})

/** Every write of the service on one inactive, unpublished sequence; the state is read after each. */
const everyWrite = (
  sequences: Sequences.Sequences,
  id: string,
  stepIds: ReadonlyArray<string>,
  enroll: { readonly emails?: ReadonlyArray<string>; readonly ids?: ReadonlyArray<string> },
  live: () => ReadonlyArray<{ readonly active: boolean; readonly published: number }>
) =>
  Effect.gen(function* () {
    const checks: Array<string> = []
    const after = (label: string) =>
      Effect.sync(() => {
        expect(nothingLive(live()), `after ${label}: ${JSON.stringify(live())}`).toBe(true)
        checks.push(label)
      })
    yield* sequences.create({ name: "Created without flags", steps: [step("One", 0), step("Two", 2)] })
    yield* after("create")
    yield* sequences.update(id, { name: "Renamed" })
    yield* after("update")
    const added = yield* sequences.addStep(id, step("Added", 3))
    yield* after("addStep")
    yield* sequences.addStep(id, step("Inserted", 1), { index: 1 })
    yield* after("addStep at an index")
    yield* sequences.updateStep(id, stepIds[1]!, {
      email: { subject: "Changed" },
      delay: { value: 4, unit: "days" }
    })
    yield* after("updateStep")
    yield* sequences.moveStep(id, added.id, 1)
    yield* after("moveStep")
    yield* sequences.removeStep(id, stepIds[2]!)
    yield* after("removeStep")
    const current = yield* sequences.get(id)
    yield* sequences.replaceSteps(id, [
      ...current.steps.map((s) => ({
        id: s.id,
        delay: s.delay,
        type: s.type,
        ...(s.email === undefined ? {} : { email: s.email })
      })),
      step("Replaced in", 5)
    ])
    yield* after("replaceSteps")
    yield* sequences.setActive(id, false)
    yield* after("setActive(false)")
    yield* Effect.either(sequences.enroll(id, enroll))
    yield* after("enroll")
    return checks
  })

describe("safe defaults", () => {
  it.live("Kit: no Sequences write publishes an email or activates a sequence unless asked", () =>
    Effect.gen(function* () {
      const sim = yield* KitSimulator.start({
        apiKeys: [KIT_KEY],
        rateLimit: false,
        seed: {
          sequences: [
            {
              name: "Draft",
              active: false,
              emails: [0, 1, 2, 3].map((i) => ({
                subject: `E${i}`,
                content: `<p>${i}</p>`,
                delay_value: i,
                published: false
              }))
            }
          ],
          subscribers: [{ email_address: "ada@example.com" }]
        }
      })
      const kit = yield* kitOn(sim.url)
      const seeded = sim.state().sequences[0]!
      const checks = yield* everyWrite(
        kit.sequences,
        String(seeded.id),
        seeded.emails.map((e) => String(e.id)),
        { emails: ["ada@example.com"] },
        () => kitLive(sim)
      )
      const sentLive = sim.requests.filter(
        (r) =>
          typeof r.body === "object" &&
          r.body !== null &&
          (("active" in r.body && r.body.active === true) ||
            ("published" in r.body && r.body.published === true))
      )
      console.log(
        `[safe defaults] kit: ${checks.length} writes (${checks.join(", ")}), ${sim.requests.length} requests, ${sentLive.length} asked to publish or activate`
      )
      expect(sentLive).toEqual([])
      // Control: asked for, it happens.
      yield* kit.sequences.setActive(String(seeded.id), true)
      yield* kit.sequences.updateStep(String(seeded.id), String(seeded.emails[0]!.id), { published: true })
      expect(nothingLive(kitLive(sim))).toBe(false)
      expectDocumented("documented", { kit: [sim] })
    }).pipe(Effect.scoped)
  )

  it.live("Apollo: no Sequences write approves a touch or activates a sequence unless asked", () =>
    Effect.gen(function* () {
      const seed = apolloSeed(1, 4)
      const sim = yield* ApolloSimulator.start({
        quirks: { readOneSequence: true },
        rateLimit: false,
        seed: {
          sequences: seed.sequences!.map((s) => ({
            ...s,
            active: false,
            emailer_steps: s.emailer_steps!.map((st) => ({
              ...st,
              emailer_touches: st.emailer_touches!.map((t) => ({ ...t, status: "to_be_reviewed" as const }))
            }))
          }))
        }
      })
      const apollo = yield* apolloOn(sim.url)
      const seeded = sim.state().sequences[0]!
      const contact = sim.state().contacts[0]!.id
      const checks = yield* everyWrite(
        apollo.sequences,
        seeded.id,
        seeded.emailer_steps.map((s) => s.id),
        { ids: [contact] },
        () => apolloLive(sim)
      )
      const approvals = sim.requests.filter((r) => r.operation === "approve")
      console.log(
        `[safe defaults] apollo: ${checks.length} writes (${checks.join(", ")}), ${sim.requests.length} requests, ${approvals.length} approve calls`
      )
      expect(approvals).toEqual([])
      yield* apollo.sequences.setActive(seeded.id, true)
      expect(nothingLive(apolloLive(sim))).toBe(false)
      expectDocumented("documented", { apollo: [sim] })
    }).pipe(Effect.scoped)
  )

  it.live("migrations write targets inactive and unpublished unless --activate (both directions)", () =>
    Effect.gen(function* () {
      // Sources that are live: active, every email published / touch approved.
      const kitSource = yield* KitSimulator.start({
        apiKeys: [KIT_KEY],
        rateLimit: false,
        seed: { sequences: kitSeed(3, 3).sequences!.map((s) => ({ ...s, active: true })) }
      })
      const apolloSource = yield* ApolloSimulator.start({
        quirks: { readOneSequence: true },
        rateLimit: false,
        seed: { sequences: apolloSeed(3, 3).sequences!.map((s) => ({ ...s, active: true })) }
      })
      expect(kitLive(kitSource).every((s) => s.active && s.published === 3)).toBe(true)
      expect(apolloLive(apolloSource).every((s) => s.active && s.published === 3)).toBe(true)
      const figures: Array<string> = []
      const sims = { kit: [kitSource], apollo: [apolloSource] }
      for (const activate of [false, true]) {
        const kitTarget = yield* KitSimulator.start({ apiKeys: [KIT_KEY], rateLimit: false })
        const apolloTarget = yield* ApolloSimulator.start({
          quirks: { readOneSequence: true },
          rateLimit: false
        })
        sims.kit.push(kitTarget)
        sims.apollo.push(apolloTarget)
        const kitIn = yield* kitOn(kitSource.url)
        const apolloIn = yield* apolloOn(apolloSource.url)
        const kitOut = yield* kitOn(kitTarget.url)
        const apolloOut = yield* apolloOn(apolloTarget.url)
        for (const [source, target] of [
          [kitIn, apolloOut],
          [apolloIn, kitOut]
        ] as const) {
          const journal = yield* Journal.makeMemory()
          const plan = yield* Migration.plan({
            source: source.sequences,
            target: target.sequences,
            activate
          }).pipe(Effect.provideService(Journal.Journal, journal))
          yield* Apply.apply(plan, { target: target.sequences }).pipe(
            Effect.provideService(Journal.Journal, journal)
          )
        }
        const live = { apollo: apolloLive(apolloTarget), kit: kitLive(kitTarget) }
        figures.push(
          `activate=${activate}: apollo ${JSON.stringify(live.apollo.map((s) => [s.active, s.published]))}, kit ${JSON.stringify(live.kit.map((s) => [s.active, s.published]))}`
        )
        expect(live.apollo).toHaveLength(3)
        expect(live.kit).toHaveLength(3)
        if (!activate) {
          expect(nothingLive(live.apollo)).toBe(true)
          expect(nothingLive(live.kit)).toBe(true)
          expect(apolloTarget.requests.filter((r) => r.operation === "approve")).toEqual([])
        } else {
          expect(live.apollo.every((s) => s.active && s.published === 3)).toBe(true)
          expect(live.kit.every((s) => s.active && s.published === 3)).toBe(true)
        }
      }
      console.log(`[safe defaults] migrate: ${figures.join("; ")}`)
      expectDocumented("documented", sims)
    }).pipe(Effect.scoped)
  )

  it.live(
    "sequences as code: a file that says active and published is held back unless activation is asked",
    () =>
      Effect.gen(function* () {
        const text = [
          "version: 1",
          "sequences:",
          "  - name: From the file",
          "    active: true",
          "    schedule: { days: [monday, tuesday, wednesday, thursday, friday], hour: 9, timeZone: America/New_York }",
          "    steps:",
          "      - { delay: 0 days, published: true, email: { subject: One, html: <p>One</p> } }",
          "      - { delay: 2 days, published: true, email: { subject: Two, html: <p>Two</p> } }"
        ].join("\n")
        const file = Either.getOrThrow(SequenceFile.parse(text))
        const figures: Array<string> = []
        const sims: {
          kit: Array<KitSimulator.KitSimulator>
          apollo: Array<ApolloSimulator.ApolloSimulator>
        } = {
          kit: [],
          apollo: []
        }
        for (const activate of [false, true]) {
          const kitSim = yield* KitSimulator.start({ apiKeys: [KIT_KEY], rateLimit: false })
          const apolloSim = yield* ApolloSimulator.start({
            quirks: { readOneSequence: true },
            rateLimit: false
          })
          sims.kit.push(kitSim)
          sims.apollo.push(apolloSim)
          const kit = yield* kitOn(kitSim.url)
          const apollo = yield* apolloOn(apolloSim.url)
          for (const target of [kit.sequences, apollo.sequences]) {
            const journal = yield* Journal.makeMemory()
            const plan = yield* SequenceFile.plan({ file, target, activate }).pipe(
              Effect.provideService(Journal.Journal, journal)
            )
            yield* Apply.apply(plan, { target }).pipe(Effect.provideService(Journal.Journal, journal))
            // Applying again changes nothing and still activates nothing.
            const again = yield* SequenceFile.plan({ file, target, activate }).pipe(
              Effect.provideService(Journal.Journal, journal)
            )
            yield* Apply.apply(again, { target }).pipe(Effect.provideService(Journal.Journal, journal))
          }
          const live = { kit: kitLive(kitSim), apollo: apolloLive(apolloSim) }
          figures.push(
            `activate=${activate}: kit ${JSON.stringify(live.kit)}, apollo ${JSON.stringify(live.apollo)}`
          )
          expect(live.kit).toHaveLength(1)
          expect(live.apollo).toHaveLength(1)
          if (!activate) {
            expect(nothingLive(live.kit)).toBe(true)
            expect(nothingLive(live.apollo)).toBe(true)
          } else {
            expect(live.kit[0]).toMatchObject({ active: true, published: 2 })
            expect(live.apollo[0]).toMatchObject({ active: true, published: 2 })
          }
        }
        console.log(`[safe defaults] apply: ${figures.join("; ")}`)
        expectDocumented("documented", sims)
      }).pipe(Effect.scoped)
  )
})
