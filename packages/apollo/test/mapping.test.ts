import { describe, expect, it } from "@effect/vitest"
import { Capabilities, Diff, Memory, Sequence as S } from "@unisequence/core"
import { Either, Schema } from "effect"
import * as M from "../src/internal/mapping.js"
import * as W from "../src/internal/wire.js"

const schedule = (
  hash: Record<string, Array<[number, number]>>,
  zone = "Europe/Paris"
): W.EmailerSchedule => ({
  id: "s1",
  name: "Mornings",
  time_zone: zone,
  schedule_hash: hash
})

const detail = (raw: unknown) => Schema.decodeUnknownSync(W.SequenceDetail)(raw)

const wireDetail = {
  emailer_campaign: {
    id: "c1",
    name: "Seq",
    active: true,
    archived: false,
    emailer_schedule_id: "s1",
    cc_emails: "a@x.io, b@x.io",
    bcc_emails: "",
    label_names: ["Q3"],
    max_emails_per_day: null,
    same_account_reply_delay_days: 30,
    creation_type: "new",
    unique_delivered: "loading",
    open_rate: 0.5,
    sharing_permission: { visibility: "everyone", access_type: "can_edit" },
    mark_paused_if_ooo: true
  },
  emailer_steps: [
    {
      id: "st2",
      position: 2,
      type: "linkedin_step_connect",
      wait_time: 3,
      wait_mode: "hour",
      note: "hi",
      priority: "high"
    },
    { id: "st1", position: 1, type: "auto_email", wait_time: 10, wait_mode: "minute", exact_datetime: null }
  ],
  emailer_touches: [
    { id: "t1", emailer_step_id: "st1", emailer_template_id: "tp1", status: "approved", type: "new_thread" },
    {
      id: "t2",
      emailer_step_id: "st1",
      emailer_template_id: "tp2",
      status: "to_be_reviewed",
      type: "reply_to_thread"
    }
  ],
  emailer_templates: [
    { id: "tp1", subject: "Hi", body_html: "<p>1</p>" },
    { id: "tp2", subject: "Hi B", body_html: "<p>2</p>" }
  ]
}

describe("mapping: small conversions", () => {
  it("delays both ways", () => {
    expect(M.delayFromWire(2, "minute")).toEqual({ value: 2, unit: "minutes" })
    expect(M.delayFromWire(1, "week")).toEqual({ value: 7, unit: "days" })
    expect(M.delayFromWire(null, null)).toEqual({ value: 0, unit: "days" })
    expect(M.delayFromWire(1, "fortnight")).toBeUndefined()
    expect(M.delayToWire({ value: 3, unit: "hours" })).toEqual({ wait_time: 3, wait_mode: "hour" })
  })

  it("step types both ways", () => {
    expect(M.stepTypeFromWire("auto_email")).toBe("email")
    expect(M.stepTypeFromWire("linkedin_step_interact_post")).toBe("linkedin_interact_post")
    expect(M.stepTypeFromWire("fax")).toBeUndefined()
    for (const type of S.StepType.literals) expect(M.stepTypeFromWire(M.stepTypeToWire(type))).toBe(type)
  })

  it("cc/bcc split and join; empty string is none", () => {
    expect(M.splitEmails("a@x.io, b@x.io,")).toEqual(["a@x.io", "b@x.io"])
    expect(M.splitEmails("")).toEqual([])
    expect(M.splitEmails(null)).toEqual([])
    expect(M.joinEmails(["a@x.io", "b@x.io"])).toBe("a@x.io,b@x.io")
  })
})

describe("mapping: schedules", () => {
  it("a schedule whose days all start at one hour is weekly", () => {
    const weekly = M.weeklyOf(schedule({ monday: [[8, 12]], friday: [[8, 17]] }))
    expect(weekly).toEqual(new S.Weekly({ days: ["monday", "friday"], hour: 8, timeZone: "Europe/Paris" }))
    expect(M.weeklyOf(schedule({ monday: [[8, 12]], friday: [[9, 17]] }))).toBeUndefined()
    expect(M.weeklyOf(schedule({}))).toBeUndefined()
  })

  it("a schedule with no weekly form says why, and translation says the same", () => {
    const uneven = schedule({ monday: [[8, 12]], friday: [[9, 17]] })
    const named = M.namedSchedule("s1", [uneven])
    expect(named.weekly).toBeUndefined()
    expect(named.noWeekly).toBe("starts at different hours on different days (monday 8:00, friday 9:00)")
    expect(M.namedSchedule("s9", [uneven]).noWeekly).toBe("is not among the team's schedules")
    expect(M.namedSchedule("s1", undefined).noWeekly).toContain("could not be read")
    expect(M.namedSchedule("s1", [schedule({})]).noWeekly).toBe("sends on no day")
    const sequence = { name: "N", active: false, steps: [], schedule: named }
    const noNamed = { ...Memory.capabilities, namedSchedule: false }
    const dropped = Either.getOrThrow(Capabilities.translateEither(sequence, noNamed)).warnings
    expect(dropped).toEqual([
      {
        path: "schedule",
        kind: "dropped",
        detail: `schedule "Mornings" starts at different hours on different days (monday 8:00, friday 9:00), so ${noNamed.displayName}'s account default schedule applies`
      }
    ])
  })

  it("matches a weekly schedule on days, start hour and zone", () => {
    const list = [schedule({ monday: [[8, 12]], friday: [[8, 17]] })]
    const want = (days: Array<S.Weekday>, hour: number, zone = "Europe/Paris") =>
      M.matchSchedule(new S.Weekly({ days, hour, timeZone: zone }), list)?.id
    expect(want(["friday", "monday"], 8)).toBe("s1")
    expect(want(["monday"], 8)).toBeUndefined()
    expect(want(["monday", "friday"], 9)).toBeUndefined()
    expect(want(["monday", "friday"], 8, "UTC")).toBeUndefined()
    expect(
      M.noMatchingSchedule(new S.Weekly({ days: ["monday"], hour: 8, timeZone: "UTC" }), list)
    ).toContain('"Mornings" (s1: monday 8-12; friday 8-17 Europe/Paris)')
  })
})

describe("mapping: reading", () => {
  it("a sequence: steps by position, touches → email + variants, templates joined, options kept", () => {
    const result = M.sequenceFromWire(detail(wireDetail), wireDetail, [schedule({ monday: [[9, 17]] })])
    const sequence = Either.getOrThrow(result)
    expect(sequence.steps.map((s) => s.id)).toEqual(["st1", "st2"])
    const [first, second] = sequence.steps
    expect(first!.email).toEqual({ subject: "Hi", html: "<p>1</p>" })
    expect(first!.published).toBe(true)
    expect(first!.variants).toEqual([
      { id: "t2", email: { subject: "Hi B", html: "<p>2</p>", thread: "reply" }, published: false }
    ])
    expect(first!.providerOptions?.apollo).toEqual({ touchId: "t1" })
    expect(second!.type).toBe("linkedin_connect")
    expect(second!.email).toBeUndefined()
    expect(second!.providerOptions?.apollo).toEqual({ note: "hi", priority: "high" })
    expect(sequence.cc).toEqual(["a@x.io", "b@x.io"])
    expect(sequence.bcc).toBeUndefined()
    expect(sequence.labels).toEqual(["Q3"])
    expect(sequence.limits).toEqual({ sameAccountReplyDelayDays: 30 })
    expect(sequence.schedule).toEqual(
      new S.Named({
        scheduleId: "s1",
        name: "Mornings",
        weekly: new S.Weekly({ days: ["monday"], hour: 9, timeZone: "Europe/Paris" })
      })
    )
    expect(sequence.providerOptions?.apollo).toEqual({
      creationType: "new",
      sharingPermission: { visibility: "everyone", accessType: "can_edit" },
      createFlags: { mark_paused_if_ooo: true },
      stats: { unique_delivered: "loading", open_rate: 0.5 }
    })
    expect(sequence.raw).toBe(wireDetail)
  })

  it("the update answer's step_type is read as the type; an unknown type is refused", () => {
    const byStepType = M.stepFromWire(
      { id: "x", step_type: "call", wait_time: 1, wait_mode: "day" },
      [],
      new Map()
    )
    expect(Either.getOrThrow(byStepType).type).toBe("call")
    expect(Either.isLeft(M.stepFromWire({ id: "x", type: "fax" }, [], new Map()))).toBe(true)
  })

  it("ids sent as numbers are read as strings", () => {
    expect(Schema.decodeUnknownSync(W.Step)({ id: 42 }).id).toBe("42")
  })
})

describe("mapping: writing", () => {
  const current = Either.getOrThrow(M.sequenceFromWire(detail(wireDetail), wireDetail, undefined))

  it("a settings patch never carries emailer_steps", () => {
    const body = Either.getOrThrow(
      M.patchToWire({ name: "N", cc: ["a@x.io"], labels: [], limits: { maxEmailsPerDay: 20 } }, undefined)
    )
    expect(body).toEqual({ name: "N", cc_emails: "a@x.io", label_names: [], max_emails_per_day: 20 })
    // The document types the cap as an integer: null is never sent; clearing it is refused.
    const cleared = M.patchToWire({ limits: { maxEmailsPerDay: null } }, undefined)
    expect(Either.isLeft(cleared) && cleared.left.map((i) => i.path)).toEqual(["limits.maxEmailsPerDay"])
    expect(Either.isLeft(M.patchToWire({ limits: { sameAccountReplyDelayDays: 1001 } }, undefined))).toBe(
      true
    )
    expect(
      Either.isLeft(
        M.patchToWire(
          { providerOptions: { apollo: { createFlags: { mark_paused_if_ooo: true } } } },
          undefined
        )
      )
    ).toBe(true)
  })

  it("a step edit keeps every step and touch id, and changes only the edited field", () => {
    const diff = Diff.steps(
      current.steps,
      Diff.asDesired(current.steps).map((d) =>
        d.id === "st1" ? { ...d, email: { ...d.email!, subject: "Changed" } } : d
      )
    )
    if (diff._tag !== "Diff") throw new Error("unexpected")
    const planned = Either.getOrThrow(M.planSteps(current, diff.diff, Diff.applyStepPatch))
    const wire = M.plannedToWire(planned)
    expect(wire.map((s) => [s.id, s.position, s.type])).toEqual([
      ["st1", 1, "auto_email"],
      ["st2", 2, "linkedin_step_connect"]
    ])
    // Only the fields PUT /sequences/{id} documents: no touch type, no step note or priority.
    expect(wire[0]!.emailer_touches).toEqual([
      { id: "t1", status: "approved", emailer_template: { subject: "Changed", body_html: "<p>1</p>" } },
      { id: "t2", status: "to_be_reviewed", emailer_template: { subject: "Hi B", body_html: "<p>2</p>" } }
    ])
    expect(wire[1]).toEqual({
      id: "st2",
      position: 2,
      type: "linkedin_step_connect",
      wait_time: 3,
      wait_mode: "hour",
      emailer_touches: []
    })
    expect(M.unwritableOnUpdate(planned)).toEqual([])
  })

  it("create: no active flag, touches to review unless published, create flags checked", () => {
    const body = Either.getOrThrow(
      M.createToWire(
        Schema.decodeUnknownSync(S.NewSequence)({
          name: "N",
          active: true,
          providerOptions: { apollo: { createFlags: { mark_finished_if_reply: false } } },
          steps: [{ delay: { value: 1, unit: "days" }, email: { subject: "s", html: "h" } }]
        }),
        "s1"
      )
    )
    expect(body).toEqual({
      name: "N",
      emailer_schedule_id: "s1",
      mark_finished_if_reply: false,
      emailer_steps: [
        {
          type: "auto_email",
          wait_time: 1,
          wait_mode: "day",
          emailer_touches: [
            {
              type: "new_thread",
              status: "to_be_reviewed",
              emailer_template: { subject: "s", body_html: "h" }
            }
          ]
        }
      ]
    })
    const unknown = M.createToWire(
      Schema.decodeUnknownSync(S.NewSequence)({
        name: "N",
        providerOptions: { apollo: { createFlags: { nope: true } } }
      }),
      undefined
    )
    expect(Either.isLeft(unknown)).toBe(true)
  })

  it("enrolment counts: skipped as already in vs added", () => {
    expect(
      M.enrollmentFromWire(["a", "b", "c"], {
        contacts: [],
        skipped_contact_ids: { b: "contact_already_in_campaign", c: "no_email" }
      })
    ).toEqual({ added: 1, alreadyEnrolled: 1 })
  })
})
