/**
 * Property tests over the simulators (real HTTP), both adapters:
 * - hostile inputs (a misspelt or unknown field anywhere, a number no provider field holds) are a
 *   typed `InvalidInput` at their path, and no request is sent;
 * - a rerun of a migration after random changes the user made on the target (activating,
 *   approving or publishing, editing) keeps what is live live and writes back what the source says.
 */
import { describe, expect, it } from "@effect/vitest"
import { Apply, Journal, Migration, Sequence as Model, type Sequences } from "@unisequence/core"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { apolloOn, kitOn } from "./adapters.js"
import { Cause, Effect, Exit, FastCheck as fc, type Scope } from "effect"

type Profile = "documented" | "observed"

const startKit = (profile: Profile, seed: KitSimulator.Seed = {}) =>
  KitSimulator.startAsync({ profile, rateLimit: false, seed })
const startApollo = (profile: Profile, seed: ApolloSimulator.Seed = {}) =>
  ApolloSimulator.startAsync({ profile, quirks: { readOneSequence: true }, rateLimit: false, seed })

const email = (subject: string) => ({ subject, html: `<p>${subject}</p>` })
const step = (i: number) => ({
  delay: { value: i === 0 ? 0 : i, unit: "days" as const },
  email: email(`S${i}`)
})

const fieldsOf = (schema: { readonly fields: object }) => Object.keys(schema.fields)
const known = {
  sequence: fieldsOf(Model.NewSequence),
  step: [...fieldsOf(Model.DesiredStep), "id"],
  email: fieldsOf(Model.StepEmail)
}

/** A misspelling of a real field (a letter dropped, doubled or swapped) or a made-up name. */
const misspelt = (fields: ReadonlyArray<string>) =>
  fc
    .oneof(
      fc
        .tuple(fc.constantFrom(...fields), fc.nat(), fc.constantFrom("drop", "double", "swap"))
        .map(([f, n, how]) => {
          const i = n % f.length
          if (how === "drop") return f.slice(0, i) + f.slice(i + 1)
          if (how === "double") return f.slice(0, i) + f[i] + f.slice(i)
          const j = Math.min(i + 1, f.length - 1)
          return f.slice(0, i) + f[j] + f[i] + f.slice(j + 1)
        }),
      fc.stringMatching(/^[a-z][A-Za-z_]{0,14}$/)
    )
    .filter((k) => k !== "" && k !== "__proto__" && !Object.values(known).some((f) => f.includes(k)))

/** Numbers no provider's field holds: beyond a safe integer, not finite, not a number. */
const hugeNumber = fc.constantFrom(1e20, 2 ** 53, Number.MAX_VALUE, Number.POSITIVE_INFINITY, Number.NaN)

interface Case {
  /** What the operation is called with, on the sequence `id` and its step `stepId`. */
  readonly run: (
    sequences: Sequences.Sequences,
    ids: { readonly id: string; readonly stepId: string }
  ) => Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>
  /** The path the refusal must name. */
  readonly path: string
  readonly label: string
}

const unknownFieldCases = (key: string): ReadonlyArray<Case> => {
  const bad = { [key]: 1 }
  return [
    { label: "create", path: key, run: (s) => s.create({ name: "N", steps: [], ...bad } as never) },
    {
      label: "create step",
      path: `steps[1].${key}`,
      run: (s) => s.create({ name: "N", steps: [step(0), { ...step(1), ...bad }] } as never)
    },
    {
      label: "create email",
      path: `steps[0].email.${key}`,
      run: (s) => s.create({ name: "N", steps: [{ ...step(0), email: { ...email("A"), ...bad } }] } as never)
    },
    { label: "update", path: key, run: (s, { id }) => s.update(id, { name: "N", ...bad } as never) },
    {
      label: "addStep",
      path: `step.${key}`,
      run: (s, { id }) => s.addStep(id, { ...step(1), ...bad } as never)
    },
    {
      label: "updateStep",
      path: `patch.${key}`,
      run: (s, { id, stepId }) => s.updateStep(id, stepId, { published: true, ...bad } as never)
    },
    {
      label: "updateStep email",
      path: `patch.email.${key}`,
      run: (s, { id, stepId }) => s.updateStep(id, stepId, { email: { subject: "S", ...bad } } as never)
    },
    {
      label: "replaceSteps",
      path: `steps[0].email.${key}`,
      run: (s, { id }) => s.replaceSteps(id, [{ ...step(0), email: { ...email("A"), ...bad } }] as never)
    }
  ]
}

const hugeNumberCases = (n: number): ReadonlyArray<Case> => {
  const delay = { value: n, unit: "days" as const }
  return [
    {
      label: "create delay",
      path: "steps[1].delay.value",
      run: (s) => s.create({ name: "N", steps: [step(0), { ...step(1), delay }] })
    },
    {
      label: "addStep delay",
      path: "step.delay.value",
      run: (s, { id }) => s.addStep(id, { ...step(1), delay })
    },
    {
      label: "updateStep delay",
      path: "delay.value",
      run: (s, { id, stepId }) => s.updateStep(id, stepId, { delay })
    },
    {
      label: "replaceSteps delay",
      path: "steps[1].delay.value",
      run: (s, { id }) => s.replaceSteps(id, [step(0), { ...step(1), delay }])
    }
  ]
}

const hostile = fc.oneof(
  fc
    .tuple(fc.oneof(misspelt(known.sequence), misspelt(known.step), misspelt(known.email)), fc.nat())
    .map(([key, n]) => {
      const all = unknownFieldCases(key)
      return { ...all[n % all.length]!, value: key }
    }),
  fc.tuple(hugeNumber, fc.nat()).map(([value, n]) => {
    const all = hugeNumberCases(value)
    return { ...all[n % all.length]!, value }
  })
)

describe("hostile inputs, both adapters over HTTP", () => {
  it.live(
    "property: a misspelt field or an impossible number anywhere is InvalidInput at its path, 0 requests",
    () =>
      Effect.gen(function* () {
        const kitSim = yield* Effect.acquireRelease(
          Effect.promise(() =>
            startKit("documented", {
              sequences: [
                {
                  id: 1,
                  name: "K",
                  emails: [
                    { id: 11, subject: "A", content: "<p>A</p>", delay_value: 0, delay_unit: "days" },
                    { id: 12, subject: "B", content: "<p>B</p>", delay_value: 1, delay_unit: "days" }
                  ]
                }
              ]
            })
          ),
          (sim) => Effect.promise(() => sim.close())
        )
        const apolloSim = yield* Effect.acquireRelease(
          Effect.promise(() =>
            startApollo("documented", {
              sequences: [
                {
                  id: "65f0000000000000000000a1",
                  name: "A",
                  emailer_steps: [0, 1].map((i) => ({
                    id: `65f0000000000000000000b${i}`,
                    type: "auto_email" as const,
                    wait_time: i,
                    wait_mode: "day" as const,
                    emailer_touches: [
                      {
                        status: "approved" as const,
                        emailer_template: { subject: `S${i}`, body_html: "<p>x</p>" }
                      }
                    ]
                  }))
                }
              ]
            })
          ),
          (sim) => Effect.promise(() => sim.close())
        )
        const adapters = [
          { name: "kit", sequences: yield* kitOn(kitSim), ids: { id: "1", stepId: "12" } },
          {
            name: "apollo",
            sequences: yield* apolloOn(apolloSim),
            ids: { id: "65f0000000000000000000a1", stepId: "65f0000000000000000000b1" }
          }
        ]
        kitSim.clearLog()
        apolloSim.clearLog()
        const seen = new Map<string, number>()
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(hostile, async (c) => {
              for (const adapter of adapters) {
                const exit = await Effect.runPromiseExit(c.run(adapter.sequences, adapter.ids))
                const what = `${adapter.name} ${c.label} ${String(c.value)}`
                if (Exit.isSuccess(exit)) throw new Error(`${what}: accepted`)
                const failure = Cause.failureOption(exit.cause)
                if (failure._tag === "None")
                  throw new Error(`${what}: no typed failure: ${Cause.pretty(exit.cause)}`)
                expect(failure.value._tag, `${what}: ${failure.value.message}`).toBe("InvalidInput")
                expect(failure.value.message, what).toContain(`${c.path}: `)
                seen.set(c.label, (seen.get(c.label) ?? 0) + 1)
              }
            }),
            { numRuns: 200 }
          )
        )
        // Nothing reached either provider: every refusal was local.
        expect(kitSim.requests).toEqual([])
        expect(apolloSim.requests).toEqual([])
        expect(seen.size).toBe(12)
        console.log(
          `[hostile inputs] 200 cases × 2 adapters, every one InvalidInput at its path, 0 requests: ${[...seen].map(([k, v]) => `${k} ${v}`).join(", ")}`
        )
      }).pipe(Effect.scoped)
  )
})

/** What the user may do on the target between two runs. */
const userChange = fc.record({
  activate: fc.boolean(),
  /** Per step: approve the touch (Apollo) or publish the email (Kit). */
  live: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  /** A step whose subject the user edits on the target, if any. */
  editTarget: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  /** The source changed since: a subject fixed there. */
  editSource: fc.boolean()
})
type UserChange = typeof userChange extends fc.Arbitrary<infer A> ? A : never

const migrate = (source: Sequences.Sequences, target: Sequences.Sequences, journal: Journal.Journal) =>
  Migration.plan({ source, target }).pipe(
    Effect.flatMap((plan) => Apply.apply(plan, { target }).pipe(Effect.map((result) => ({ plan, result })))),
    Effect.provideService(Journal.Journal, journal)
  )

/** One migration, the user's changes on the target (and maybe the source), a rerun; checks what survives. */
const rerunKeepsLiveState = (source: Sequences.Sequences, target: Sequences.Sequences, change: UserChange) =>
  Effect.gen(function* () {
    const journal = yield* Journal.makeMemory()
    const first = yield* migrate(source, target, journal)
    const outcome = first.result.outcomes[0]!
    const id = outcome.targetId!
    const live = yield* target.get(id)
    expect(live.active).toBe(false)
    expect(live.steps.map((s) => s.published)).toEqual([false, false, false])
    // The user, on the target: approves or publishes some steps, edits a subject, activates.
    yield* target.replaceSteps(
      id,
      live.steps.map(({ raw: _raw, ...s }, i) => ({
        ...s,
        published: change.live[i]!,
        ...(change.editTarget === i && s.email !== undefined
          ? { email: { ...s.email, subject: `${s.email.subject} (edited on the target)` } }
          : {})
      }))
    )
    if (change.activate) yield* target.setActive(id, true)
    if (change.editSource) {
      const read = yield* source.get(outcome.key)
      yield* source.updateStep(outcome.key, read.steps[2]!.id, { email: { subject: "Fixed in the source" } })
    }
    const before = yield* target.get(id)
    const { plan } = yield* migrate(source, target, journal)
    const after = yield* target.get(id)
    // Live stays live: active stays active, approved or published steps stay so.
    expect(after.active).toBe(before.active)
    expect(after.steps.map((s) => s.published)).toEqual(before.steps.map((s) => s.published))
    expect(after.steps.map((s) => s.id)).toEqual(before.steps.map((s) => s.id))
    // What the source says is written back; the plan said it would change something.
    const expected = (yield* source.get(outcome.key)).steps.map((s) => s.email?.subject)
    expect(after.steps.map((s) => s.email?.subject)).toEqual(expected)
    const changed = change.editTarget !== undefined || change.editSource
    expect(plan.sequences[0]!.action).toBe(changed ? "update" : "unchanged")
    expect(plan.sequences[0]!.operations.map((o) => o.detail).join("; ")).not.toMatch(
      /deactivat|unpublish|unapprov/
    )
  })

const kitSource: KitSimulator.Seed = {
  sequences: [
    {
      name: "Course",
      send_days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      send_hour: 9,
      time_zone: "America/New_York",
      emails: ["One", "Two", "Three"].map((subject, i) => ({
        subject,
        content: `<p>${subject}</p>`,
        delay_value: i === 0 ? 0 : i + 1,
        delay_unit: "days" as const,
        published: true
      }))
    }
  ]
}

const apolloSource: ApolloSimulator.Seed = {
  sequences: [
    {
      name: "Outbound",
      emailer_steps: ["One", "Two", "Three"].map((subject, i) => ({
        type: "auto_email" as const,
        wait_time: i === 0 ? 0 : i + 1,
        wait_mode: "day" as const,
        emailer_touches: [
          {
            type: "new_thread" as const,
            status: "approved" as const,
            emailer_template: { subject, body_html: "<p>x</p>" }
          }
        ]
      }))
    }
  ]
}

const RERUNS = 6

interface Pair {
  readonly source: Sequences.Sequences
  readonly target: Sequences.Sequences
  /** Both simulators back to their seeds, for the next run. */
  readonly reset: () => void
}

/** Both simulators and adapters once per property; each run starts from the seeds again. */
const directions: ReadonlyArray<
  readonly [string, (profile: Profile) => Effect.Effect<Pair, never, Scope.Scope>]
> = [
  [
    "Kit → Apollo (touches approved, sequence activated in Apollo)",
    (profile) =>
      Effect.gen(function* () {
        const kit = yield* KitSimulator.start({ profile, rateLimit: false, seed: kitSource })
        const apollo = yield* ApolloSimulator.start({
          profile,
          quirks: { readOneSequence: true },
          rateLimit: false
        })
        return {
          source: yield* kitOn(kit),
          target: yield* apolloOn(apollo),
          reset: () => {
            kit.reset()
            apollo.reset()
          }
        }
      })
  ],
  [
    "Apollo → Kit (emails published, sequence activated in Kit)",
    (profile) =>
      Effect.gen(function* () {
        const apollo = yield* ApolloSimulator.start({
          profile,
          quirks: { readOneSequence: true },
          rateLimit: false,
          seed: apolloSource
        })
        const kit = yield* KitSimulator.start({ profile, rateLimit: false })
        return {
          source: yield* apolloOn(apollo),
          target: yield* kitOn(kit),
          reset: () => {
            kit.reset()
            apollo.reset()
          }
        }
      })
  ]
]

describe("reruns after random user changes on the target, over HTTP", () => {
  for (const [direction, pair] of directions)
    for (const profile of ["documented", "observed"] as const)
      it.live(
        `property: ${direction}, ${profile} profile: what is live stays live, the source is written back`,
        () =>
          Effect.gen(function* () {
            const sims = yield* pair(profile)
            let runs = 0
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(userChange, async (change) => {
                  runs++
                  sims.reset()
                  await Effect.runPromise(rerunKeepsLiveState(sims.source, sims.target, change))
                }),
                { numRuns: RERUNS }
              )
            )
            console.log(
              `[reruns] ${direction}, ${profile}: ${runs} random user changes on the target, every rerun kept them live`
            )
            expect(runs).toBeGreaterThanOrEqual(RERUNS)
          }).pipe(Effect.scoped)
      )
})
