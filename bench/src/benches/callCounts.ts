/**
 * 3. Every neutral operation on each provider, on both simulator profiles: the HTTP calls it made
 * (from the simulator's request log) vs the fewest the provider's API allows. On the documented
 * profile some write answers do not name the ids of what they created, so the adapter reads them
 * back: those reads are part of the minimum, and shown apart. The minimum of each, with its reason,
 * is in README.md; a count above it is a finding.
 */
import type { Sequences } from "@unisequence/core"
import type { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { Effect } from "effect"
import * as Adapters from "../adapters.js"
import type { Bench } from "../bench.js"
import type { Figure } from "../figures.js"
import { apolloSequence } from "../fixtures.js"
import type { Logged, Profile } from "../simulators/commands.js"
import { type RemoteApollo, type RemoteKit, startApollo, startKit } from "../simulators/host.js"

export interface Operation {
  readonly name: string
  /** The fewest requests the provider's API allows for it on the profile (README.md says why). */
  readonly minimum: number
  /** Of `minimum`, the reads of ids the write's answer did not name (the documented answers). */
  readonly readBacks: number
  readonly run: (sequences: Sequences.Sequences, ids: Fixture) => Effect.Effect<unknown, unknown>
}

/** The fixture sequence and its five steps, in order. */
export interface Fixture {
  readonly id: string
  /** An active sequence, for enrolment (Kit refuses to enrol into an inactive one). */
  readonly activeId: string
  readonly steps: ReadonlyArray<string>
}

/** A day between steps everywhere, so that any reorder is valid (only the first may be immediate). */
const email = (subject: string) => ({
  delay: { value: 1, unit: "days" as const },
  email: { subject, html: `<p>${subject}</p>` }
})

const reversed = (fixture: Fixture) =>
  [...fixture.steps].reverse().map((id) => ({ id, ...email(`Step ${id}`) }))

/** The operations, in the table's order, with each provider's minimum on the profile. */
export const operations = (provider: "kit" | "apollo", profile: Profile): ReadonlyArray<Operation> => {
  const kit = provider === "kit"
  // Apollo's documented update answer names no touch's step, so a new step's ids are read back.
  const readBack = !kit && profile === "documented" ? 1 : 0
  const ops: ReadonlyArray<Omit<Operation, "readBacks"> & { readonly readBacks?: number }> = [
    { name: "get", minimum: kit ? 2 : 1, run: (s, f) => s.get(f.id) },
    { name: "create, 0 steps", minimum: 1, run: (s) => s.create({ name: "New" }) },
    {
      name: "create, 3 steps",
      minimum: kit ? 4 : 1,
      run: (s) => s.create({ name: "New", steps: [email("A"), email("B"), email("C")] })
    },
    { name: "update: rename", minimum: 1, run: (s, f) => s.update(f.id, { name: "Renamed" }) },
    { name: "update: empty patch", minimum: 0, run: (s, f) => s.update(f.id, {}) },
    {
      name: "addStep: append",
      // Apollo: read, write the whole list (and read back the new step's ids where the answer lacks them)
      minimum: kit ? 1 : 2 + readBack,
      readBacks: readBack,
      run: (s, f) => s.addStep(f.id, email("Appended"))
    },
    {
      name: "addStep: insert at index 1 of 5",
      minimum: kit ? 6 : 2 + readBack,
      readBacks: readBack,
      run: (s, f) => s.addStep(f.id, email("Inserted"), { index: 1 })
    },
    {
      name: "updateStep: subject",
      minimum: kit ? 1 : 2,
      run: (s, f) => s.updateStep(f.id, f.steps[2]!, { email: { subject: "Changed" } })
    },
    { name: "removeStep", minimum: kit ? 1 : 2, run: (s, f) => s.removeStep(f.id, f.steps[2]!) },
    {
      name: "moveStep: 2nd to last",
      minimum: 2,
      run: (s, f) => s.moveStep(f.id, f.steps[1]!, f.steps.length - 1)
    },
    {
      name: "replaceSteps: no-op",
      minimum: 1,
      run: (s, f) =>
        Effect.flatMap(s.get(f.id), (current) =>
          s.replaceSteps(
            f.id,
            current.steps.map((step) => ({ ...step }))
          )
        )
    },
    {
      name: "replaceSteps: reverse 5",
      minimum: kit ? 5 : 2,
      run: (s, f) => s.replaceSteps(f.id, reversed(f))
    },
    { name: "setActive: activate", minimum: 1, run: (s, f) => s.setActive(f.id, true) },
    { name: "remove", minimum: 1, run: (s, f) => s.remove(f.id) },
    {
      name: "enroll 1",
      minimum: 1,
      run: (s, f) =>
        kit
          ? s.enroll(f.activeId, { emails: ["subscriber0@example.com"] })
          : s.enroll(f.activeId, { ids: [APOLLO_CONTACT], sendFrom: APOLLO_MAILBOX })
    },
    ...(kit
      ? []
      : [
          {
            name: "enroll 1, no sendFrom",
            minimum: 2,
            run: (s: Sequences.Sequences, f: Fixture) => s.enroll(f.activeId, { ids: [APOLLO_CONTACT] })
          }
        ])
  ]
  return ops.map((op) => ({ ...op, readBacks: op.readBacks ?? 0 }))
}

const APOLLO_SEQUENCE = "65f000000000000000000001"
const APOLLO_ACTIVE = "65f000000000000000000002"
const APOLLO_CONTACT = "66e34b81740c50074e3d1bd4"
const APOLLO_MAILBOX = "6633baaece5fbd01c791d7ca"

const kitSeed: KitSimulator.Seed = {
  subscribers: [{ id: 9000, email_address: "subscriber0@example.com" }],
  sequences: [
    {
      id: 1,
      name: "Fixture",
      active: false,
      emails: [1, 2, 3, 4, 5].map((i) => ({
        id: 100 + i,
        subject: `Step ${100 + i}`,
        content: `<p>Step ${100 + i}</p>`,
        position: i - 1,
        delay_value: 1,
        delay_unit: "days" as const
      }))
    },
    {
      id: 2,
      name: "Warm-up",
      active: true,
      emails: [{ subject: "Warm-up", delay_value: 0, delay_unit: "days" as const }]
    }
  ]
}

const apolloSeed: ApolloSimulator.Seed = {
  sequences: [
    { ...apolloSequence("Fixture", 5, APOLLO_SEQUENCE), active: false },
    { ...apolloSequence("Warm-up", 1, APOLLO_ACTIVE), active: true }
  ]
}

/** The request lines an operation made, for the notes. */
const lines = (log: ReadonlyArray<Logged>) => log.map((r) => `${r.method} ${r.path}`)

const PROFILES: ReadonlyArray<Profile> = ["documented", "observed"]

/** The requests an operation made that read what its own write had just answered (the read-backs). */
const readBacksIn = (log: ReadonlyArray<Logged>): number => {
  let writes = 0
  let after = 0
  for (const r of log) {
    if (r.method === "GET") after += writes > 0 ? 1 : 0
    else writes++
  }
  return after
}

const countOne = async (
  setup: {
    readonly provider: "kit" | "apollo"
    readonly profile: Profile
    readonly sequences: Sequences.Sequences
    readonly sim: RemoteKit | RemoteApollo
    readonly fixture: () => Promise<Fixture>
  },
  operation: Operation,
  progress: (message: string) => void
): Promise<Figure> => {
  await setup.sim.reset()
  const fixture = await setup.fixture()
  await setup.sim.clearLog()
  const exit = await Effect.runPromiseExit(operation.run(setup.sequences, fixture))
  const log = await setup.sim.log()
  // replaceSteps no-op reads the list first to build the desired steps: that read is not its own.
  const counted = operation.name === "replaceSteps: no-op" ? log.slice(setup.provider === "kit" ? 2 : 1) : log
  const failed = exit._tag === "Failure"
  const calls = counted.length
  const readBacks = readBacksIn(counted)
  const met = !failed && calls === operation.minimum && readBacks === operation.readBacks
  progress(
    `  [3] ${setup.provider} (${setup.profile}) ${operation.name}: ${calls}, ${readBacks} read back (${lines(counted).join(", ")})${failed ? " FAILED" : ""}`
  )
  const of = (n: number) => (n === 0 ? "" : `, ${n} read-back${n === 1 ? "" : "s"}`)
  return {
    bench: 3,
    benchmark: `${setup.provider === "kit" ? "Kit" : "Apollo"} ${operation.name} (${setup.profile})`,
    figure: "HTTP calls (minimum), read-backs counted in both",
    value: calls,
    shown: failed
      ? `failed: ${String(exit.cause).replace(/\s+/g, " ").slice(0, 80)}`
      : `${calls}${of(readBacks)} (${operation.minimum}${of(operation.readBacks)})`,
    target: `= ${operation.minimum}`,
    met,
    exact: { expected: operation.minimum },
    ...(met ? {} : { note: lines(counted).join(", ") })
  }
}

export const bench: Bench = {
  id: 3,
  title: "HTTP calls per neutral operation",
  run: async ({ host, progress }) => {
    const figures: Array<Figure> = []
    for (const profile of PROFILES) {
      const kitSim = await startKit(host, { rateLimit: false, profile, seed: { seed: kitSeed } })
      const apolloSim = await startApollo(host, { rateLimit: false, profile, seed: apolloSeed })
      try {
        const kit = await Adapters.kit(kitSim.url)
        const apollo = await Adapters.apollo(apolloSim.url)
        const setups = [
          {
            provider: "kit" as const,
            profile,
            sequences: kit.sequences,
            sim: kitSim,
            fixture: async (): Promise<Fixture> => ({
              id: "1",
              activeId: "2",
              steps: [101, 102, 103, 104, 105].map(String)
            })
          },
          {
            provider: "apollo" as const,
            profile,
            sequences: apollo.sequences,
            sim: apolloSim,
            fixture: async (): Promise<Fixture> => {
              const state = await apolloSim.state()
              const sequence = state.sequences.find((s) => s.id === APOLLO_SEQUENCE)
              if (sequence === undefined) throw new Error("the Apollo fixture is missing")
              return {
                id: sequence.id,
                activeId: APOLLO_ACTIVE,
                steps: sequence.emailer_steps.map((step) => step.id)
              }
            }
          }
        ]
        for (const setup of setups) {
          // One read first: Apollo reads the team's schedules once per adapter (to name a sequence's
          // schedule), and that one-time cost is not the operation's.
          await Effect.runPromise(setup.sequences.get(setup.provider === "kit" ? "2" : APOLLO_ACTIVE))
          for (const operation of operations(setup.provider, profile))
            figures.push(await countOne(setup, operation, progress))
        }
      } finally {
        await kitSim.close()
        await apolloSim.close()
      }
    }
    return figures
  }
}
