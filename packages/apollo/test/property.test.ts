/**
 * "No step is lost": over random sequences and random edits against the simulator, every step and
 * touch an edit did not target still exists afterwards with the same id and the same content.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "vitest"
import type { Sequence } from "@unisequence/core"
import { ApolloSimulator } from "@unisequence/testing"
import { Effect, Exit, FastCheck as fc, Redacted } from "effect"
import * as Apollo from "../src/Apollo.js"

const RUNS = 300

type WireStepType = ApolloSimulator.StepType
const touchTypes: ReadonlyArray<WireStepType> = ["auto_email", "manual_email", "linkedin_step_message"]
const plainTypes: ReadonlyArray<WireStepType> = ["call", "action_item"]

const arbTouch = fc.record({
  status: fc.constantFrom<ApolloSimulator.TouchStatus>("approved", "to_be_reviewed"),
  emailer_template: fc.record({
    subject: fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== ""),
    body_html: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `<p>${s}</p>`)
  })
})

const arbStep: fc.Arbitrary<ApolloSimulator.SeedStep> = fc.oneof(
  fc.record({
    type: fc.constantFrom(...touchTypes),
    wait_time: fc.integer({ min: 1, max: 9 }),
    wait_mode: fc.constantFrom<ApolloSimulator.WaitMode>("minute", "hour", "day"),
    emailer_touches: fc.array(arbTouch, { minLength: 1, maxLength: 3 })
  }),
  fc.record({
    type: fc.constantFrom(...plainTypes),
    wait_time: fc.integer({ min: 1, max: 9 }),
    wait_mode: fc.constantFrom<ApolloSimulator.WaitMode>("hour", "day"),
    note: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
    priority: fc.option(fc.constantFrom<ApolloSimulator.Priority>("high", "low"), { nil: null })
  })
)

const arbNewStep: fc.Arbitrary<Sequence.NewStepInput> = fc.record({
  delay: fc.record({
    value: fc.integer({ min: 1, max: 5 }),
    unit: fc.constantFrom("minutes" as const, "hours" as const, "days" as const)
  }),
  email: fc.record({ subject: fc.constantFrom("Added", "Nouveau"), html: fc.constant("<p>added</p>") }),
  published: fc.boolean()
})

/** Edits with positions as raw numbers, resolved against the list when they run. */
type Edit =
  | { readonly _tag: "add"; readonly at: number; readonly step: Sequence.NewStepInput }
  | { readonly _tag: "update"; readonly at: number; readonly subject: string; readonly delay: number }
  | { readonly _tag: "remove"; readonly at: number }
  | { readonly _tag: "move"; readonly at: number; readonly to: number }
  | {
      readonly _tag: "replace"
      readonly keep: ReadonlyArray<boolean>
      readonly order: ReadonlyArray<number>
      readonly change: ReadonlyArray<boolean>
      readonly added: ReadonlyArray<Sequence.NewStepInput>
    }

const arbEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ _tag: fc.constant("add" as const), at: fc.nat(), step: arbNewStep }),
  fc.record({
    _tag: fc.constant("update" as const),
    at: fc.nat(),
    subject: fc.constantFrom("Edited", "Changed"),
    delay: fc.integer({ min: 1, max: 7 })
  }),
  fc.record({ _tag: fc.constant("remove" as const), at: fc.nat() }),
  fc.record({ _tag: fc.constant("move" as const), at: fc.nat(), to: fc.nat() }),
  fc.record({
    _tag: fc.constant("replace" as const),
    keep: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    order: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    change: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    added: fc.array(arbNewStep, { maxLength: 2 })
  })
)

type StepState = ApolloSimulator.StepState

/** A step's content with its touches, position left out. */
const content = (step: StepState) => {
  const { position: _position, ...rest } = step
  return rest
}

describe("property: no operation removes a step or touch it was not asked to remove", () => {
  it(`holds over ${RUNS} random sequences with 1-3 random edits each`, async () => {
    const sim = await ApolloSimulator.startAsync({ rateLimit: false, quirks: { readOneSequence: true } })
    const { sequences } = await Effect.runPromise(
      Apollo.make({
        apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
        baseUrl: sim.url,
        retry: false
      }).pipe(Effect.provide(FetchHttpClient.layer))
    )
    let cases = 0
    let edits = 0
    let succeeded = 0
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(arbStep, { minLength: 1, maxLength: 5 }),
          fc.array(arbEdit, { minLength: 1, maxLength: 3 }),
          async (steps, plan) => {
            cases++
            sim.reset({ sequences: [{ name: "P", emailer_steps: steps }] })
            const id = sim.state().sequences[0]!.id
            for (const edit of plan) {
              edits++
              const before = sim.state().sequences[0]!.emailer_steps
              const n = before.length
              if (n === 0 && edit._tag !== "add" && edit._tag !== "replace") continue
              /** Ids the edit may change (content) and ids it removes; everything else must be untouched. */
              const changed = new Set<string>()
              const removed = new Set<string>()
              let added = 0
              let effect: Effect.Effect<unknown, unknown>
              switch (edit._tag) {
                case "add": {
                  added = 1
                  effect = sequences.addStep(id, edit.step, { index: edit.at % (n + 1) })
                  break
                }
                case "update": {
                  const step = before[edit.at % n]!
                  changed.add(step.id)
                  effect = sequences.updateStep(id, step.id, {
                    delay: { value: edit.delay, unit: "days" },
                    ...(step.emailer_touches.length > 0 ? { email: { subject: edit.subject } } : {})
                  })
                  break
                }
                case "remove": {
                  const step = before[edit.at % n]!
                  removed.add(step.id)
                  effect = sequences.removeStep(id, step.id)
                  break
                }
                case "move": {
                  effect = sequences.moveStep(id, before[edit.at % n]!.id, edit.to % n)
                  break
                }
                case "replace": {
                  const current = await Effect.runPromise(sequences.get(id))
                  const kept = current.steps
                    .map((step, i) => ({ step, i }))
                    .filter(({ i }) => edit.keep[i % edit.keep.length]!)
                    .sort((a, b) => edit.order[a.i % 6]! - edit.order[b.i % 6]! || a.i - b.i)
                  for (const step of current.steps)
                    if (!kept.some((k) => k.step.id === step.id)) removed.add(step.id)
                  const desired = kept.map(({ step, i }) => {
                    if (!edit.change[i % 6]) return step
                    changed.add(step.id)
                    return { ...step, delay: { value: step.delay.value + 1, unit: step.delay.unit } }
                  })
                  added = edit.added.length
                  effect = sequences.replaceSteps(id, [...desired, ...edit.added])
                  break
                }
              }
              const exit = await Effect.runPromiseExit(effect)
              const after = sim.state().sequences[0]!.emailer_steps
              if (Exit.isFailure(exit)) {
                // A refused edit (e.g. an empty list) must leave everything as it was.
                expect(after).toEqual(before)
                continue
              }
              succeeded++
              const byId = new Map(after.map((step) => [step.id, step]))
              for (const step of before) {
                if (removed.has(step.id)) {
                  expect(byId.has(step.id)).toBe(false)
                  continue
                }
                const now = byId.get(step.id)
                expect(now, `step ${step.id} was lost by ${edit._tag}`).toBeDefined()
                if (changed.has(step.id)) {
                  // Edited in place: same id, same touches by id.
                  expect(now!.emailer_touches.map((t) => t.id)).toEqual(step.emailer_touches.map((t) => t.id))
                } else {
                  expect(content(now!)).toEqual(content(step))
                }
              }
              expect(after.length).toBe(before.length - removed.size + added)
            }
          }
        ),
        { numRuns: RUNS, seed: 20260601 }
      )
    } finally {
      await sim.close()
    }
    console.log(`no-step-lost property: ${cases} cases, ${edits} edits, ${succeeded} applied`)
    expect(cases).toBeGreaterThanOrEqual(RUNS)
    expect(succeeded).toBeGreaterThan(RUNS)
  }, 240_000)
})
