import { describe, expect, it } from "@effect/vitest"
import { HttpPipeline } from "@unisequence/core"
import { Either, Schema } from "effect"
import * as Mapping from "../src/internal/mapping.js"
import * as Wire from "../src/internal/wire.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => Schema.decodeUnknownSync(schema)(value)

// Kit's own examples, from its documents.
const sequenceExample = decode(Wire.Sequence, {
  id: 30,
  name: "Full Series",
  hold: true,
  repeat: true,
  created_at: "2026-06-11T16:15:56Z",
  updated_at: "2026-06-11T16:15:56Z",
  email_address: "joe1010@ck.lol",
  email_template_id: 38,
  send_days: ["monday", "wednesday", "friday"],
  send_hour: 9,
  time_zone: "America/Los_Angeles",
  active: true,
  exclude_subscriber_sources: [
    { type: "sequence", ids: [29] },
    { type: "tag", ids: [2] }
  ],
  email_count: 0,
  subscriber_count: 0
})

const createdEmailExample = decode(Wire.Email, {
  id: 35,
  sequence_id: 153,
  subject: "Welcome to the sequence",
  preview_text: null,
  email_address: "joe2527@ck.lol",
  email_template_id: null,
  published: false,
  position: null,
  delay_value: 1,
  delay_unit: "days",
  send_days: ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
  content: null
})

describe("reading", () => {
  it("maps a sequence: ids as strings, hold, repeat, schedule, exclusions, counts, raw", () => {
    const sequence = Mapping.toSequence(sequenceExample, [])
    expect(sequence.id).toBe("30")
    expect(sequence.sender).toBe("joe1010@ck.lol")
    expect(sequence.templateId).toBe("38")
    expect(sequence.reentry).toBe(true)
    expect(sequence.holdAfterLastStep).toBe(true)
    expect(sequence.schedule).toMatchObject({
      _tag: "Weekly",
      days: ["monday", "wednesday", "friday"],
      hour: 9,
      timeZone: "America/Los_Angeles"
    })
    expect(sequence.exclusions).toEqual([
      { type: "sequence", ids: ["29"] },
      { type: "tag", ids: ["2"] }
    ])
    expect(sequence.providerOptions?.kit).toEqual({ emailCount: 0, subscriberCount: 0 })
    expect(sequence.raw).toBe(sequenceExample)
    expect(sequence.createdAt).toBe("2026-06-11T16:15:56Z")
  })

  it("maps a list item with only the required fields", () => {
    const item = decode(Wire.SequenceItem, {
      id: 1,
      name: "Evergreen",
      hold: false,
      repeat: false,
      created_at: "2023-02-17T11:43:55Z"
    })
    const summary = Mapping.toSummary(item)
    expect(summary.id).toBe("1")
    expect(summary.active).toBeUndefined()
    expect(summary.schedule).toBeUndefined()
    expect(summary.providerOptions).toBeUndefined()
    expect(summary.stepCount).toBeUndefined()
  })

  it("reads a null email address or template as absent, and stats into providerOptions", () => {
    const summary = Mapping.toSummary(
      decode(Wire.SequenceItem, {
        id: 2,
        name: "x",
        hold: false,
        repeat: false,
        created_at: "t",
        email_address: null,
        email_template_id: null,
        email_count: 3,
        stats: { sent: 1 }
      })
    )
    expect(summary.sender).toBeUndefined()
    expect(summary.templateId).toBeUndefined()
    expect(summary.stepCount).toBe(3)
    expect(summary.providerOptions?.kit).toEqual({ emailCount: 3, stats: { sent: 1 } })
  })

  it("maps an email with position null, preview null and all seven days", () => {
    const step = Mapping.toStep(createdEmailExample)
    expect(step.id).toBe("35")
    expect(step.delay).toEqual({ value: 1, unit: "days" })
    expect(step.sendDays).toBeUndefined()
    expect(step.email).toEqual({ subject: "Welcome to the sequence", html: "" })
    expect(step.published).toBe(false)
    expect(step.providerOptions).toBeUndefined()
    expect(Mapping.toStep(createdEmailExample, 4).providerOptions).toEqual({ kit: { position: 4 } })
    expect(step.raw).toBe(createdEmailExample)
  })

  it("reads an email without preview text, template, position or send days as one that says null", () => {
    const {
      preview_text: _p,
      email_template_id: _t,
      position: _o,
      send_days: _d,
      ...bare
    } = createdEmailExample
    const absent = Mapping.toStep(decode(Wire.Email, bare))
    const nulls = Mapping.toStep(
      decode(Wire.Email, {
        ...bare,
        preview_text: null,
        email_template_id: null,
        position: null,
        send_days: null
      })
    )
    for (const step of [absent, nulls]) {
      expect(step.email).toEqual({ subject: "Welcome to the sequence", html: "" })
      expect(step.sendDays).toBeUndefined()
      expect(step.providerOptions).toBeUndefined()
    }
    expect(Mapping.toStep(decode(Wire.Email, bare), 3).providerOptions).toEqual({ kit: { position: 3 } })
  })

  it("an emails page only validates: the answer's JSON is the decoded value, nothing rebuilt", () => {
    const page = {
      emails: [
        { ...createdEmailExample, unnamed: 1 },
        { id: 36, sequence_id: 153, subject: "Bare", published: true, delay_value: 2, delay_unit: "days" }
      ],
      pagination: {
        has_previous_page: false,
        has_next_page: false,
        start_cursor: null,
        end_cursor: null,
        per_page: 1000
      }
    }
    const answer = HttpPipeline.json(Wire.EmailsPage, { onExcessProperty: "preserve" })
    if (answer._tag !== "Json") throw new Error("a JSON answer")
    const decoded = answer.decode(page)
    expect(Either.isRight(decoded) && decoded.right).toBe(page)
  })

  it("maps per-email send days, preview text, template and content", () => {
    const step = Mapping.toStep(
      decode(Wire.Email, {
        ...createdEmailExample,
        preview_text: "Hi",
        email_template_id: 7,
        content: "<p>x</p>",
        position: 2,
        send_days: ["monday", "friday"]
      })
    )
    expect(step.sendDays).toEqual(["monday", "friday"])
    expect(step.email).toEqual({
      subject: "Welcome to the sequence",
      html: "<p>x</p>",
      previewText: "Hi",
      templateId: "7"
    })
    expect(step.providerOptions).toEqual({ kit: { position: 2 } })
  })

  it("reads hour-based send_days as none whether null or all seven", () => {
    expect(Mapping.toSendDays(null)).toBeUndefined()
    expect(Mapping.toSendDays(undefined)).toBeUndefined()
    expect(
      Mapping.toSendDays(["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"])
    ).toBeUndefined()
    expect(Mapping.toSendDays(["tuesday"])).toEqual(["tuesday"])
  })

  it("orders steps by position", () => {
    const a = decode(Wire.Email, { ...createdEmailExample, id: 1, position: 5 })
    const b = decode(Wire.Email, { ...createdEmailExample, id: 2, position: 0 })
    expect(Mapping.toSequence(sequenceExample, [a, b]).steps.map((s) => s.id)).toEqual(["2", "1"])
  })
})

describe("writing", () => {
  it("a settings patch names only its fields", () => {
    expect(Mapping.sequenceBody({ name: "New" })).toEqual(Either.right({ name: "New" }))
    expect(Mapping.sequenceBody({})).toEqual(Either.right({}))
    expect(
      Mapping.sequenceBody({
        reentry: true,
        holdAfterLastStep: false,
        sender: "a@b.c",
        templateId: "40",
        exclusions: [{ type: "tag", ids: ["3"] }]
      })
    ).toEqual(
      Either.right({
        repeat: true,
        hold: false,
        email_address: "a@b.c",
        email_template_id: 40,
        exclude_subscriber_sources: [{ type: "tag", ids: [3] }]
      })
    )
  })

  it("a weekly schedule is send_days, send_hour and time_zone", () => {
    const schedule = { _tag: "Weekly", days: ["tuesday"], hour: 14, timeZone: "America/Chicago" } as const
    expect(Mapping.sequenceBody({ schedule: { ...schedule } as never })).toEqual(
      Either.right({ send_days: ["tuesday"], send_hour: 14, time_zone: "America/Chicago" })
    )
  })

  it("refuses ids that are not Kit integers, and clearing the sequence's address or template", () => {
    const bad = Mapping.sequenceBody({ templateId: "abc" })
    expect(Either.isLeft(bad) && bad.left._tag).toBe("Invalid")
    const badExclusion = Mapping.sequenceBody({ exclusions: [{ type: "tag", ids: ["1", "x"] }] })
    expect(
      Either.isLeft(badExclusion) && badExclusion.left._tag === "Invalid" && badExclusion.left.issues[0]?.path
    ).toBe("exclusions[0].ids[1]")
    const clear = Mapping.sequenceBody({ sender: null })
    expect(Either.isLeft(clear) && clear.left._tag).toBe("Unsupported")
  })

  it("a create body always says active (Kit defaults to active) and skips null settings", () => {
    const body = Mapping.createSequenceBody({ name: "S", active: false, steps: [], sender: null })
    expect(body).toEqual(Either.right({ name: "S", active: false }))
  })

  it("a step patch names only its fields; null send days revert", () => {
    expect(Mapping.emailBody({ email: { subject: "Hi" } })).toEqual(Either.right({ subject: "Hi" }))
    expect(Mapping.emailBody({ sendDays: null })).toEqual(Either.right({ send_days: null }))
    expect(
      Mapping.emailBody({
        delay: { value: 2, unit: "hours" },
        published: true,
        email: { html: "<p/>", previewText: null, templateId: "9" }
      })
    ).toEqual(
      Either.right({
        delay_value: 2,
        delay_unit: "hours",
        published: true,
        content: "<p/>",
        preview_text: null,
        email_template_id: 9
      })
    )
    expect(Mapping.emailBody({ email: { templateId: null } })).toEqual(
      Either.right({ email_template_id: null })
    )
    // Kit position is read-only bookkeeping: the order is the array order.
    expect(Mapping.emailBody({ providerOptions: { kit: { position: 3 } } })).toEqual(Either.right({}))
  })

  it("refuses what Kit emails cannot hold", () => {
    for (const patch of [
      { email: { sender: "x@y.z" } },
      { delay: { value: 5, unit: "minutes" as const } },
      { type: "call" as const },
      { email: { thread: "reply" as const } }
    ]) {
      const result = Mapping.emailBody(patch)
      expect(Either.isLeft(result) && result.left._tag).toBe("Unsupported")
    }
  })

  it("a create body of a step has the required fields and the position when given", () => {
    const step = {
      delay: { value: 0, unit: "days" as const },
      type: "email" as const,
      published: false,
      email: { subject: "Welcome", html: "<p>Hi</p>" }
    }
    expect(Mapping.createEmailBody(step)).toEqual(
      Either.right({
        subject: "Welcome",
        content: "<p>Hi</p>",
        delay_value: 0,
        delay_unit: "days",
        published: false
      })
    )
    expect(Mapping.createEmailBody({ ...step, sendDays: ["monday"] }, 3)).toEqual(
      Either.right({
        subject: "Welcome",
        content: "<p>Hi</p>",
        delay_value: 0,
        delay_unit: "days",
        published: false,
        send_days: ["monday"],
        position: 3
      })
    )
  })
})
