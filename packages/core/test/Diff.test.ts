import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Schema } from "effect"
import { type Capabilities, Diff, Memory, Sequence } from "../src/index.js"
import { stepPatch } from "../src/internal/diff.js"

const email = (subject: string, extra: Partial<Sequence.StepEmail> = {}): Sequence.StepEmail => ({
  subject,
  html: `<p>${subject}</p>`,
  ...extra
})
const step = (id: string, fields: Partial<Omit<Sequence.Step, "id">> = {}): Sequence.Step =>
  new Sequence.Step({
    id,
    delay: { value: 1, unit: "days" },
    type: "email",
    published: false,
    email: email(`Email ${id}`),
    ...fields
  })

const current = [step("a"), step("b"), step("c"), step("d")]

/** The diff, failing the test on unknown ids. */
const diff = (from: ReadonlyArray<Sequence.Step>, to: ReadonlyArray<Sequence.DesiredStep>) => {
  const result = Diff.steps(from, to)
  if (result._tag === "UnknownSteps") throw new Error(`unknown steps ${result.ids.join(", ")}`)
  return result.diff
}

/** Carries out a diff the way a provider does: patch the kept, create the new, in final order. */
const apply = (from: ReadonlyArray<Sequence.Step>, d: Diff.StepDiff): Array<Sequence.Step> => {
  const byId = new Map(from.map((s) => [s.id, s]))
  for (const { id, patch } of d.updates) byId.set(id, Diff.applyStepPatch(byId.get(id)!, patch))
  return d.order.map((ref) =>
    ref._tag === "Existing"
      ? byId.get(ref.id)!
      : new Sequence.Step({ id: `new${ref.index}`, ...d.creates[ref.index]! })
  )
}

describe("diffSteps", () => {
  it("the same list is a no-op: every step keeps its id, nothing is updated", () => {
    const d = diff(current, Diff.asDesired(current))
    expect(d).toEqual({
      creates: [],
      updates: [],
      removes: [],
      order: current.map((s) => ({ _tag: "Existing", id: s.id })),
      reordered: false
    })
    expect(Diff.isNoop(d)).toBe(true)
  })

  it("a changed field updates that step with that field only", () => {
    const desired = Diff.asDesired(current)
    desired[2] = { ...desired[2]!, email: email("New subject", { html: "<p>Email c</p>" }) }
    const d = diff(current, desired)
    expect(d.updates).toEqual([{ id: "c", patch: { email: { subject: "New subject" } } }])
    expect(d.creates).toEqual([])
    expect(d.removes).toEqual([])
    expect(d.reordered).toBe(false)
    expect(Diff.isNoop(d)).toBe(false)
  })

  it("a reorder moves steps without updating or recreating any", () => {
    const [a, b, c, dd] = Diff.asDesired(current)
    const d = diff(current, [dd!, a!, c!, b!])
    expect(d.reordered).toBe(true)
    expect(d.updates).toEqual([])
    expect(d.creates).toEqual([])
    expect(d.removes).toEqual([])
    expect(d.order.map((r) => (r._tag === "Existing" ? r.id : "new"))).toEqual(["d", "a", "c", "b"])
    expect(apply(current, d).map((s) => s.id)).toEqual(["d", "a", "c", "b"])
  })

  it("steps created in the middle keep their place in the final order", () => {
    const [a, b, c, dd] = Diff.asDesired(current)
    const first = {
      delay: { value: 2, unit: "days" as const },
      type: "email" as const,
      published: false,
      email: email("X")
    }
    const second = { ...first, email: email("Y") }
    const d = diff(current, [a!, first, b!, c!, second, dd!])
    expect(d.creates).toEqual([first, second])
    expect(d.order).toEqual([
      { _tag: "Existing", id: "a" },
      { _tag: "New", index: 0 },
      { _tag: "Existing", id: "b" },
      { _tag: "Existing", id: "c" },
      { _tag: "New", index: 1 },
      { _tag: "Existing", id: "d" }
    ])
    // inserting does not move the kept steps relative to each other
    expect(d.reordered).toBe(false)
    expect(d.updates).toEqual([])
    expect(d.removes).toEqual([])
  })

  it("removes exactly the steps that are gone, and only those", () => {
    const [a, , c] = Diff.asDesired(current)
    const d = diff(current, [a!, c!])
    expect(d.removes).toEqual(["b", "d"])
    expect(d.updates).toEqual([])
    expect(d.reordered).toBe(false)
    expect(diff(current, []).removes).toEqual(["a", "b", "c", "d"])
  })

  it("an id that does not exist is reported, not created", () => {
    const result = Diff.steps(current, [
      ...Diff.asDesired(current),
      { ...Diff.asDesired(current)[0]!, id: "zz" },
      { ...Diff.asDesired(current)[0]!, id: "yy" }
    ])
    expect(result).toEqual({ _tag: "UnknownSteps", ids: ["zz", "yy"] })
  })

  it("reorder, update, insert and remove together", () => {
    const [a, b, , dd] = Diff.asDesired(current)
    const fresh = {
      delay: { value: 3, unit: "hours" as const },
      type: "email" as const,
      published: true,
      email: email("Z")
    }
    const d = diff(current, [{ ...b!, published: true }, fresh, a!, dd!])
    expect(d.removes).toEqual(["c"])
    expect(d.updates).toEqual([{ id: "b", patch: { published: true } }])
    expect(d.creates).toEqual([fresh])
    expect(d.reordered).toBe(true)
    expect(apply(current, d).map((s) => s.id)).toEqual(["b", "new0", "a", "d"])
  })
})

describe("stepPatch", () => {
  it("names only what differs, clearing with null", () => {
    const have = step("a", {
      sendDays: ["monday"],
      email: email("S", { previewText: "P", templateId: "1", sender: "x@example.com" })
    })
    expect(stepPatch(have, { ...Diff.asDesired([have])[0]! })).toEqual({})
    const { sendDays: _days, ...withoutDays } = Diff.asDesired([have])[0]!
    expect(
      stepPatch(have, {
        ...withoutDays,
        delay: { value: 2, unit: "days" },
        email: email("S")
      })
    ).toEqual({
      delay: { value: 2, unit: "days" },
      sendDays: null,
      email: { previewText: null, templateId: null, sender: null }
    })
  })

  it("treats absent and null alike, and an absent thread as a new one", () => {
    const have = step("a", { sendDays: null, email: email("S", { previewText: null }) })
    expect(
      stepPatch(have, {
        ...Diff.asDesired([step("a")])[0]!,
        email: email("S", { thread: "new" })
      })
    ).toEqual({})
    expect(
      stepPatch(have, { ...Diff.asDesired([have])[0]!, email: email("S", { thread: "reply" }) })
    ).toEqual({ email: { thread: "reply" } })
  })

  it("compares variants as a whole and provider options only where the caller names them", () => {
    const have = step("a", {
      variants: [{ id: "v1", email: email("B") }],
      providerOptions: { kit: { position: 3 }, apollo: { touchId: "t1", note: "n" } }
    })
    const same = Diff.asDesired([have])[0]!
    const { providerOptions: _po, ...withoutOptions } = same
    // read-only bookkeeping the caller did not name is not a change
    expect(stepPatch(have, withoutOptions)).toEqual({})
    expect(stepPatch(have, { ...same, providerOptions: { apollo: { note: "n" } } })).toEqual({})
    expect(stepPatch(have, { ...same, providerOptions: { apollo: { note: "m" } } })).toEqual({
      providerOptions: { apollo: { note: "m" } }
    })
    expect(stepPatch(have, { ...same, variants: [] })).toEqual({ variants: [] })
    expect(stepPatch(have, { ...same, variants: [{ id: "v1", email: email("C") }] })).toEqual({
      variants: [{ id: "v1", email: email("C") }]
    })
  })

  it("a type change is a change", () => {
    expect(stepPatch(step("a"), { ...Diff.asDesired([step("a")])[0]!, type: "manual_email" })).toEqual({
      type: "manual_email"
    })
  })

  // Known defect (reported to the lead): `StepPatch.email` cannot be cleared, so an email step made
  // into a call step keeps its old email. Marked `fails`; flip it once `stepPatch` can clear it.
  it("turning an email step into a step without email drops the email", () => {
    const have = step("a")
    const { email: _email, ...call } = { ...Diff.asDesired([have])[0]!, type: "call" as const }
    const next = Diff.applyStepPatch(have, stepPatch(have, call))
    expect(next.type).toBe("call")
    expect(next.email).toBeUndefined()
  })
})

describe("applyStepPatch", () => {
  it("changes only what the patch names", () => {
    const have = step("a", {
      sendDays: ["monday"],
      email: email("S", { previewText: "P" }),
      raw: { wire: 1 }
    })
    const next = Diff.applyStepPatch(have, { email: { subject: "T" } })
    expect(next).toBeInstanceOf(Sequence.Step)
    expect(next).toEqual(
      step("a", {
        sendDays: ["monday"],
        email: email("S", { previewText: "P", subject: "T" }),
        raw: { wire: 1 }
      })
    )
    expect(Diff.applyStepPatch(have, {})).toEqual(have)
  })

  it("null send days revert to the schedule; null email fields clear", () => {
    const have = step("a", {
      sendDays: ["monday"],
      email: email("S", { previewText: "P", sender: "x@example.com" })
    })
    const next = Diff.applyStepPatch(have, { sendDays: null, email: { previewText: null } })
    expect(next.sendDays).toBeUndefined()
    expect(next.email?.previewText ?? undefined).toBeUndefined()
    expect(next.email?.sender).toBe("x@example.com")
    expect(next.email?.subject).toBe("S")
  })

  it("merges provider options per provider", () => {
    const have = step("a", { providerOptions: { kit: { position: 1 }, apollo: { touchId: "t", note: "n" } } })
    const next = Diff.applyStepPatch(have, { providerOptions: { apollo: { note: "m" } } })
    expect(next.providerOptions).toEqual({ kit: { position: 1 }, apollo: { touchId: "t", note: "m" } })
  })

  it("applying the diff's patch makes the step equal to the desired one", () => {
    const have = step("a", { sendDays: ["friday"], email: email("S", { templateId: "1" }) })
    const want: Sequence.DesiredStep = {
      id: "a",
      delay: { value: 5, unit: "hours" },
      type: "email",
      published: true,
      email: email("T", { thread: "reply" })
    }
    const next = Diff.applyStepPatch(have, stepPatch(have, want))
    expect(stepPatch(next, want)).toEqual({})
  })
})

describe("diffSteps, property: the diff yields exactly the desired list and loses nothing", () => {
  // Step content drawn from the model's own schemas; delays kept to valid values.
  const Content = Schema.Struct({
    delay: Schema.Struct({ value: Schema.NonNegativeInt, unit: Sequence.DelayUnit }),
    sendDays: Schema.optional(Schema.NullOr(Schema.Array(Sequence.Weekday))),
    email: Schema.Struct({
      subject: Schema.String,
      html: Schema.String,
      previewText: Schema.optional(Schema.NullOr(Schema.String)),
      thread: Schema.optional(Sequence.Thread)
    }),
    published: Schema.Boolean
  })
  const content = Arbitrary.make(Content)
  const toStep = (id: string, c: typeof Content.Type) => new Sequence.Step({ id, type: "email", ...c })

  /** The current list, and a desired list: a shuffled subset of it (some edited) with new steps mixed in. */
  const scenario = FastCheck.array(content, { maxLength: 8 }).chain((contents) => {
    const steps = contents.map((c, i) => toStep(`s${i}`, c))
    return FastCheck.tuple(
      FastCheck.constant(steps),
      FastCheck.shuffledSubarray(steps),
      FastCheck.array(FastCheck.option(content, { nil: undefined }), {
        minLength: steps.length,
        maxLength: steps.length
      }),
      FastCheck.array(FastCheck.tuple(FastCheck.nat(), content), { maxLength: 4 })
    ).map(([current, kept, edits, inserts]) => {
      const desired: Array<Sequence.DesiredStep> = kept.map((s) => {
        const edit = edits[Number(s.id.slice(1))]
        return edit === undefined ? Diff.asDesired([s])[0]! : { id: s.id, type: "email", ...edit }
      })
      for (const [at, c] of inserts) desired.splice(at % (desired.length + 1), 0, { type: "email", ...c })
      return { current, desired }
    })
  })

  /** What a step says, with "none" spelled one way (absent), for comparison. */
  const meaning = (s: Sequence.DesiredStep | Sequence.Step) => ({
    delay: s.delay,
    sendDays: s.sendDays ?? null,
    type: s.type,
    published: s.published,
    email: {
      subject: s.email?.subject,
      html: s.email?.html,
      previewText: s.email?.previewText ?? null,
      thread: s.email?.thread ?? "new"
    }
  })

  it("holds for any current list and any desired list", () => {
    FastCheck.assert(
      FastCheck.property(scenario, ({ current, desired }) => {
        const d = diff(current, desired)
        const result = apply(current, d)
        expect(result.map(meaning)).toEqual(desired.map(meaning))
        // kept steps keep their ids, in the desired places
        expect(result.map((s, i) => (desired[i]!.id === undefined ? undefined : s.id))).toEqual(
          desired.map((s) => s.id)
        )
        const wanted = new Set(desired.flatMap((s) => (s.id === undefined ? [] : [s.id])))
        // never removes a step that is still desired; removes every one that is not
        expect(d.removes.filter((id) => wanted.has(id))).toEqual([])
        expect(new Set([...d.removes, ...wanted])).toEqual(new Set(current.map((s) => s.id)))
        // unchanged steps produce no update
        for (const { id } of d.updates) {
          const before = current.find((s) => s.id === id)!
          const after = desired.find((s) => s.id === id)!
          expect(meaning(before)).not.toEqual(meaning(after))
        }
        expect(d.creates.length).toBe(desired.filter((s) => s.id === undefined).length)
      }),
      { numRuns: 300 }
    )
  })
})

describe("applyStepPatch on a desired step (the read-modify-write of a step edit)", () => {
  it("stays a plain desired step, keeps its id, and clears with null", () => {
    const want: Sequence.DesiredStep = {
      id: "a",
      delay: { value: 1, unit: "days" },
      type: "email",
      published: false,
      sendDays: ["monday"],
      email: email("S", { previewText: "P", sender: "x@example.com" })
    }
    const next = Diff.applyStepPatch(want, {
      sendDays: null,
      published: true,
      email: { previewText: null, html: "<p>new</p>" }
    })
    expect(next).not.toBeInstanceOf(Sequence.Step)
    expect(next).toEqual({
      id: "a",
      delay: { value: 1, unit: "days" },
      type: "email",
      published: true,
      email: { subject: "S", html: "<p>new</p>", sender: "x@example.com" }
    })
    expect(Diff.applyStepPatch(want, { email: null }).email).toBeUndefined()
  })
})

const sequence = (fields: Partial<Sequence.Sequence> = {}): Sequence.Sequence =>
  new Sequence.Sequence({
    id: "s1",
    name: "Welcome",
    active: false,
    steps: [step("a"), step("b")],
    ...fields
  })
const desiredOf = (s: Sequence.Sequence): Sequence.NewSequence => ({
  name: s.name,
  active: s.active,
  steps: Diff.asDesired(s.steps).map(({ id: _id, ...fields }) => fields)
})

describe("settings", () => {
  it("names only the settings that differ", () => {
    const have = sequence({ reentry: true, labels: ["a", "b"] })
    expect(Diff.settings(have, { ...desiredOf(have), reentry: true, labels: ["a", "b"] })).toEqual({})
    expect(Diff.settings(have, { ...desiredOf(have), name: "Hello", reentry: false, labels: ["a"] })).toEqual(
      { name: "Hello", reentry: false, labels: ["a"] }
    )
  })

  it("a weekly schedule equals itself whatever the order of its days, and the named schedule it was matched to", () => {
    const weekly = new Sequence.Weekly({ days: ["monday", "friday"], hour: 9, timeZone: "Europe/Paris" })
    const have = sequence({ schedule: new Sequence.Weekly({ ...weekly, days: ["friday", "monday"] }) })
    expect(Diff.settings(have, { ...desiredOf(have), schedule: weekly })).toEqual({})
    const named = sequence({ schedule: new Sequence.Named({ scheduleId: "n1", weekly }) })
    expect(Diff.settings(named, { ...desiredOf(named), schedule: weekly })).toEqual({})
    const other = new Sequence.Weekly({ ...weekly, hour: 10 })
    expect(Diff.settings(named, { ...desiredOf(named), schedule: other })).toEqual({ schedule: other })
  })
})

describe("settings: provider options", () => {
  // A target that owns "acme" options: `stats` is a figure it reports, `legacy` is never answered,
  // and it reads a `draft` back as `open`.
  const acme: Capabilities.Capabilities = {
    ...Memory.capabilities,
    provider: "acme",
    keepsForeignOptions: false,
    options: {
      readOnly: ["stats"],
      notCompared: ["legacy"],
      sameOption: (field, actual, desired) =>
        field === "state" && desired === "draft" ? actual === "draft" || actual === "open" : undefined
    }
  }
  const have = sequence({
    providerOptions: {
      acme: {
        owner: "u1",
        flags: { a: true, b: false },
        sharing: { visibility: "team" },
        stats: { sent: 3 }
      },
      other: { x: 1 }
    }
  })
  const want = (options: Sequence.ProviderOptions): Sequence.NewSequence => ({
    ...desiredOf(have),
    providerOptions: options
  })

  it("writes only the own fields that differ, never a read-only, uncompared or other provider's one", () => {
    expect(
      Diff.settings(have, want({ acme: { owner: "u1", stats: { sent: 9 }, legacy: "x" } }), acme)
    ).toEqual({})
    expect(
      Diff.settings(have, want({ acme: { owner: "u2", flags: { a: true } }, other: { x: 2 } }), acme)
    ).toEqual({ providerOptions: { acme: { owner: "u2" } } })
    expect(Diff.settings(have, want({ acme: { state: "draft" } }), acme)).toEqual({
      providerOptions: { acme: { state: "draft" } }
    })
    expect(
      Diff.settings(
        sequence({ providerOptions: { acme: { state: "open" } } }),
        want({ acme: { state: "draft" } }),
        acme
      )
    ).toEqual({})
  })

  it("a nested option is compared by the fields it names", () => {
    expect(Diff.settings(have, want({ acme: { flags: { b: false } } }), acme)).toEqual({})
    expect(Diff.settings(have, want({ acme: { flags: { b: true } } }), acme)).toEqual({
      providerOptions: { acme: { flags: { b: true } } }
    })
    expect(Diff.settings(have, want({ acme: { flags: { c: true } } }), acme)).toEqual({
      providerOptions: { acme: { flags: { c: true } } }
    })
    expect(Diff.settings(have, want({ acme: { sharing: { visibility: "all" } } }), acme)).toEqual({
      providerOptions: { acme: { sharing: { visibility: "all" } } }
    })
  })

  it("a store of the whole model compares every provider's entry; without capabilities, every field", () => {
    const store = { ...acme, keepsForeignOptions: true }
    expect(Diff.settings(have, want({ other: { x: 2 } }), store)).toEqual({
      providerOptions: { other: { x: 2 } }
    })
    expect(Diff.settings(have, want({ acme: { stats: { sent: 9 } } }))).toEqual({
      providerOptions: { acme: { stats: { sent: 9 } } }
    })
  })

  it("a read-back names an option the target does not hold as written, as the next plan would", () => {
    expect(Diff.readBack(want({ acme: { owner: "u1", stats: { sent: 9 } } }), have, acme)).toEqual([])
    expect(Diff.readBack(want({ acme: { owner: "u2", flags: { a: false } } }), have, acme)).toEqual([
      'providerOptions.acme.owner is "u1", expected "u2"',
      'providerOptions.acme.flags is {"a":true,"b":false}, expected {"a":false}'
    ])
    expect(Diff.readBack(want({ acme: { state: "open" } }), have, acme)).toEqual([
      'providerOptions.acme.state is none, expected "open"'
    ])
  })

  it("the in-memory store keeps the fields and entries a patch does not name", () =>
    Effect.gen(function* () {
      const memory = yield* Memory.make()
      const created = yield* memory.create({
        name: "Options",
        providerOptions: { acme: { owner: "u1", flags: { a: true } }, other: { x: 1 } }
      })
      yield* memory.update(created.id, { providerOptions: { acme: { owner: "u2" } } })
      expect((yield* memory.get(created.id)).providerOptions).toEqual({
        acme: { owner: "u2", flags: { a: true } },
        other: { x: 1 }
      })
    }).pipe(Effect.runPromise))
})

describe("readBack", () => {
  it("is empty when the target is as written, and says each difference in words", () => {
    const have = sequence()
    expect(Diff.readBack(desiredOf(have), have, Memory.capabilities)).toEqual([])
    const want = desiredOf(have)
    const found = Diff.readBack(
      {
        ...want,
        name: "Other",
        active: true,
        steps: [{ ...want.steps[0]!, published: true }, want.steps[1]!]
      },
      have,
      Memory.capabilities
    )
    expect(found).toEqual([
      'name is "Welcome", expected "Other"',
      "active is false, expected true",
      "step 1 published is false, expected true"
    ])
    expect(Diff.readBack({ ...want, steps: [want.steps[0]!] }, have, Memory.capabilities)).toEqual([
      "has 2 steps, expected 1"
    ])
  })
})
