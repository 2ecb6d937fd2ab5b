import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Apply, Journal, Memory, SequenceFile } from "../src/index.js"

const yaml = `version: 1
sequences:
  - name: Welcome
    schedule: { days: [monday, friday], hour: 9, timeZone: Europe/Paris }
    steps:
      - delay: 0 days
        email: { subject: Hello, html: "<p>Hi</p>" }
        published: true
      - delay: { value: 3, unit: hours }
        email: { subject: Next, html: "<p>Next</p>" }
  - name: Nurture
    active: true
    steps: []
`

describe("SequenceFile", () => {
  it("parses YAML with delay shorthands and schedules", () => {
    const file = Either.getOrThrow(SequenceFile.parse(yaml, "s.yaml"))
    const welcome = SequenceFile.toNewSequence(file.sequences[0]!)
    expect(welcome.schedule?._tag).toBe("Weekly")
    expect(welcome.steps.map((s) => s.delay)).toEqual([
      { value: 0, unit: "days" },
      { value: 3, unit: "hours" }
    ])
  })

  it("points every bad field at its line", () => {
    const bad = yaml.replace("hour: 9", "hour: nine").replace("delay: 0 days", "delay: soon")
    const error = Either.flip(SequenceFile.parse(bad, "s.yaml")).pipe(Either.getOrThrow)
    const byPath = new Map(error.issues.map((i) => [i.path, i]))
    expect(byPath.get("sequences[0].schedule.hour")?.line).toBe(4)
    expect([...byPath.keys()].some((p) => p.startsWith("sequences[0].steps[0].delay"))).toBe(true)
    expect(error.issues.find((i) => i.path.startsWith("sequences[0].steps[0].delay"))?.line).toBe(6)
    expect(error.message).toContain("s.yaml:4")
  })

  it("gives one issue per real problem: no union alternatives, no 'Expected undefined'", () => {
    const result = SequenceFile.parse(
      `version: 1
sequences:
  - name: Broken
    colour: red
    steps:
      - delay: 2 fortnights
        email: { subject: 3, html: "<p>Hi</p>" }
`,
      "small.yaml"
    )
    if (Either.isRight(result)) return expect.unreachable()
    expect(result.left.issues.map((i) => [i.path, i.line])).toEqual([
      ["sequences[0].colour", 4],
      ["sequences[0].steps[0].delay", 6],
      ["sequences[0].steps[0].email.subject", 7]
    ])
    expect(result.left.issues[1]!.message).toBe(
      'expected a delay such as "2 days" or "3 hours", got "2 fortnights"'
    )
    expect(result.left.message).not.toContain("Expected undefined")
    expect(result.left.message.split("\n")).toHaveLength(4)
  })

  it("reports syntax errors with a line", () => {
    const error = Either.flip(SequenceFile.parse("version: 1\nsequences: [\n", "x.yaml")).pipe(
      Either.getOrThrow
    )
    expect(error.issues[0]?.line).toBeGreaterThan(0)
  })

  it.effect("plan, apply, then nothing to do; prune removes unmanaged sequences", () =>
    Effect.gen(function* () {
      const target = yield* Memory.make()
      const unmanaged = yield* target.create({ name: "Old", steps: [] })
      const file = Either.getOrThrow(SequenceFile.parse(yaml))
      const first = yield* SequenceFile.plan({ file, target })
      expect(first.sequences.map((s) => [s.name, s.action])).toEqual([
        ["Welcome", "create"],
        ["Nurture", "create"]
      ])
      const result = yield* Apply.apply(first, { target })
      expect(result.outcomes.every((o) => o.verification === "verified")).toBe(true)
      // Held back without --activate: inactive and unpublished.
      const created = yield* target.get(result.outcomes[0]!.targetId!)
      expect(created.active).toBe(false)
      expect(created.steps.map((s) => s.published)).toEqual([false, false])

      const writes = yield* target.writeCount
      const second = yield* SequenceFile.plan({ file, target })
      expect(second.sequences.map((s) => s.action)).toEqual(["unchanged", "unchanged"])
      yield* Apply.apply(second, { target })
      expect(yield* target.writeCount).toBe(writes)

      const edited = Either.getOrThrow(SequenceFile.parse(yaml.replace("subject: Next", "subject: Later")))
      const third = yield* SequenceFile.plan({ file: edited, target, prune: true })
      expect(third.sequences.map((s) => [s.name, s.action])).toEqual([
        ["Welcome", "update"],
        ["Nurture", "unchanged"],
        ["Old", "remove"]
      ])
      yield* Apply.apply(third, { target })
      const after = yield* target.get(result.outcomes[0]!.targetId!)
      expect(after.steps[1]?.email?.subject).toBe("Later")
      expect(after.steps.map((s) => s.id)).toEqual(created.steps.map((s) => s.id))
      expect(yield* Effect.flip(target.get(unmanaged.id))).toMatchObject({ _tag: "SequenceNotFound" })
    }).pipe(Effect.provide(Journal.layerMemory))
  )

  it("round-trips an export", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      const made = yield* source.create(
        SequenceFile.toNewSequence(Either.getOrThrow(SequenceFile.parse(yaml)).sequences[0]!)
      )
      const text = SequenceFile.stringify(SequenceFile.fromSequences([made]), "yaml")
      const back = Either.getOrThrow(SequenceFile.parse(text))
      expect(back.sequences[0]?.id).toBe(made.id)
      expect(back.sequences[0]?.steps.length).toBe(2)
      const json = SequenceFile.stringify(SequenceFile.fromSequences([made]), "json")
      expect(Either.isRight(SequenceFile.parse(json))).toBe(true)
    }).pipe(Effect.runPromise))
})

describe("portable export", () => {
  it.effect("names no provider id, so another provider plans it by name", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      const made = yield* source.create(
        SequenceFile.toNewSequence(Either.getOrThrow(SequenceFile.parse(yaml)).sequences[0]!)
      )
      const file = SequenceFile.fromSequences([made], { ids: false })
      expect(file.sequences[0]?.id).toBeUndefined()
      expect(file.sequences[0]?.steps.every((s) => s.id === undefined)).toBe(true)
      const other = yield* Memory.make()
      const plan = yield* SequenceFile.plan({ file, target: other })
      expect(plan.sequences.map((s) => s.action)).toEqual(["create"])
    }).pipe(Effect.provide(Journal.layerMemory))
  )
})
