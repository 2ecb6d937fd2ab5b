/**
 * Promise 6: every malformed body of the fault list (truncated JSON, wrong types, an HTML page with
 * 200 or 502) becomes `MalformedResponse` or `ProviderUnavailable` carrying the status and a short
 * excerpt of the body — never a defect, and never a write reported as done when its answer was
 * garbled.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Sequences } from "@unisequence/core"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { Cause, Effect, Exit, Stream } from "effect"
import { expectDocumented } from "./contract.js"
import { apolloOn, apolloSeed, KIT_KEY, kitOn, kitSeed } from "./support.js"

const step = (subject: string, days: number) => ({
  delay: { value: days, unit: "days" as const },
  email: { subject, html: `<p>${subject}</p>` }
})

/** Every service operation; each sends at least one request. */
const operations = (
  sequences: Sequences.Sequences,
  id: string,
  stepId: string,
  enroll: { readonly emails?: ReadonlyArray<string>; readonly ids?: ReadonlyArray<string> }
): ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> => [
  ["list", Stream.runDrain(sequences.list())],
  ["get", sequences.get(id)],
  ["create", sequences.create({ name: "New", steps: [step("One", 0), step("Two", 2)] })],
  ["update", sequences.update(id, { name: "Renamed" })],
  ["addStep", sequences.addStep(id, step("Added", 3))],
  ["updateStep", sequences.updateStep(id, stepId, { email: { subject: "Changed" } })],
  ["removeStep", sequences.removeStep(id, stepId)],
  ["moveStep", sequences.moveStep(id, stepId, 2)],
  ["replaceSteps", sequences.replaceSteps(id, [step("Only", 0)])],
  ["setActive", sequences.setActive(id, true)],
  ["remove", sequences.remove(id)],
  ["enroll", sequences.enroll(id, enroll)]
]

interface Seen {
  readonly tag: string
  readonly status: number | undefined
  readonly excerpt: string | undefined
}

/** Answers that were garbled yet reported as success: collected, so that the figure lists them all. */
const successes: Array<string> = []

/** The typed failure of `exit`, checked: no defect, the right tags, a status and a short excerpt. */
const checked = (label: string, exit: Exit.Exit<unknown, unknown>): Seen => {
  if (Exit.isSuccess(exit)) {
    successes.push(label)
    return { tag: "success", status: undefined, excerpt: undefined }
  }
  if (Cause.isDie(exit.cause)) throw new Error(`${label}: defect: ${Cause.pretty(exit.cause)}`)
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`${label}: no typed failure: ${Cause.pretty(exit.cause)}`)
  const error = failure.value as { _tag: string; status?: number; excerpt?: string; message: string }
  expect(["MalformedResponse", "ProviderUnavailable"], `${label}: ${error.message}`).toContain(error._tag)
  expect(typeof error.status, `${label}: status in ${error.message}`).toBe("number")
  expect(typeof error.excerpt, `${label}: excerpt in ${error.message}`).toBe("string")
  expect(error.excerpt!.length, label).toBeGreaterThan(0)
  expect(error.excerpt!.length, label).toBeLessThanOrEqual(200)
  // The excerpt is in the message people read.
  expect(error.message).toContain(error.excerpt!.slice(0, 20))
  return { tag: error._tag, status: error.status, excerpt: error.excerpt }
}

const summary = (seen: ReadonlyArray<Seen>) => {
  const by = new Map<string, number>()
  for (const s of seen) by.set(`${s.tag} ${s.status}`, (by.get(`${s.tag} ${s.status}`) ?? 0) + 1)
  return [...by].map(([k, n]) => `${n}× ${k}`).join(", ")
}

describe("hostile providers", () => {
  it.live(
    "Kit: every operation × every malformed body → MalformedResponse/ProviderUnavailable with status and excerpt",
    () =>
      Effect.gen(function* () {
        const sim = yield* KitSimulator.start({ apiKeys: [KIT_KEY], rateLimit: false, seed: kitSeed(1, 3) })
        const kit = yield* kitOn(sim.url, { retry: false })
        const kinds: ReadonlyArray<KitSimulator.MalformedKind> = [
          "truncated_json",
          "wrong_types",
          "html_200",
          "html_502"
        ]
        const seen: Array<Seen> = []
        for (const kind of kinds) {
          for (const afterCommit of [false, true]) {
            sim.reset()
            const sequence = sim.state().sequences[0]!
            const ops = operations(kit.sequences, String(sequence.id), String(sequence.emails[1]!.id), {
              emails: ["ada@example.com"]
            })
            for (const [name, effect] of ops) {
              sim.reset()
              sim.setFaults({ all: { malformed: { rate: 1, kinds: [kind], afterCommit } } })
              seen.push(
                checked(
                  `kit ${name} ${kind}${afterCommit ? " after the write" : ""}`,
                  yield* Effect.exit(effect)
                )
              )
            }
          }
        }
        sim.setFaults(undefined)
        const reported = successes.filter((label) => label.startsWith("kit "))
        console.log(
          `[hostile providers] kit: ${seen.length} garbled answers → ${summary(seen)}; 0 defects; reported as success: ${reported.length === 0 ? "none" : reported.join(", ")}`
        )
        expect(seen).toHaveLength(4 * 2 * 12)
        expect(reported).toEqual([])
        expectDocumented("documented", { kit: [sim] })
      }).pipe(Effect.scoped)
  )

  it.live(
    "Apollo: every operation × every malformed body → MalformedResponse/ProviderUnavailable with status and excerpt",
    () =>
      Effect.gen(function* () {
        const sim = yield* ApolloSimulator.start({
          quirks: { readOneSequence: true },
          rateLimit: false,
          seed: apolloSeed(1, 3)
        })
        const apollo = yield* apolloOn(sim.url, { retry: false })
        const kinds: ReadonlyArray<ApolloSimulator.MalformedKind> = [
          "truncated_json",
          "wrong_types",
          "html_200"
        ]
        const seen: Array<Seen> = []
        for (const kind of kinds) {
          sim.reset()
          const sequence = sim.state().sequences[0]!
          const contact = sim.state().contacts[0]!.id
          for (const [name, effect] of operations(
            apollo.sequences,
            sequence.id,
            sequence.emailer_steps[1]!.id,
            {
              ids: [contact]
            }
          )) {
            sim.reset()
            sim.setFaults({ all: { malformed: { rate: 1, kinds: [kind], afterCommit: true } } })
            seen.push(checked(`apollo ${name} ${kind}`, yield* Effect.exit(effect)))
          }
          // A 502 page from the proxy in front of Apollo.
        }
        for (const [name, effect] of operations(apollo.sequences, sim.state().sequences[0]!.id, "x", {
          ids: ["y"]
        })) {
          sim.reset()
          sim.setFaults({ all: { serverError: { rate: 1, statuses: [502] } } })
          seen.push(checked(`apollo ${name} html 502`, yield* Effect.exit(effect)))
        }
        sim.setFaults(undefined)
        const reported = successes.filter((label) => label.startsWith("apollo "))
        console.log(
          `[hostile providers] apollo: ${seen.length} garbled answers → ${summary(seen)}; 0 defects; reported as success: ${reported.length === 0 ? "none" : reported.join(", ")}`
        )
        expect(seen).toHaveLength(4 * 12)
        expect(reported).toEqual([])
        expectDocumented("documented", { apollo: [sim] })
      }).pipe(Effect.scoped)
  )

  it.live(
    "a write whose later answer is garbled is not reported as done (Kit create, Apollo replaceSteps)",
    () =>
      Effect.gen(function* () {
        const kitSim = yield* KitSimulator.start({ apiKeys: [KIT_KEY], rateLimit: false })
        const kit = yield* kitOn(kitSim.url, { retry: false })
        // The sequence and the first email are written; the second email's answer is cut short.
        let emails = 0
        kitSim.setFaults({
          operations: {
            createEmail: { malformed: { rate: 1, kinds: ["truncated_json"], afterCommit: true } }
          },
          limit: 1
        })
        const created = yield* Effect.exit(
          kit.sequences.create({ name: "Partial", steps: [step("One", 0), step("Two", 2)] })
        )
        checked("kit create, first email's answer garbled", created)
        emails = kitSim.state().sequences.reduce((n, s) => n + s.emails.length, 0)

        const apolloSim = yield* ApolloSimulator.start({
          quirks: { readOneSequence: true },
          rateLimit: false,
          seed: apolloSeed(1, 3)
        })
        const apollo = yield* apolloOn(apolloSim.url, { retry: false })
        const id = apolloSim.state().sequences[0]!.id
        apolloSim.setFaults({
          operations: {
            updateSequence: { malformed: { rate: 1, kinds: ["wrong_types"], afterCommit: true } }
          }
        })
        const replaced = yield* Effect.exit(apollo.sequences.replaceSteps(id, [step("Only", 0)]))
        checked("apollo replaceSteps, PUT answer garbled", replaced)
        console.log(
          `[hostile providers] partial writes: kit create failed with ${emails} of 2 emails written; apollo replaceSteps failed after the PUT changed ${apolloSim.state().sequences[0]!.emailer_steps.length === 1 ? "the steps" : "nothing"}`
        )
        expectDocumented("documented", { kit: [kitSim], apollo: [apolloSim] })
      }).pipe(Effect.scoped)
  )
})
