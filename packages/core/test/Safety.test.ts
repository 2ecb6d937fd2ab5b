import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck, Stream } from "effect"
import {
  Apply,
  Diff,
  Journal,
  Memory,
  Migration,
  Sequence,
  SequenceError,
  SequenceFile,
  type Sequences
} from "../src/index.js"

type Service = Sequences.Sequences

const email = (subject: string, days: number, published = true): Sequence.NewStep => ({
  delay: { value: days, unit: "days" },
  type: "email",
  published,
  email: { subject, html: `<p>${subject}</p>` }
})

/** A source that reports what its own rules let it hold (a zero wait after the first step, a blank subject). */
const withSteps = (
  source: Service,
  edit: (steps: ReadonlyArray<Sequence.Step>) => ReadonlyArray<Sequence.Step>
) =>
  ({
    ...source,
    get: (id: string) =>
      source.get(id).pipe(Effect.map((s) => new Sequence.Sequence({ ...s, steps: [...edit(s.steps)] })))
  }) satisfies Service

/** Counts the requests a service receives (reads and writes). */
const counting = (target: Service) => {
  let calls = 0
  const count = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.suspend(() => {
      calls++
      return effect
    })
  const service: Service = {
    ...target,
    list: (options) =>
      Stream.unwrap(
        Effect.sync(() => {
          calls++
          return target.list(options)
        })
      ),
    get: (id) => count(target.get(id)),
    create: (input) => count(target.create(input)),
    update: (id, patch) => count(target.update(id, patch)),
    replaceSteps: (id, steps) => count(target.replaceSteps(id, steps)),
    setActive: (id, active) => count(target.setActive(id, active)),
    remove: (id) => count(target.remove(id))
  }
  return { service, calls: () => calls }
}

const names = (target: Service) =>
  Stream.runCollect(target.list()).pipe(
    Effect.map((all) =>
      Chunk.toReadonlyArray(all)
        .map((s) => s.name)
        .sort()
    )
  )

const seed = (source: Service, n: number) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => i + 1),
    (i) => source.create({ name: `Seq ${i}`, steps: [email(`Hello ${i}`, 0), email(`Tips ${i}`, 2)] })
  )

const migrate = (source: Service, target: Service, activate = false) =>
  Migration.plan({ source, target, activate }).pipe(
    Effect.flatMap((plan) => Apply.apply(plan, { target }).pipe(Effect.map((result) => ({ plan, result }))))
  )

describe("a plan is a promise", () => {
  it.effect("what the target would refuse is blocked at plan time; the others are written", () =>
    Effect.gen(function* () {
      const memory = yield* Memory.make()
      yield* seed(memory, 3)
      const [first, second] = Chunk.toReadonlyArray(yield* Stream.runCollect(memory.list()))
      // One source sequence waits 0 after its first step, another sends a new email with no subject.
      const source = withSteps(memory, (steps) => steps)
      const odd: Service = {
        ...source,
        get: (id) =>
          memory.get(id).pipe(
            Effect.map((s) =>
              id === first!.id
                ? new Sequence.Sequence({
                    ...s,
                    steps: s.steps.map((st, i) =>
                      i === 1 ? new Sequence.Step({ ...st, delay: { value: 0, unit: "minutes" } }) : st
                    )
                  })
                : id === second!.id
                  ? new Sequence.Sequence({
                      ...s,
                      steps: s.steps.map((st, i) =>
                        i === 1
                          ? new Sequence.Step({
                              ...st,
                              email: { subject: " ", html: "<p>x</p>", thread: "new" }
                            })
                          : st
                      )
                    })
                  : s
            )
          )
      }
      const target = yield* Memory.make()
      const { plan, result } = yield* migrate(odd, target)
      expect(plan.blocked.map((b) => [b.name, b.error._tag])).toEqual([
        ["Seq 1", "InvalidInput"],
        ["Seq 2", "InvalidInput"]
      ])
      expect(plan.blocked[0]!.error.message).toContain(
        "steps[1].delay: only the first step may have a zero delay"
      )
      expect(plan.blocked[1]!.error.message).toContain("steps[1].email.subject")
      expect(plan.sequences.map((s) => s.name)).toEqual(["Seq 3"])
      expect(result.failed).toEqual([])
      expect(yield* names(target)).toEqual(["Seq 3"])
    }).pipe(Effect.provide(Journal.layerMemory))
  )

  it.effect("a run reports every sequence the target refused and writes the others", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      yield* seed(source, 4)
      const memory = yield* Memory.make()
      const target: Service = {
        ...memory,
        create: (input) =>
          input.name.includes("Seq 2") || input.name.includes("Seq 4")
            ? Effect.fail(
                new SequenceError.InvalidInput({
                  provider: "memory",
                  operation: "create",
                  issues: [{ path: "name", message: "refused by the provider" }]
                })
              )
            : memory.create(input)
      }
      const { result } = yield* migrate(source, target)
      expect(result.failed.map((f) => f.name).sort()).toEqual(["Seq 2", "Seq 4"])
      expect(result.outcomes.map((o) => o.name).sort()).toEqual(["Seq 1", "Seq 3"])
      expect(yield* names(memory)).toEqual(["Seq 1", "Seq 3"])
    }).pipe(Effect.provide(Journal.layerMemory))
  )
})

describe("reruns respect what the user did on the target", () => {
  it.effect("the plan lists no change of a field the target cannot hold", () =>
    Effect.sync(() => {
      const capabilities = {
        ...Memory.capabilities,
        reentry: false,
        holdAfterLastStep: false,
        exclusions: false
      }
      const actual = new Sequence.Sequence({ id: "1", name: "A", active: false, steps: [] })
      const desired: Sequence.NewSequence = {
        name: "A",
        active: false,
        reentry: false,
        holdAfterLastStep: false,
        exclusions: [{ type: "tag", ids: ["1"] }],
        steps: []
      }
      expect(Diff.settings(actual, desired, capabilities)).toEqual({})
      expect(Object.keys(Diff.settings(actual, desired))).toEqual([
        "reentry",
        "holdAfterLastStep",
        "exclusions"
      ])
    })
  )

  // Reruns after random user changes on the target: what is live stays live.
  it.effect(
    "property: after any mix of activations, publications and edits on the target, a rerun keeps them live",
    () =>
      Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(
            FastCheck.record({
              activate: FastCheck.boolean(),
              publish: FastCheck.array(FastCheck.boolean(), { minLength: 2, maxLength: 2 }),
              editTarget: FastCheck.boolean(),
              editSource: FastCheck.boolean()
            }),
            (change) =>
              Effect.runPromise(
                Effect.gen(function* () {
                  const source = yield* Memory.make()
                  const [made] = yield* seed(source, 1)
                  const target = yield* Memory.make()
                  const first = yield* migrate(source, target)
                  const id = first.result.outcomes[0]!.targetId!
                  // The user on the target: approves, publishes, activates, edits.
                  const live = yield* target.get(id)
                  yield* target.replaceSteps(
                    id,
                    live.steps.map(({ raw: _raw, ...step }, i) => ({
                      ...step,
                      published: change.publish[i]!,
                      ...(change.editTarget && i === 0
                        ? { email: { subject: "Edited", html: "<p>e</p>" } }
                        : {})
                    }))
                  )
                  if (change.activate) yield* target.setActive(id, true)
                  if (change.editSource) yield* source.update(made!.id, { name: "Seq 1 renamed" })
                  const before = yield* target.get(id)
                  const { plan } = yield* migrate(source, target)
                  const after = yield* target.get(id)
                  expect(after.active).toBe(before.active)
                  expect(after.steps.map((s) => s.published)).toEqual(before.steps.map((s) => s.published))
                  // What the source says is written; a hand edit is repaired, and the plan says so.
                  expect(after.steps[0]!.email?.subject).toBe("Hello 1")
                  expect(plan.sequences[0]!.action).toBe(
                    change.editTarget || change.editSource ? "update" : "unchanged"
                  )
                  expect(after.name).toBe(change.editSource ? "Seq 1 renamed" : "Seq 1")
                }).pipe(Effect.provide(Journal.layerMemory))
              )
          ),
          { numRuns: 25 }
        )
      )
  )

  it.effect("with activate, the source's state is written, off as well as on", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      yield* seed(source, 1)
      const target = yield* Memory.make()
      const { result } = yield* migrate(source, target)
      const id = result.outcomes[0]!.targetId!
      yield* target.setActive(id, true)
      yield* source.update((yield* Stream.runCollect(source.list())).pipe(Chunk.unsafeHead).id, {
        name: "Renamed"
      })
      const again = yield* Migration.plan({ source, target, activate: true })
      expect(again.sequences[0]!.operations.map((o) => o.detail)).toContain("deactivate (asked for)")
      yield* Apply.apply(again, { target })
      expect((yield* target.get(id)).active).toBe(false)
    }).pipe(Effect.provide(Journal.layerMemory))
  )

  it.effect("a new sequence whose name the target already has is said in the plan", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      yield* seed(source, 1)
      const target = yield* Memory.make()
      yield* target.create({ name: "Seq 1", steps: [] })
      const plan = yield* Migration.plan({ source, target })
      expect(plan.sequences[0]!.action).toBe("create")
      expect(plan.sequences[0]!.warnings.map((w) => [w.path, w.kind])).toContainEqual(["name", "notice"])
    }).pipe(Effect.provide(Journal.layerMemory))
  )
})

describe("the target is the truth, not the journal", () => {
  const rerun = (change: (target: Service, id: string) => Effect.Effect<unknown, unknown>) =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      yield* seed(source, 1)
      const target = yield* Memory.make()
      const first = yield* migrate(source, target)
      const id = first.result.outcomes[0]!.targetId!
      yield* change(target, id)
      const plan = yield* Migration.plan({ source, target })
      const result = yield* Apply.apply(plan, { target })
      return { plan, result, target, id }
    }).pipe(Effect.provide(Journal.layerMemory))

  it.effect("a deleted target is created again, with a warning", () =>
    Effect.gen(function* () {
      const { plan, result, target } = yield* rerun((t, id) => t.remove(id))
      expect(plan.sequences[0]!.action).toBe("create")
      expect(plan.sequences[0]!.warnings.some((w) => w.detail.includes("is no longer in"))).toBe(true)
      expect(result.outcomes[0]!.verification).toBe("verified")
      expect(yield* names(target)).toEqual(["Seq 1"])
    })
  )

  it.effect("a hand-edited subject and a deleted step are repaired", () =>
    Effect.gen(function* () {
      const { plan, target, id } = yield* rerun((t, id) =>
        t
          .get(id)
          .pipe(
            Effect.flatMap((s) =>
              t.replaceSteps(id, [{ ...s.steps[0]!, email: { subject: "Typo", html: "<p>Hello 1</p>" } }])
            )
          )
      )
      expect(plan.sequences[0]!.action).toBe("update")
      expect(plan.sequences[0]!.operations.map((o) => o.detail).join(" ")).toContain("1 new, 1 changed")
      const after = yield* target.get(id)
      expect(after.steps.map((s) => s.email?.subject)).toEqual(["Hello 1", "Tips 1"])
    })
  )

  it.effect("an archived target is reported, not written; the plan read it (counted)", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      yield* seed(source, 1)
      const memory = yield* Memory.make()
      yield* migrate(source, memory)
      const writesBefore = yield* memory.writeCount
      const archived: Service = {
        ...memory,
        get: (id) => memory.get(id).pipe(Effect.map((s) => new Sequence.Sequence({ ...s, archived: true })))
      }
      const counted = counting(archived)
      const plan = yield* Migration.plan({ source, target: counted.service })
      expect(plan.blocked.map((b) => b.error._tag)).toEqual(["Conflict"])
      expect(plan.blocked[0]!.error.message).toContain("archived")
      expect(plan.reads).toBe(counted.calls())
      yield* Apply.apply(plan, { target: archived })
      expect(yield* memory.writeCount).toBe(writesBefore)
    }).pipe(Effect.provide(Journal.layerMemory))
  )

  it.effect("another, empty account with the same journal gets everything created", () =>
    Effect.gen(function* () {
      const source = yield* Memory.make()
      yield* seed(source, 2)
      yield* migrate(source, yield* Memory.make())
      const other = yield* Memory.make()
      const plan = yield* Migration.plan({ source, target: other })
      expect(plan.sequences.map((s) => s.action)).toEqual(["create", "create"])
      yield* Apply.apply(plan, { target: other })
      expect(yield* names(other)).toEqual(["Seq 1", "Seq 2"])
    }).pipe(Effect.provide(Journal.layerMemory))
  )
})

describe("sequence files: the service's rules, before any request", () => {
  const file = (body: string) => `version: 1\nsequences:\n${body}`
  const issuesOf = (text: string) => {
    const parsed = SequenceFile.parse(text, "seq.yaml")
    return Either.isLeft(parsed) ? parsed.left.message.split("\n").slice(1) : []
  }

  it("every hostile number, hour, zone and blank name is refused at its line", () => {
    const cases: ReadonlyArray<[string, string]> = [
      [
        "  - name: A\n    steps:\n      - delay: { value: -1, unit: days }\n        email: { subject: S, html: h }\n",
        "seq.yaml:5:25 sequences[0].steps[0].delay.value: must be a non-negative integer, got -1"
      ],
      [
        "  - name: A\n    steps:\n      - delay: { value: .nan, unit: days }\n        email: { subject: S, html: h }\n",
        "steps[0].delay.value"
      ],
      [
        "  - name: A\n    steps:\n      - delay: { value: .inf, unit: days }\n        email: { subject: S, html: h }\n",
        "steps[0].delay.value"
      ],
      ["  - name: A\n    schedule: { days: [monday], hour: 24, timeZone: UTC }\n", "seq.yaml:4:"],
      [
        "  - name: A\n    schedule: { days: [monday], hour: 9, timeZone: Mars/Olympus }\n",
        "schedule.timeZone"
      ],
      ["  - name: '   '\n", "sequences[0].name: must not be blank"]
    ]
    for (const [body, expected] of cases) {
      const issues = issuesOf(file(body))
      expect(issues.length, body).toBeGreaterThan(0)
      expect(issues.join("\n"), body).toContain(expected)
      expect(
        issues.every((line) => /^seq\.yaml:\d+:\d+ /.test(line)),
        issues.join("\n")
      ).toBe(true)
    }
  })

  it("a YAML alias bomb is a SequenceFileError", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i)
      const next = String.fromCharCode(97 + i)
      levels.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`)
    }
    const parsed = SequenceFile.parse(`${levels.join("\n")}\nversion: 1\nsequences: []\n`, "bomb.yaml")
    expect(Either.isLeft(parsed)).toBe(true)
    if (Either.isLeft(parsed)) expect(parsed.left.message).toContain("too many aliases")
  })

  it.effect(
    "a zero wait after the first step, which the target forbids, fails plan at its line with no request",
    () =>
      Effect.gen(function* () {
        const text = file(
          "  - name: A\n    steps:\n      - delay: 0 days\n        email: { subject: S, html: h }\n      - delay: 0 days\n        email: { subject: T, html: h }\n"
        )
        const parsed = SequenceFile.parse(text, "seq.yaml")
        expect(Either.isRight(parsed)).toBe(true)
        if (Either.isLeft(parsed)) return
        const counted = counting(yield* Memory.make())
        const error = yield* Effect.flip(
          SequenceFile.plan({ file: parsed.right, target: counted.service, fileName: "seq.yaml" })
        )
        expect(error._tag).toBe("SequenceFileError")
        expect(error.message).toContain("seq.yaml:7:")
        expect(error.message).toContain(
          "sequences[0].steps[1].delay: only the first step may have a zero delay"
        )
        expect(counted.calls()).toBe(0)
      }).pipe(Effect.provide(Journal.layerMemory))
  )

  it.effect("apply reruns keep what the user turned on in the target, and see a deleted target", () =>
    Effect.gen(function* () {
      const parsed = SequenceFile.parse(
        file(
          "  - name: A\n    steps:\n      - delay: 0 days\n        email: { subject: S, html: h }\n        published: true\n"
        ),
        "seq.yaml"
      )
      if (Either.isLeft(parsed)) return yield* Effect.die(parsed.left)
      const target = yield* Memory.make()
      const once = yield* SequenceFile.plan({ file: parsed.right, target }).pipe(
        Effect.flatMap((plan) => Apply.apply(plan, { target }))
      )
      const id = once.outcomes[0]!.targetId!
      const live = yield* target.get(id)
      yield* target.replaceSteps(
        id,
        live.steps.map(({ raw: _raw, ...s }) => ({ ...s, published: true }))
      )
      yield* target.setActive(id, true)
      const again = yield* SequenceFile.plan({ file: parsed.right, target })
      expect(again.sequences[0]!.action).toBe("unchanged")
      yield* Apply.apply(again, { target })
      const after = yield* target.get(id)
      expect([after.active, after.steps[0]!.published]).toEqual([true, true])
      yield* target.remove(id)
      const third = yield* SequenceFile.plan({ file: parsed.right, target })
      expect(third.sequences[0]!.action).toBe("create")
      expect(third.sequences[0]!.warnings.some((w) => w.kind === "notice")).toBe(true)
    }).pipe(Effect.provide(Journal.layerMemory))
  )
})
