import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Apollo } from "@unisequence/apollo"
import { Capabilities, Memory, Sequence, Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"

const email = (subject: string, extra: Partial<Sequence.StepEmail> = {}): Sequence.StepEmail => ({
  subject,
  html: `<p>${subject}</p>`,
  ...extra
})
const step = (fields: Partial<Sequence.NewStep> = {}): Sequence.NewStep => ({
  delay: { value: 1, unit: "days" },
  type: "email",
  published: false,
  email: email("Hello"),
  ...fields
})
const sequence = (fields: Partial<Sequence.NewSequence> = {}): Sequence.NewSequence => ({
  name: "Welcome",
  active: false,
  steps: [step()],
  ...fields
})

/** The providers whose options the inputs below carry: they word the warnings. */
const sources = [Kit.capabilities, Apollo.capabilities, Memory.capabilities]

const translated = (input: Sequence.NewSequence | Sequence.Sequence, target: Capabilities.Capabilities) => {
  const result = Capabilities.translateEither(input, target, { sources })
  if (Either.isLeft(result)) throw new Error(`unexpected Unsupported: ${result.left.message}`)
  return result.right
}

/** A readable sentence: starts with a letter, several words, no object dumps or undefined. */
const expectSentence = (detail: string) => {
  expect(detail).toMatch(/^[A-Za-z"0-9]/)
  expect(detail.split(" ").length).toBeGreaterThanOrEqual(5)
  expect(detail).not.toMatch(/undefined|\[object|NaN/)
}

/** The single warning of `input` translated to `target`, checked for path, kind and wording. */
const only = (
  input: Sequence.NewSequence,
  target: Capabilities.Capabilities,
  path: string,
  kind: Capabilities.Warning["kind"]
) => {
  const { sequence: out, warnings } = translated(input, target)
  expect(warnings.map((w) => [w.path, w.kind])).toEqual([[path, kind]])
  expectSentence(warnings[0]!.detail)
  return { out, detail: warnings[0]!.detail }
}

const weekly = new Sequence.Weekly({ days: ["monday", "thursday"], hour: 9, timeZone: "Europe/Paris" })

describe("translate: sequence settings", () => {
  it("nothing is lost between a sequence and the memory provider", () => {
    const everything = sequence({
      schedule: weekly,
      sender: "me@example.com",
      templateId: "7",
      reentry: true,
      holdAfterLastStep: true,
      exclusions: [{ type: "tag", ids: ["1"] }],
      limits: { maxEmailsPerDay: 50 },
      cc: ["a@example.com"],
      bcc: ["b@example.com"],
      labels: ["q3"],
      providerOptions: { kit: { emailCount: 1 }, apollo: { userId: "u1" } },
      steps: [
        step({
          delay: { value: 30, unit: "minutes" },
          sendDays: null,
          variants: [{ email: email("B") }],
          email: email("A", { previewText: "p", templateId: "t", sender: "s@example.com", thread: "reply" })
        })
      ]
    })
    const { sequence: out, warnings } = translated(everything, Memory.capabilities)
    expect(warnings).toEqual([])
    expect(out).toEqual(everything)
  })

  it("Kit-only settings are dropped on Apollo, one warning each", () => {
    const cases: ReadonlyArray<[keyof Sequence.NewSequence, Partial<Sequence.NewSequence>, string]> = [
      ["sender", { sender: "me@example.com" }, "sending address"],
      ["templateId", { templateId: "12" }, "templates"],
      ["reentry", { reentry: true }, "restart"],
      ["holdAfterLastStep", { holdAfterLastStep: true }, "after the last step"],
      ["exclusions", { exclusions: [{ type: "form", ids: ["3"] }] }, "exclude"]
    ]
    for (const [key, fields, words] of cases) {
      const { out, detail } = only(sequence(fields), Apollo.capabilities, key, "dropped")
      expect(out[key]).toBeUndefined()
      expect(detail).toContain("Apollo")
      expect(detail).toContain(words)
    }
  })

  it("a dropped setting's warning shows the value that is lost", () => {
    const cases: ReadonlyArray<[string, Partial<Sequence.NewSequence>, Capabilities.Capabilities, string]> = [
      ["sender", { sender: "me@example.com" }, Apollo.capabilities, '(was "me@example.com")'],
      ["exclusions", { exclusions: [{ type: "form", ids: ["3"] }] }, Apollo.capabilities, '"type":"form"'],
      [
        "cc",
        { cc: ["a@example.com", "b@example.com"] },
        Kit.capabilities,
        "(was a@example.com, b@example.com)"
      ],
      [
        "providerOptions.apollo.createFlags",
        {
          providerOptions: {
            apollo: { createFlags: { mark_finished_if_reply: true, mark_paused_if_ooo: false } }
          }
        },
        Kit.capabilities,
        "(was mark_finished_if_reply: true, mark_paused_if_ooo: false)"
      ]
    ]
    for (const [path, fields, target, words] of cases) {
      const { detail } = only(sequence(fields), target, path, "dropped")
      expect(detail, path).toContain(words)
      expectSentence(detail)
    }
  })

  it("an archived source says it is archived: the target gets a sequence that is not", () => {
    const read = (archived: boolean) =>
      new Sequence.Sequence({ id: "s1", name: "Old promo", active: false, archived, steps: [] })
    const { warnings } = translated(read(true), Kit.capabilities)
    expect(warnings.map((w) => [w.path, w.kind])).toEqual([["archived", "dropped"]])
    expect(warnings[0]!.detail).toContain("Kit gets it as a sequence that is not archived")
    expectSentence(warnings[0]!.detail)
    expect(translated(read(false), Kit.capabilities).warnings).toEqual([])
  })

  it("settings that lose nothing give no warning (reentry and hold false, empty lists, null)", () => {
    const { warnings } = translated(
      sequence({ reentry: false, holdAfterLastStep: false, exclusions: [], sender: null, cc: [] }),
      Apollo.capabilities
    )
    expect(warnings).toEqual([])
  })

  it("Apollo-only settings are dropped on Kit, one warning each", () => {
    const cases: ReadonlyArray<[string, Partial<Sequence.NewSequence>, string]> = [
      ["cc", { cc: ["a@example.com"] }, "(cc)"],
      ["bcc", { bcc: ["a@example.com"] }, "(bcc)"],
      ["labels", { labels: ["q3"] }, "labels"],
      ["limits.maxEmailsPerDay", { limits: { maxEmailsPerDay: 40 } }, "was 40 a day"],
      ["limits.sameAccountReplyDelayDays", { limits: { sameAccountReplyDelayDays: 1 } }, "was 1 day)"]
    ]
    for (const [path, fields, words] of cases) {
      const { out, detail } = only(sequence(fields), Kit.capabilities, path, "dropped")
      expect(detail).toContain("Kit")
      expect(detail).toContain(words)
      expect(out.cc ?? out.bcc ?? out.labels ?? out.limits).toBeUndefined()
    }
    const both = translated(
      sequence({ limits: { maxEmailsPerDay: 40, sameAccountReplyDelayDays: 3 } }),
      Kit.capabilities
    )
    expect(both.warnings.map((w) => w.path)).toEqual([
      "limits.maxEmailsPerDay",
      "limits.sameAccountReplyDelayDays"
    ])
    expect(both.warnings[1]!.detail).toContain("was 3 days")
  })

  it("a weekly schedule is approximated on Apollo by the matching team schedule", () => {
    const { out, detail } = only(
      sequence({ schedule: weekly }),
      Apollo.capabilities,
      "schedule",
      "approximated"
    )
    expect(out.schedule).toEqual(weekly)
    expect(detail).toContain("monday, thursday at 9:00 Europe/Paris")
  })

  it("a named schedule becomes its weekly equivalent on Kit, or is dropped when it could not be read", () => {
    const named = new Sequence.Named({ scheduleId: "s1", name: "Business hours", weekly })
    const approximated = only(sequence({ schedule: named }), Kit.capabilities, "schedule", "approximated")
    expect(approximated.out.schedule).toEqual(weekly)
    expect(approximated.detail).toContain(`"Business hours"`)
    expect(approximated.detail).toContain("monday, thursday at 9:00 Europe/Paris")

    const unread = new Sequence.Named({ scheduleId: "s2" })
    const dropped = only(sequence({ schedule: unread }), Kit.capabilities, "schedule", "dropped")
    expect(dropped.out.schedule).toBeUndefined()
    expect(dropped.detail).toContain("s2")
    expect(dropped.detail).toContain("default schedule")

    expect(translated(sequence({ schedule: named }), Apollo.capabilities).warnings).toEqual([])
  })

  it("the other provider's options are dropped field by field; read-only figures silently", () => {
    const input = sequence({
      providerOptions: {
        kit: { emailCount: 3, subscriberCount: 10, stats: {} },
        apollo: {
          creationType: "new",
          userId: "u1",
          createFlags: { mark_finished_if_reply: true },
          stats: { opens: 3 }
        }
      }
    })
    const toKit = translated(input, Kit.capabilities)
    expect(toKit.warnings.map((w) => [w.path, w.kind])).toEqual([
      ["providerOptions.apollo.creationType", "dropped"],
      ["providerOptions.apollo.userId", "dropped"],
      ["providerOptions.apollo.createFlags", "dropped"]
    ])
    toKit.warnings.forEach((w) => {
      expectSentence(w.detail)
      expect(w.detail).toContain("Apollo-only")
    })
    expect(toKit.sequence.providerOptions).toEqual({ kit: { emailCount: 3, subscriberCount: 10, stats: {} } })

    // Kit's options are all read-only figures: nothing to warn about, nothing carried over
    const toApollo = translated(input, Apollo.capabilities)
    expect(toApollo.warnings).toEqual([])
    expect(toApollo.sequence.providerOptions?.kit).toBeUndefined()
    expect(toApollo.sequence.providerOptions?.apollo?.userId).toBe("u1")
  })

  it("ids, timestamps, archive state and raw payloads of a read sequence are not carried over", () => {
    const read = new Sequence.Sequence({
      id: "42",
      name: "Read",
      active: true,
      archived: false,
      createdAt: "2024-01-01T00:00:00Z",
      updatedAt: "2024-01-02T00:00:00Z",
      raw: { wire: true },
      steps: [new Sequence.Step({ id: "s1", ...step(), raw: { wire: true } })]
    })
    const { sequence: out, warnings } = translated(read, Kit.capabilities)
    expect(warnings).toEqual([])
    expect(out).toEqual({ name: "Read", active: true, steps: [step()] })
  })
})

describe("translate: steps", () => {
  it("minutes become hours on Kit, rounded up, never earlier", () => {
    const cases: ReadonlyArray<[number, number, string]> = [
      [90, 2, "90 minutes becomes 2 hours"],
      [60, 1, "60 minutes becomes 1 hour"],
      [1, 1, "1 minute becomes 1 hour"],
      [0, 0, "0 minutes becomes 0 hours"],
      [121, 3, "121 minutes becomes 3 hours"]
    ]
    for (const [minutes, hours, words] of cases) {
      const { out, detail } = only(
        sequence({ steps: [step({ delay: { value: minutes, unit: "minutes" } })] }),
        Kit.capabilities,
        "steps[0].delay",
        "approximated"
      )
      expect(out.steps[0]!.delay).toEqual({ value: hours, unit: "hours" })
      expect(detail).toContain(words)
      expect(detail).toContain("rounded up")
    }
    // Apollo holds minutes as they are
    expect(
      translated(sequence({ steps: [step({ delay: { value: 5, unit: "minutes" } })] }), Apollo.capabilities)
        .warnings
    ).toEqual([])
  })

  it("an hours delay becomes days (rounded up) on a provider that only has days", () => {
    const daysOnly: Capabilities.Capabilities = { ...Kit.capabilities, delayUnits: ["days"] }
    const { out, detail } = only(
      sequence({ steps: [step({ delay: { value: 25, unit: "hours" } })] }),
      daysOnly,
      "steps[0].delay",
      "approximated"
    )
    expect(out.steps[0]!.delay).toEqual({ value: 2, unit: "days" })
    expect(detail).toContain("25 hours becomes 2 days")
  })

  it("per-step send days are dropped on Apollo", () => {
    const { out, detail } = only(
      sequence({ steps: [step({ sendDays: ["tuesday", "friday"] })] }),
      Apollo.capabilities,
      "steps[0].sendDays",
      "dropped"
    )
    expect(out.steps[0]!.sendDays).toBeUndefined()
    expect(detail).toContain("tuesday, friday")
  })

  it("a reply in the thread becomes a new email on Kit", () => {
    const { out, detail } = only(
      sequence({ steps: [step(), step({ email: email("Re: Hello", { thread: "reply" }) })] }),
      Kit.capabilities,
      "steps[1].email.thread",
      "approximated"
    )
    expect(out.steps[1]!.email?.thread).toBe("new")
    expect(detail).toContain("thread")
    // a new thread is what Kit does anyway
    expect(
      translated(sequence({ steps: [step({ email: email("A", { thread: "new" }) })] }), Kit.capabilities)
        .warnings
    ).toEqual([])
  })

  it("preview text, per-email template and per-email sender are dropped on Apollo", () => {
    const cases: ReadonlyArray<[keyof Sequence.StepEmail, Partial<Sequence.StepEmail>]> = [
      ["previewText", { previewText: "Peek" }],
      ["templateId", { templateId: "9" }],
      ["sender", { sender: "me@example.com" }]
    ]
    for (const [key, extra] of cases) {
      const { out } = only(
        sequence({ steps: [step({ email: email("A", extra) })] }),
        Apollo.capabilities,
        `steps[0].email.${key}`,
        "dropped"
      )
      expect(out.steps[0]!.email?.[key]).toBeUndefined()
      expect(out.steps[0]!.email?.subject).toBe("A")
    }
    // null means "none": nothing to lose
    expect(
      translated(
        sequence({ steps: [step({ email: email("A", { previewText: null }) })] }),
        Apollo.capabilities
      ).warnings
    ).toEqual([])
  })

  it("A/B variants are dropped on Kit, counted in the warning", () => {
    const one = only(
      sequence({ steps: [step({ variants: [{ email: email("B") }] })] }),
      Kit.capabilities,
      "steps[0].variants",
      "dropped"
    )
    expect(one.out.steps[0]!.variants).toBeUndefined()
    expect(one.detail).toContain("1 alternative dropped")
    const two = only(
      sequence({ steps: [step({ variants: [{ email: email("B") }, { email: email("C") }] })] }),
      Kit.capabilities,
      "steps[0].variants",
      "dropped"
    )
    expect(two.detail).toContain("2 alternatives dropped")
    expect(translated(sequence({ steps: [step({ variants: [] })] }), Kit.capabilities).warnings).toEqual([])
  })

  it("Apollo step options are dropped on Kit field by field; the touch id silently", () => {
    const { sequence: out, warnings } = translated(
      sequence({
        steps: [
          step({
            providerOptions: {
              apollo: { priority: "high", note: "call first", exactDatetime: null, touchId: "t1" },
              kit: { position: 0 }
            }
          })
        ]
      }),
      Kit.capabilities
    )
    expect(warnings.map((w) => [w.path, w.kind])).toEqual([
      ["steps[0].providerOptions.apollo.priority", "dropped"],
      ["steps[0].providerOptions.apollo.note", "dropped"]
    ])
    warnings.forEach((w) => expectSentence(w.detail))
    // Kit's own position is read-only bookkeeping of the source's emails: not carried either.
    expect(out.steps[0]!.providerOptions).toEqual({})
  })

  it("the target's own read-only bookkeeping is not carried (it names the source's objects); its settings are", () => {
    const { sequence: out, warnings } = translated(
      sequence({
        steps: [
          step({ providerOptions: { apollo: { priority: "high", note: "call first", touchId: "t1" } } }),
          step({ providerOptions: { apollo: { touchId: "t2" } } })
        ]
      }),
      Apollo.capabilities
    )
    expect(warnings).toEqual([])
    expect(out.steps.map((s) => s.providerOptions)).toEqual([
      { apollo: { priority: "high", note: "call first" } },
      {}
    ])
  })

  it("Kit's read-only position is never carried to another provider", () => {
    const { sequence: out, warnings } = translated(
      sequence({ steps: [step({ providerOptions: { kit: { position: 3 } } })] }),
      Apollo.capabilities
    )
    expect(warnings).toEqual([])
    expect(out.steps[0]!.providerOptions).toEqual({})
  })

  it("warnings of several fields come together, in order", () => {
    const { warnings } = translated(
      sequence({
        sender: "me@example.com",
        reentry: true,
        schedule: weekly,
        steps: [step({ sendDays: ["monday"], email: email("A", { previewText: "P" }) })]
      }),
      Apollo.capabilities
    )
    expect(warnings.map((w) => w.path)).toEqual([
      "sender",
      "reentry",
      "schedule",
      "steps[0].sendDays",
      "steps[0].email.previewText"
    ])
  })
})

describe("translate: Unsupported", () => {
  it.effect("a step type Kit cannot send fails instead of being turned into an email", () =>
    Effect.gen(function* () {
      for (const type of ["call", "manual_email", "action_item", "linkedin_connect"] as const) {
        const error = yield* Effect.flip(
          Capabilities.translate(
            sequence({
              steps: [step(), step({ type, ...(type === "manual_email" ? {} : { email: undefined }) })]
            }),
            Kit.capabilities
          )
        )
        expect(error._tag).toBe("Unsupported")
        expect(error.provider).toBe("kit")
        expect(error.operation).toBe("translate")
        expect(error.feature).toBe(`${type} steps`)
        expect(error.detail).toContain(`steps[1] is a ${type} step`)
        expect(error.message).toMatch(/^kit translate: .* steps is not supported: /)
        expect(error.isRetryable).toBe(false)
      }
    })
  )

  it.effect("the same steps translate to Apollo", () =>
    Effect.gen(function* () {
      const result = yield* Capabilities.translate(
        sequence({ steps: [step(), step({ type: "call" })] }),
        Apollo.capabilities
      )
      expect(result.sequence.steps.map((s) => s.type)).toEqual(["email", "call"])
    })
  )
})

describe("Sequences refuses what its provider cannot hold, before any write", () => {
  /** A provider with Kit's capabilities whose writes are counted and never expected. */
  const refusing = (capabilities: Capabilities.Capabilities) =>
    Effect.gen(function* () {
      const memory = yield* Memory.make()
      let writes = 0
      const refuse = () => {
        writes++
        return Effect.dieMessage("a refused input reached the provider")
      }
      const service = Sequences.make({
        provider: capabilities.provider,
        capabilities,
        list: () => memory.list(),
        get: (id) => memory.get(id),
        create: refuse,
        update: refuse,
        writeSteps: refuse,
        setActive: refuse,
        remove: refuse,
        enroll: refuse
      })
      return { service, writes: () => writes }
    })

  it.effect("create, update, addStep and updateStep fail with Unsupported naming the field", () =>
    Effect.gen(function* () {
      const { service, writes } = yield* refusing(Kit.capabilities)
      const call = yield* Effect.flip(
        service.create({ name: "X", steps: [{ delay: { value: 1, unit: "days" }, type: "call" }] })
      )
      expect(call._tag).toBe("Unsupported")
      const cc = yield* Effect.flip(service.update("1", { cc: ["a@example.com"], labels: ["x"] }))
      expect(cc._tag === "Unsupported" && cc.feature).toBe("cc, labels")
      expect(cc.message).toContain("translate the sequence first")
      const minutes = yield* Effect.flip(
        service.addStep("1", { delay: { value: 5, unit: "minutes" }, email: { subject: "a", html: "b" } })
      )
      expect(minutes._tag === "Unsupported" && minutes.feature).toBe("step.delay")
      const reply = yield* Effect.flip(service.updateStep("1", "2", { email: { thread: "reply" } }))
      expect(reply._tag === "Unsupported" && reply.feature).toBe("patch.email.thread")
      expect(writes()).toBe(0)
    })
  )

  it.effect("the provider's own options are checked against its adapter's schema, at their path", () =>
    Effect.gen(function* () {
      const { service, writes } = yield* refusing(Apollo.capabilities)
      const error = yield* Effect.flip(
        service.create({
          name: "X",
          providerOptions: { apollo: { creationType: "bogus", userId: "u1" } },
          steps: [
            {
              delay: { value: 1, unit: "days" },
              type: "call",
              providerOptions: { apollo: { autoSkipInXDays: "soon" } }
            }
          ]
        })
      )
      expect(error._tag).toBe("InvalidInput")
      expect(error._tag === "InvalidInput" && error.issues.map((i) => i.path)).toEqual([
        "providerOptions.apollo.creationType",
        "steps[0].providerOptions.apollo.autoSkipInXDays"
      ])
      // Another provider's entry is not this adapter's to check.
      const foreign = yield* Effect.flip(
        service.update("1", { providerOptions: { kit: { emailCount: "many" }, apollo: { userId: 7 } } })
      )
      expect(foreign._tag === "InvalidInput" && foreign.issues.map((i) => i.path)).toEqual([
        "providerOptions.apollo.userId"
      ])
      expect(writes()).toBe(0)
    })
  )

  it.effect("enrolling by email where the provider enrols by id only is Unsupported", () =>
    Effect.gen(function* () {
      const { service, writes } = yield* refusing(Apollo.capabilities)
      const error = yield* Effect.flip(service.enroll("1", { emails: ["ada@example.com"] }))
      expect(error._tag === "Unsupported" && error.feature).toBe("emails")
      expect(error.message).toContain("by contact id only")
      expect(writes()).toBe(0)
    })
  )
})

describe("replies without a subject of their own", () => {
  it.effect("are valid, and become a new email titled after the thread on Kit", () =>
    Effect.gen(function* () {
      const input = {
        name: "Threads",
        active: false,
        steps: [
          {
            delay: { value: 0, unit: "days" as const },
            type: "email" as const,
            published: false,
            email: { subject: "Hello", html: "a" }
          },
          {
            delay: { value: 2, unit: "days" as const },
            type: "email" as const,
            published: false,
            email: { subject: "", html: "b", thread: "reply" as const }
          }
        ]
      }
      const memory = yield* Memory.make()
      yield* memory.create(input)
      const { sequence, warnings } = yield* Capabilities.translate(input, Kit.capabilities)
      expect(sequence.steps[1]?.email?.subject).toBe("Re: Hello")
      expect(sequence.steps[1]?.email?.thread).toBe("new")
      expect(warnings.map((w) => w.path)).toEqual(["steps[1].email.thread", "steps[1].email.subject"])
      const blank = yield* Effect.flip(
        memory.create({ ...input, steps: [{ ...input.steps[1]!, email: { subject: " ", html: "b" } }] })
      )
      expect(blank._tag === "InvalidInput" && blank.issues).toHaveLength(1)
    })
  )
})
