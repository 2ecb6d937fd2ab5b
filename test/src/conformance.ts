/**
 * The conformance suite: what every `Sequences` provider must do, whatever the provider. A check is
 * skipped only where the provider's own `capabilities` say it cannot hold the feature.
 *
 * Each test builds the layer afresh (a new memory store, a new simulator), so tests never share state.
 *
 * @example
 * conformance("memory", ({ pageSize }) => memoryLayer(pageSize))
 */
import { describe, expect, it } from "@effect/vitest"
import type { Capabilities } from "@unisequence/core"
import type { SequenceError } from "@unisequence/core"
import { Sequence, Sequences } from "@unisequence/core"
import { Chunk, Context, Effect, type Layer, Stream } from "effect"

export interface ConformanceProbeService {
  /** How many writes reached the provider so far (for an HTTP adapter: non-GET requests in its log). */
  readonly writes: Effect.Effect<number>
  /** Who `enroll` can add: at least two subscribers or contacts the provider knows. */
  readonly enrollees: {
    readonly emails?: ReadonlyArray<string>
    readonly ids?: ReadonlyArray<string>
    readonly sendFrom?: string
  }
  /**
   * For a provider behind HTTP: checks the requests of this test (and, on a documented profile,
   * the answers) against the provider's own documents, after the test's body has run. `undefined`
   * when the documents are missing outside CI; the check is then skipped with a message.
   */
  readonly contract?: Effect.Effect<ContractCheck | undefined>
  /** Values the provider must know for some fields to round-trip; a field without one is not checked. */
  readonly fixtures?: {
    /** A schedule id the provider holds (providers with `namedSchedule` and no `weeklySchedule`). */
    readonly scheduleId?: string
    /** An email design template id (providers with `templates`). */
    readonly templateId?: string
    /** Exclusions whose sources exist (providers with `exclusions`). */
    readonly exclusions?: ReadonlyArray<Sequence.Exclusion>
    /** An id no sequence or step has (default `"999999999"`). */
    readonly unknownId?: string
  }
}

/** What a contract check of one test's requests found. */
export interface ContractCheck {
  /** Exchanges in this test's log (requests the adapter made). */
  readonly seen: number
  /** `request|response METHOD path [status]: errors`; empty when every exchange is valid. */
  readonly failures: ReadonlyArray<string>
}

/** Lets the suite look behind the `Sequences` service of the provider under test. */
export class ConformanceProbe extends Context.Tag("@unisequence/conformance/ConformanceProbe")<
  ConformanceProbe,
  ConformanceProbeService
>() {}

export interface ConformanceOptions {
  /** The page size handed to `makeLayer`, small so that paging is exercised (default 3). */
  readonly pageSize?: number
  /**
   * Whether a read names the labels written (default true). Apollo's document answers label ids
   * only: there labels are written but not compared on read.
   */
  readonly labelsByName?: boolean
}

type Env = Sequences.Sequences | ConformanceProbe

const email = (subject: string, extra: Partial<Sequence.StepEmail> = {}) => ({
  subject,
  html: `<p>${subject}</p>`,
  ...extra
})

/** Three plain steps every provider holds: day delays, none zero, so any order is valid. */
const threeSteps = (): Array<Sequence.NewStepInput> => [
  { delay: { value: 1, unit: "days" }, email: email("One") },
  { delay: { value: 2, unit: "days" }, email: email("Two") },
  { delay: { value: 3, unit: "days" }, email: email("Three") }
]

const dayOrder: ReadonlyArray<Sequence.Weekday> = Sequence.Weekday.literals

/** Every field a provider with `caps` must keep, with "none" spelled one way. */
const project = (
  sequence: Sequence.Sequence | Sequence.NewSequenceInput,
  caps: Capabilities.Capabilities
) => {
  const none = <A>(value: A | null | undefined): A | undefined => (value === null ? undefined : value)
  const list = <A>(value: ReadonlyArray<A> | null | undefined) =>
    value === null || value === undefined || value.length === 0 ? undefined : [...value]
  const schedule = sequence.schedule
  return {
    name: sequence.name,
    active: sequence.active ?? false,
    schedule:
      schedule === undefined
        ? undefined
        : schedule._tag === "Weekly"
          ? caps.weeklySchedule
            ? {
                days: [...schedule.days].sort((a, b) => dayOrder.indexOf(a) - dayOrder.indexOf(b)),
                hour: schedule.hour,
                timeZone: schedule.timeZone
              }
            : undefined
          : caps.namedSchedule
            ? { scheduleId: schedule.scheduleId }
            : undefined,
    sender: caps.sender ? none(sequence.sender) : undefined,
    templateId: caps.templates ? none(sequence.templateId) : undefined,
    reentry: caps.reentry ? (sequence.reentry ?? false) : undefined,
    holdAfterLastStep: caps.holdAfterLastStep ? (sequence.holdAfterLastStep ?? false) : undefined,
    exclusions: caps.exclusions
      ? list(sequence.exclusions)?.map((e) => ({ type: e.type, ids: [...e.ids].sort() }))
      : undefined,
    limits: caps.limits
      ? {
          maxEmailsPerDay: none(sequence.limits?.maxEmailsPerDay),
          sameAccountReplyDelayDays: none(sequence.limits?.sameAccountReplyDelayDays)
        }
      : undefined,
    cc: caps.ccBcc ? list(sequence.cc) : undefined,
    bcc: caps.ccBcc ? list(sequence.bcc) : undefined,
    labels: caps.labels ? list(sequence.labels)?.sort() : undefined,
    steps: (sequence.steps ?? []).map((step) => ({
      delay: step.delay,
      sendDays: caps.perStepSendDays ? list(step.sendDays) : undefined,
      type: step.type ?? "email",
      published: step.published ?? false,
      email:
        step.email === undefined
          ? undefined
          : {
              subject: step.email.subject,
              html: step.email.html,
              previewText: caps.previewText ? none(step.email.previewText) : undefined,
              templateId: caps.templates ? none(step.email.templateId) : undefined,
              sender: caps.stepSender ? none(step.email.sender) : undefined,
              thread: step.email.thread ?? "new"
            },
      variants: caps.variants
        ? list(step.variants)?.map((v) => ({ subject: v.email.subject, html: v.email.html }))
        : undefined
    }))
  }
}

/** A create input using every feature `caps` claims, with fixtures where the provider needs them. */
const fullInput = (
  caps: Capabilities.Capabilities,
  fixtures: NonNullable<ConformanceProbeService["fixtures"]>
): Sequence.NewSequenceInput => {
  const units = caps.delayUnits
  const steps: Array<Sequence.NewStepInput> = units.map((unit, i) => ({
    delay: { value: i + 1, unit },
    published: i % 2 === 1,
    email: email(`Step ${i + 1} in ${unit}`, {
      ...(caps.previewText ? { previewText: `Preview ${i + 1}` } : {}),
      ...(caps.templates && fixtures.templateId !== undefined ? { templateId: fixtures.templateId } : {}),
      ...(caps.stepSender && i === 0 ? { sender: "step-sender@example.com" } : {}),
      ...(caps.threads.includes("reply") && i > 0 ? { thread: "reply" as const } : {})
    }),
    ...(caps.perStepSendDays && unit === "days" ? { sendDays: ["tuesday", "thursday"] as const } : {}),
    ...(caps.variants && i === 0 ? { variants: [{ email: email("Step 1, variant B") }] } : {})
  }))
  const other = caps.stepTypes.find((type) => type !== "email" && type !== "manual_email")
  if (other !== undefined) steps.push({ delay: { value: 2, unit: "days" }, type: other })
  return {
    name: "Conformance: every field",
    ...(caps.weeklySchedule
      ? {
          schedule: {
            _tag: "Weekly" as const,
            days: ["monday", "wednesday", "friday"],
            hour: 9,
            timeZone: "America/New_York"
          }
        }
      : caps.namedSchedule && fixtures.scheduleId !== undefined
        ? { schedule: { _tag: "Named" as const, scheduleId: fixtures.scheduleId } }
        : {}),
    ...(caps.sender ? { sender: "sender@example.com" } : {}),
    ...(caps.templates && fixtures.templateId !== undefined ? { templateId: fixtures.templateId } : {}),
    ...(caps.reentry ? { reentry: true } : {}),
    ...(caps.holdAfterLastStep ? { holdAfterLastStep: true } : {}),
    ...(caps.exclusions && fixtures.exclusions !== undefined ? { exclusions: fixtures.exclusions } : {}),
    ...(caps.limits ? { limits: { maxEmailsPerDay: 40, sameAccountReplyDelayDays: 3 } } : {}),
    ...(caps.ccBcc ? { cc: ["cc@example.com"], bcc: ["bcc@example.com"] } : {}),
    ...(caps.labels ? { labels: ["conformance"] } : {}),
    steps
  }
}

const collect = (sequences: Sequences.Sequences, options?: Sequences.ListOptions) =>
  Stream.runCollect(sequences.list(options)).pipe(Effect.map(Chunk.toReadonlyArray))

/** Fails the test unless `effect` fails with the error tagged `tag`; returns it. */
const failsWith = <Tag extends SequenceError.SequenceError["_tag"], A>(
  tag: Tag,
  effect: Effect.Effect<A, SequenceError.SequenceError>
) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    expect(error._tag, error.message).toBe(tag)
    return error as Extract<SequenceError.SequenceError, { _tag: Tag }>
  })

/**
 * Registers the suite under `describe(name)`. `makeLayer` is called for every test and must return a
 * fresh provider (a new store, a new or reset simulator) with its probe.
 */
export const conformance = (
  name: string,
  makeLayer: (options: { readonly pageSize: number }) => Layer.Layer<Env, unknown>,
  options: ConformanceOptions = {}
): void => {
  const pageSize = options.pageSize ?? 3
  const labelsByName = options.labelsByName ?? true
  /** What a read is compared on: labels only where the provider reads them back by name. */
  const projectRead = (
    sequence: Sequence.Sequence | Sequence.NewSequenceInput,
    caps: Capabilities.Capabilities
  ) => project(sequence, labelsByName ? caps : { ...caps, labels: false })

  /** One test on a fresh provider, on the live clock (HTTP adapters wait for real sockets). */
  const test = (
    title: string,
    body: (sequences: Sequences.Sequences, probe: ConformanceProbeService) => Effect.Effect<void, unknown>
  ) => {
    it.live(title, () =>
      Effect.gen(function* () {
        const sequences = yield* Sequences.Sequences
        const probe = yield* ConformanceProbe
        yield* body(sequences, probe)
        if (probe.contract === undefined) return
        // What this test alone sent and got is valid under the provider's documents.
        const check = yield* probe.contract
        if (check === undefined) return
        expect(check.seen).toBeGreaterThan(0)
        expect(check.failures).toEqual([])
      }).pipe(Effect.provide(makeLayer({ pageSize })))
    )
  }

  const unknownId = (probe: ConformanceProbeService) => probe.fixtures?.unknownId ?? "999999999"

  describe(`${name}: conformance`, () => {
    describe("create and get", () => {
      test("create then get round-trips every field the provider supports", (sequences, probe) =>
        Effect.gen(function* () {
          const caps = sequences.capabilities
          const input = fullInput(caps, probe.fixtures ?? {})
          const created = yield* sequences.create(input)
          const read = yield* sequences.get(created.id)
          const expected = projectRead(input, caps)
          expect(projectRead(created, caps)).toEqual(expected)
          expect(projectRead(read, caps)).toEqual(expected)
          expect(read.id).toBe(created.id)
          expect(read.steps.map((s) => s.id)).toEqual(created.steps.map((s) => s.id))
          expect(new Set(read.steps.map((s) => s.id)).size).toBe(read.steps.length)
        }))

      test("a new sequence is inactive and its steps unpublished unless asked", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: defaults", steps: threeSteps() })
          const read = yield* sequences.get(created.id)
          expect(read.active).toBe(false)
          expect(read.steps.map((s) => s.published)).toEqual([false, false, false])
          expect(read.steps.map((s) => s.type)).toEqual(["email", "email", "email"])
        }))

      test("a sequence with no steps", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: empty" })
          expect((yield* sequences.get(created.id)).steps).toEqual([])
        }))
    })

    describe("update", () => {
      test("a patch changes only what it names", (sequences, probe) =>
        Effect.gen(function* () {
          const caps = sequences.capabilities
          const created = yield* sequences.create(fullInput(caps, probe.fixtures ?? {}))
          const before = projectRead(yield* sequences.get(created.id), caps)
          yield* sequences.update(created.id, { name: "Conformance: renamed" })
          const renamed = projectRead(yield* sequences.get(created.id), caps)
          expect(renamed).toEqual({ ...before, name: "Conformance: renamed" })

          // one more field, whichever the provider holds
          if (caps.reentry) {
            yield* sequences.update(created.id, { reentry: false })
            expect(projectRead(yield* sequences.get(created.id), caps)).toEqual({
              ...renamed,
              reentry: false
            })
          } else if (caps.labels) {
            yield* sequences.update(created.id, { labels: ["changed"] })
            expect(projectRead(yield* sequences.get(created.id), caps)).toEqual({
              ...renamed,
              labels: labelsByName ? ["changed"] : undefined
            })
          }
        }))

      test("an empty patch writes nothing", (sequences, probe) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: untouched" })
          const writes = yield* probe.writes
          yield* sequences.update(created.id, {})
          expect(yield* probe.writes).toBe(writes)
          expect((yield* sequences.get(created.id)).name).toBe("Conformance: untouched")
        }))

      test("a settings patch keeps every step and its id", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: keep steps", steps: threeSteps() })
          yield* sequences.update(created.id, { name: "Conformance: kept steps" })
          const read = yield* sequences.get(created.id)
          expect(read.steps.map((s) => s.id)).toEqual(created.steps.map((s) => s.id))
          expect(read.steps.map((s) => s.email?.subject)).toEqual(["One", "Two", "Three"])
        }))
    })

    describe("steps", () => {
      test("addStep at an index, and at the end", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: add", steps: threeSteps() })
          const [a, b, c] = created.steps.map((s) => s.id)
          const middle = yield* sequences.addStep(
            created.id,
            { delay: { value: 4, unit: "days" }, email: email("Middle") },
            { index: 1 }
          )
          const last = yield* sequences.addStep(created.id, {
            delay: { value: 5, unit: "days" },
            email: email("Last")
          })
          expect(middle.email?.subject).toBe("Middle")
          const read = yield* sequences.get(created.id)
          expect(read.steps.map((s) => s.id)).toEqual([a, middle.id, b, c, last.id])
          expect(read.steps.map((s) => s.email?.subject)).toEqual(["One", "Middle", "Two", "Three", "Last"])
        }))

      test("updateStep changes only what it names, on that step only", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: update step", steps: threeSteps() })
          const before = yield* sequences.get(created.id)
          const target = before.steps[1]!
          yield* sequences.updateStep(created.id, target.id, { email: { subject: "Two, revised" } })
          const after = yield* sequences.get(created.id)
          const caps = sequences.capabilities
          const expected = projectRead(before, caps)
          expected.steps[1] = {
            ...expected.steps[1]!,
            email: { ...expected.steps[1]!.email!, subject: "Two, revised" }
          }
          expect(projectRead(after, caps)).toEqual(expected)
          expect(after.steps.map((s) => s.id)).toEqual(before.steps.map((s) => s.id))

          yield* sequences.updateStep(created.id, target.id, { delay: { value: 6, unit: "days" } })
          const delayed = yield* sequences.get(created.id)
          expect(delayed.steps[1]!.delay).toEqual({ value: 6, unit: "days" })
          expect(delayed.steps[1]!.email?.subject).toBe("Two, revised")
          expect(delayed.steps.map((s) => s.id)).toEqual(before.steps.map((s) => s.id))
        }))

      test("removeStep removes that step and only that step", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: remove step", steps: threeSteps() })
          const [a, b, c] = created.steps.map((s) => s.id)
          yield* sequences.removeStep(created.id, b!)
          const read = yield* sequences.get(created.id)
          expect(read.steps.map((s) => s.id)).toEqual([a, c])
          expect(read.steps.map((s) => s.email?.subject)).toEqual(["One", "Three"])
        }))

      test("moveStep moves a step, keeping every id", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: move", steps: threeSteps() })
          const [a, b, c] = created.steps.map((s) => s.id)
          yield* sequences.moveStep(created.id, c!, 0)
          expect((yield* sequences.get(created.id)).steps.map((s) => s.id)).toEqual([c, a, b])
          yield* sequences.moveStep(created.id, c!, 2)
          expect((yield* sequences.get(created.id)).steps.map((s) => s.id)).toEqual([a, b, c])
          yield* sequences.moveStep(created.id, a!, 1)
          const read = yield* sequences.get(created.id)
          expect(read.steps.map((s) => s.id)).toEqual([b, a, c])
          expect(read.steps.map((s) => s.email?.subject)).toEqual(["Two", "One", "Three"])
        }))

      test("replaceSteps keeps unchanged steps' ids and removes only what is gone", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: replace", steps: threeSteps() })
          const [a, b, c] = created.steps
          const result = yield* sequences.replaceSteps(created.id, [
            { id: c!.id, delay: c!.delay, email: email("Three, now first") },
            { delay: { value: 2, unit: "days" }, email: email("New") },
            { id: a!.id, delay: a!.delay, email: email("One") }
          ])
          const read = yield* sequences.get(created.id)
          for (const steps of [result, read.steps]) {
            expect(steps.map((s) => s.email?.subject)).toEqual(["Three, now first", "New", "One"])
            expect(steps[0]!.id).toBe(c!.id)
            expect(steps[2]!.id).toBe(a!.id)
            expect([a!.id, b!.id, c!.id]).not.toContain(steps[1]!.id)
          }
          expect(read.steps.map((s) => s.id)).not.toContain(b!.id)
        }))

      test("replaceSteps with the steps as they are writes nothing", (sequences, probe) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: same steps", steps: threeSteps() })
          const read = yield* sequences.get(created.id)
          const writes = yield* probe.writes
          const result = yield* sequences.replaceSteps(
            created.id,
            read.steps.map((s) => ({
              id: s.id,
              delay: s.delay,
              published: s.published,
              email: email(s.email!.subject)
            }))
          )
          expect(yield* probe.writes).toBe(writes)
          expect(result.map((s) => s.id)).toEqual(read.steps.map((s) => s.id))
        }))

      test("concurrent step edits of one sequence all land", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: concurrent", steps: threeSteps() })
          const added = yield* Effect.all(
            [4, 5, 6].map((n) =>
              sequences.addStep(created.id, { delay: { value: n, unit: "days" }, email: email(`Added ${n}`) })
            ),
            { concurrency: "unbounded" }
          )
          const read = yield* sequences.get(created.id)
          expect(read.steps).toHaveLength(6)
          expect(read.steps.slice(0, 3).map((s) => s.id)).toEqual(created.steps.map((s) => s.id))
          for (const step of added) expect(read.steps.map((s) => s.id)).toContain(step.id)
        }))
    })

    describe("errors", () => {
      test("an unknown sequence is SequenceNotFound, for every operation", (sequences, probe) =>
        Effect.gen(function* () {
          const id = unknownId(probe)
          const step = { delay: { value: 1, unit: "days" as const }, email: email("X") }
          const operations: ReadonlyArray<Effect.Effect<unknown, SequenceError.SequenceError>> = [
            sequences.get(id),
            sequences.update(id, { name: "X" }),
            sequences.addStep(id, step),
            sequences.replaceSteps(id, [step]),
            sequences.setActive(id, true),
            sequences.remove(id),
            sequences.enroll(id, probe.enrollees)
          ]
          for (const operation of operations) {
            const error = yield* failsWith("SequenceNotFound", operation)
            expect(error.sequenceId).toBe(id)
            expect(error.provider).toBe(sequences.provider)
          }
        }))

      test("an unknown step is StepNotFound, and nothing changes", (sequences, probe) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: unknown step", steps: threeSteps() })
          const id = unknownId(probe)
          const operations: ReadonlyArray<Effect.Effect<unknown, SequenceError.SequenceError>> = [
            sequences.updateStep(created.id, id, { email: { subject: "X" } }),
            sequences.removeStep(created.id, id),
            sequences.moveStep(created.id, id, 0),
            sequences.replaceSteps(created.id, [{ id, delay: { value: 1, unit: "days" }, email: email("X") }])
          ]
          for (const operation of operations) {
            const error = yield* failsWith("StepNotFound", operation)
            expect(error.stepId).toBe(id)
            expect(error.sequenceId).toBe(created.id)
          }
          const read = yield* sequences.get(created.id)
          expect(read.steps.map((s) => s.id)).toEqual(created.steps.map((s) => s.id))
          expect(read.steps.map((s) => s.email?.subject)).toEqual(["One", "Two", "Three"])
        }))

      test("invalid input fails before any write", (sequences, probe) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: invalid", steps: threeSteps() })
          const [, b] = created.steps
          const writes = yield* probe.writes
          // A zero delay after the first step is broken only where the provider's rules say so.
          const zeroLater = sequences.capabilities.rules.zeroDelayFirstStepOnly
          const badCreate = yield* failsWith(
            "InvalidInput",
            sequences.create({
              name: " ",
              steps: [
                { delay: { value: -1, unit: "days" }, email: email("A") },
                { delay: { value: 0, unit: "days" }, email: email("B") }
              ]
            })
          )
          expect(badCreate.issues.map((i) => i.path).sort()).toEqual([
            "name",
            "steps[0].delay.value",
            ...(zeroLater ? ["steps[1].delay"] : [])
          ])
          yield* failsWith("InvalidInput", sequences.update(created.id, { name: "" }))
          yield* failsWith(
            "InvalidInput",
            sequences.update(created.id, {
              schedule: { _tag: "Weekly", days: ["monday"], hour: 24, timeZone: "Not/AZone" }
            })
          )
          yield* failsWith(
            "InvalidInput",
            sequences.addStep(created.id, { delay: { value: 1.5, unit: "days" }, email: email("X") })
          )
          yield* failsWith(
            "InvalidInput",
            sequences.updateStep(created.id, b!.id, { email: { subject: " " } })
          )
          if (zeroLater)
            yield* failsWith(
              "InvalidInput",
              sequences.updateStep(created.id, b!.id, { delay: { value: 0, unit: "days" } })
            )
          yield* failsWith("InvalidInput", sequences.moveStep(created.id, b!.id, 99))
          yield* failsWith(
            "InvalidInput",
            sequences.replaceSteps(created.id, [{ delay: { value: 1, unit: "days" } }])
          )
          yield* failsWith("InvalidInput", sequences.enroll(created.id, {}))
          expect(yield* probe.writes).toBe(writes)
          const read = yield* sequences.get(created.id)
          expect(read.name).toBe("Conformance: invalid")
          expect(read.steps.map((s) => s.email?.subject)).toEqual(["One", "Two", "Three"])
        }))

      test("what the provider cannot hold is Unsupported, before any write", (sequences, probe) =>
        Effect.gen(function* () {
          const caps = sequences.capabilities
          const created = yield* sequences.create({ name: "Conformance: unsupported", steps: threeSteps() })
          const writes = yield* probe.writes
          const plain = { delay: { value: 1, unit: "days" as const }, email: email("X") }
          const cases: Array<Effect.Effect<unknown, SequenceError.SequenceError>> = []
          if (!caps.stepTypes.includes("call"))
            cases.push(sequences.addStep(created.id, { ...plain, type: "call" }))
          if (!caps.variants)
            cases.push(sequences.addStep(created.id, { ...plain, variants: [{ email: email("B") }] }))
          if (!caps.delayUnits.includes("minutes"))
            cases.push(sequences.addStep(created.id, { ...plain, delay: { value: 5, unit: "minutes" } }))
          if (!caps.perStepSendDays)
            cases.push(sequences.addStep(created.id, { ...plain, sendDays: ["monday"] }))
          if (!caps.threads.includes("reply"))
            cases.push(sequences.addStep(created.id, { ...plain, email: email("Re", { thread: "reply" }) }))
          if (!caps.previewText)
            cases.push(sequences.addStep(created.id, { ...plain, email: email("P", { previewText: "p" }) }))
          if (!caps.reentry) cases.push(sequences.update(created.id, { reentry: true }))
          if (!caps.holdAfterLastStep) cases.push(sequences.update(created.id, { holdAfterLastStep: true }))
          if (!caps.ccBcc) cases.push(sequences.update(created.id, { cc: ["a@example.com"] }))
          if (!caps.labels) cases.push(sequences.update(created.id, { labels: ["x"] }))
          if (!caps.limits) cases.push(sequences.update(created.id, { limits: { maxEmailsPerDay: 5 } }))
          if (!caps.sender) cases.push(sequences.update(created.id, { sender: "me@example.com" }))
          if (!caps.exclusions)
            cases.push(sequences.update(created.id, { exclusions: [{ type: "tag", ids: ["1"] }] }))
          if (!caps.enrollment.byEmail)
            cases.push(sequences.enroll(created.id, { emails: ["a@example.com"] }))
          if (!caps.enrollment.byId) cases.push(sequences.enroll(created.id, { ids: ["1"] }))
          for (const operation of cases) yield* failsWith("Unsupported", operation)
          expect(yield* probe.writes).toBe(writes)
          expect((yield* sequences.get(created.id)).steps).toHaveLength(3)
        }))
    })

    describe("list", () => {
      for (const pages of [0, 1, 2.5]) {
        test(`list yields every sequence exactly once (${pages} pages)`, (sequences) =>
          Effect.gen(function* () {
            const baseline = (yield* collect(sequences)).map((s) => s.id)
            const count = Math.ceil(pages * pageSize)
            const created: Array<string> = []
            for (let i = 0; i < count; i++) {
              created.push((yield* sequences.create({ name: `Conformance: page item ${i}` })).id)
            }
            const listed = (yield* collect(sequences)).map((s) => s.id)
            expect(listed.length).toBe(new Set(listed).size)
            expect(new Set(listed)).toEqual(new Set([...baseline, ...created]))
          }))
      }

      test("list filters by name and carries the settings", (sequences) =>
        Effect.gen(function* () {
          const welcome = yield* sequences.create({
            name: "Conformance: Welcome series",
            steps: threeSteps()
          })
          yield* sequences.create({ name: "Conformance: Other" })
          const found = yield* collect(sequences, { nameContains: "welcome SERIES" })
          expect(found.map((s) => s.id)).toEqual([welcome.id])
          expect(found[0]!.name).toBe("Conformance: Welcome series")
          if (found[0]!.stepCount !== undefined) expect(found[0]!.stepCount).toBe(3)
        }))
    })

    describe("lifecycle", () => {
      test("verify accepts the credentials, in the one shape every provider answers, and creates nothing", (sequences) =>
        Effect.gen(function* () {
          const before = yield* collect(sequences)
          const verification = yield* sequences.verify
          expect(verification.ok, verification.detail).toBe(true)
          expect(verification.error).toBeUndefined()
          expect(verification.detail.length).toBeGreaterThan(0)
          expect(verification.probes.length).toBeGreaterThan(0)
          expect(verification.probes.filter((p) => p.status === "denied")).toEqual([])
          expect((yield* collect(sequences)).map((s) => s.id)).toEqual(before.map((s) => s.id))
        }))

      test("setActive switches a sequence on and off", (sequences) =>
        Effect.gen(function* () {
          const created = yield* sequences.create({ name: "Conformance: active", steps: threeSteps() })
          yield* sequences.setActive(created.id, true)
          expect((yield* sequences.get(created.id)).active).toBe(true)
          yield* sequences.setActive(created.id, false)
          expect((yield* sequences.get(created.id)).active).toBe(false)
        }))

      test("remove deletes or archives, as the capabilities say", (sequences) =>
        Effect.gen(function* () {
          const kept = yield* sequences.create({ name: "Conformance: kept" })
          const gone = yield* sequences.create({ name: "Conformance: removed" })
          yield* sequences.remove(gone.id)
          const listed = yield* collect(sequences)
          expect(listed.map((s) => s.id)).toContain(kept.id)
          const entry = listed.find((s) => s.id === gone.id)
          if (sequences.capabilities.removal === "delete") {
            expect(entry).toBeUndefined()
            yield* failsWith("SequenceNotFound", sequences.get(gone.id))
          } else {
            if (entry !== undefined) expect(entry.archived).toBe(true)
            const read = yield* Effect.either(sequences.get(gone.id))
            if (read._tag === "Right") expect(read.right.archived).toBe(true)
            else expect(read.left._tag).toBe("SequenceNotFound")
          }
          expect((yield* sequences.get(kept.id)).name).toBe("Conformance: kept")
        }))

      test("enroll adds each person once", (sequences, probe) =>
        Effect.gen(function* () {
          // People are enrolled into running sequences; Kit refuses an inactive one (422).
          const created = yield* sequences.create({ name: "Conformance: enroll", steps: threeSteps() })
          yield* sequences.setActive(created.id, true)
          const who = probe.enrollees
          const total = (who.emails?.length ?? 0) + (who.ids?.length ?? 0)
          expect(total).toBeGreaterThanOrEqual(1)
          const first = yield* sequences.enroll(created.id, who)
          expect(first).toEqual({ added: total, alreadyEnrolled: 0 })
          const again = yield* sequences.enroll(created.id, who)
          expect(again).toEqual({ added: 0, alreadyEnrolled: total })
        }))
    })
  })
}
