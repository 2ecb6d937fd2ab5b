import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { fourSteps, harness, seededId } from "./helpers.js"

const seeded = { seed: { sequences: [{ name: "Four", emailer_steps: fourSteps }] } }

/** Touch ids of a snapshot's sequence, by step. */
const touchIds = (step: { readonly emailer_touches: ReadonlyArray<{ readonly id: string }> }) =>
  step.emailer_touches.map((t) => t.id)

describe("Apollo adapter over the simulator", () => {
  it.scoped("a rename sends one PUT with the name only", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      yield* apollo.sequences.update(id, { name: "Renamed" })
      expect(sim.requests.map((r) => [r.method, r.path, r.body])).toEqual([
        ["PUT", `/api/v1/sequences/${id}`, { name: "Renamed" }]
      ])
      expect(sim.state().sequences[0]!.name).toBe("Renamed")
      expect(sim.state().sequences[0]!.emailer_steps).toHaveLength(4)
    })
  )

  it.scoped("settings map to one PUT without emailer_steps: labels, cc/bcc joined, limits", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      yield* apollo.sequences.update(id, {
        labels: ["Outbound", "Q3"],
        cc: ["a@example.com", "b@example.com"],
        bcc: [],
        limits: { maxEmailsPerDay: 40, sameAccountReplyDelayDays: 12 }
      })
      expect(sim.requests).toHaveLength(1)
      expect(sim.requests[0]!.body).toEqual({
        label_names: ["Outbound", "Q3"],
        cc_emails: "a@example.com,b@example.com",
        bcc_emails: "",
        max_emails_per_day: 40,
        same_account_reply_delay_days: 12
      })
      const read = yield* apollo.sequences.get(id)
      // The document answers label ids, not names: the labels are known by id.
      expect(read.labels).toBeUndefined()
      expect(read.providerOptions?.apollo?.labelIds).toHaveLength(2)
      expect(read.cc).toEqual(["a@example.com", "b@example.com"])
      expect(read.limits).toEqual({ maxEmailsPerDay: 40, sameAccountReplyDelayDays: 12 })
      expect(read.steps).toHaveLength(4)
    })
  )

  it.scoped("a reply delay above 1000 days is refused locally", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const error = yield* apollo.sequences
        .update(seededId(sim), { limits: { sameAccountReplyDelayDays: 1001 } })
        .pipe(Effect.flip)
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toContain("limits.sameAccountReplyDelayDays")
      expect(sim.requests).toHaveLength(0)
    })
  )

  it.scoped("editing step 2 of 4 sends one GET and one PUT with every step and touch by id", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      const before = sim.state().sequences[0]!.emailer_steps
      const target = before[1]!
      // The adapter's first read also fetches the team's schedules once; warm that cache.
      yield* apollo.sequences.get(id)
      sim.clearLog()
      yield* apollo.sequences.updateStep(id, target.id, { email: { subject: "Changed" } })
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET /api/v1/emailer_campaigns/${id}`,
        `PUT /api/v1/sequences/${id}`
      ])
      const body = sim.requests[1]!.body as {
        emailer_steps: ReadonlyArray<{
          id: string
          position: number
          emailer_touches: ReadonlyArray<{ id: string }>
        }>
      }
      expect(Object.keys(body)).toEqual(["emailer_steps"])
      expect(body.emailer_steps.map((s) => s.id)).toEqual(before.map((s) => s.id))
      expect(body.emailer_steps.map((s) => s.position)).toEqual([1, 2, 3, 4])
      expect(body.emailer_steps.map((s) => s.emailer_touches.map((t) => t.id))).toEqual(before.map(touchIds))
      const after = sim.state().sequences[0]!.emailer_steps
      expect(after.map((s) => s.id)).toEqual(before.map((s) => s.id))
      expect(after.map(touchIds)).toEqual(before.map(touchIds))
      expect(after[1]!.emailer_touches[0]!.emailer_template.subject).toBe("Changed")
      // The variant and every other step keep their content.
      expect(after[1]!.emailer_touches[1]!.emailer_template).toEqual(
        target.emailer_touches[1]!.emailer_template
      )
      expect(after[2]).toEqual(before[2])
      expect(after[0]).toEqual(before[0])
      expect(after[3]).toEqual(before[3])
    })
  )

  it.scoped(
    "addStep, removeStep, moveStep and replaceSteps each cost a read and one PUT (a new touch: one read-back)",
    () =>
      Effect.gen(function* () {
        const { sim, apollo } = yield* harness(seeded)
        const id = seededId(sim)
        const s = apollo.sequences
        const ids = sim.state().sequences[0]!.emailer_steps.map((step) => step.id)
        yield* s.get(id)
        const counts: Array<number> = []
        const count = <A, E>(effect: Effect.Effect<A, E>, methods = ["GET", "PUT"]) =>
          Effect.gen(function* () {
            sim.clearLog()
            const result = yield* effect
            counts.push(sim.requests.length)
            expect(sim.requests.map((r) => r.method)).toEqual(methods)
            return result
          })
        const added = yield* count(
          s.addStep(
            id,
            { delay: { value: 1, unit: "days" }, email: { subject: "New", html: "<p>n</p>" } },
            { index: 1 }
          ),
          // The documented answer does not say which step a new touch belongs to: one read-back.
          ["GET", "PUT", "GET"]
        )
        expect(added.id).toMatch(/^[0-9a-f]{24}$/)
        expect(sim.state().sequences[0]!.emailer_steps.map((step) => step.id)).toEqual([
          ids[0],
          added.id,
          ...ids.slice(1)
        ])
        yield* count(s.removeStep(id, ids[2]!))
        expect(sim.state().sequences[0]!.emailer_steps.map((step) => step.id)).toEqual([
          ids[0],
          added.id,
          ids[1],
          ids[3]
        ])
        yield* count(s.moveStep(id, ids[3]!, 1))
        expect(sim.state().sequences[0]!.emailer_steps.map((step) => step.id)).toEqual([
          ids[0],
          ids[3],
          added.id,
          ids[1]
        ])
        const current = yield* s.get(id)
        // `note` is a create field only in Apollo's document: the update is refused, not sent to be ignored.
        sim.clearLog()
        const refused = yield* Effect.flip(
          s.replaceSteps(id, [
            ...current.steps.slice(0, 2),
            {
              delay: { value: 5, unit: "days" },
              type: "action_item",
              providerOptions: { apollo: { note: "Do it" } }
            }
          ])
        )
        expect(refused._tag).toBe("Unsupported")
        expect(refused._tag === "Unsupported" && refused.feature).toBe("steps[2].providerOptions.apollo.note")
        expect(sim.requests.map((r) => r.method)).toEqual(["GET"])
        const replaced = yield* count(
          s.replaceSteps(id, [
            ...current.steps.slice(0, 2),
            { delay: { value: 5, unit: "days" }, type: "action_item" }
          ])
        )
        expect(replaced.map((step) => step.id).slice(0, 2)).toEqual([ids[0], ids[3]])
        expect(replaced[2]!.type).toBe("action_item")
        const state = sim.state().sequences[0]!.emailer_steps
        expect(state.map((step) => step.id)).toEqual(replaced.map((step) => step.id))
        expect(counts).toEqual([3, 2, 2, 2])
      })
  )

  it.scoped("get maps steps, touches, templates, schedule; a second get costs one request", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      const read = yield* apollo.sequences.get(id)
      expect(sim.requests.map((r) => r.path)).toEqual([
        `/api/v1/emailer_campaigns/${id}`,
        "/api/v1/emailer_schedules"
      ])
      expect(read.schedule).toMatchObject({
        _tag: "Named",
        name: "Business hours",
        weekly: { _tag: "Weekly", hour: 9, timeZone: "America/New_York" }
      })
      expect(read.steps.map((step) => [step.type, step.delay, step.published])).toEqual([
        ["email", { value: 0, unit: "minutes" }, true],
        ["email", { value: 2, unit: "days" }, true],
        ["call", { value: 1, unit: "days" }, false],
        ["manual_email", { value: 3, unit: "hours" }, false]
      ])
      expect(read.steps[1]!.email).toEqual({ subject: "Ping", html: "<p>Ping A</p>", thread: "reply" })
      expect(read.steps[1]!.variants).toHaveLength(1)
      expect(read.steps[1]!.variants![0]).toMatchObject({ email: { subject: "B" }, published: false })
      expect(read.steps[2]!.providerOptions?.apollo).toEqual({ priority: "high", note: "Call them" })
      expect(read.raw).toBeDefined()
      sim.clearLog()
      yield* apollo.sequences.get(id)
      expect(sim.requests).toHaveLength(1)
    })
  )

  it.scoped("the team's schedules: one read shared by concurrent gets, a failed read not kept", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded, { retry: false })
      const id = seededId(sim)
      const scheduleReads = () => sim.requests.filter((r) => r.path === "/api/v1/emailer_schedules").length
      sim.setFaults({ operations: { listSchedules: { serverError: { rate: 1 } } } })
      // A read never fails for want of schedules.
      expect((yield* apollo.sequences.get(id)).steps).toHaveLength(4)
      expect(scheduleReads()).toBe(1)
      sim.setFaults(undefined)
      yield* Effect.all(
        [1, 2, 3].map(() => apollo.sequences.get(id)),
        { concurrency: "unbounded" }
      )
      expect(scheduleReads()).toBe(2)
      yield* apollo.sequences.get(id)
      expect(scheduleReads()).toBe(2)
    })
  )

  it.scoped("create posts steps inline, inactive, touches to review unless published", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness()
      const created = yield* apollo.sequences.create({
        name: "New",
        steps: [
          {
            delay: { value: 0, unit: "minutes" },
            email: { subject: "A", html: "<p>A</p>" },
            published: true
          },
          {
            delay: { value: 1, unit: "days" },
            email: { subject: "B", html: "<p>B</p>", thread: "reply" },
            variants: [{ email: { subject: "B2", html: "<p>B2</p>" } }]
          }
        ]
      })
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /api/v1/sequences",
        "GET /api/v1/emailer_schedules"
      ])
      const body = sim.requests[0]!.body as Record<string, unknown>
      expect(body.active).toBeUndefined()
      // Ordered by the array: the document lists no position on create.
      expect(body.emailer_steps).toEqual([
        {
          type: "auto_email",
          wait_time: 0,
          wait_mode: "minute",
          emailer_touches: [
            {
              type: "new_thread",
              status: "approved",
              emailer_template: { subject: "A", body_html: "<p>A</p>" }
            }
          ]
        },
        {
          type: "auto_email",
          wait_time: 1,
          wait_mode: "day",
          emailer_touches: [
            {
              type: "reply_to_thread",
              status: "to_be_reviewed",
              emailer_template: { subject: "B", body_html: "<p>B</p>" }
            },
            {
              type: "new_thread",
              status: "to_be_reviewed",
              emailer_template: { subject: "B2", body_html: "<p>B2</p>" }
            }
          ]
        }
      ])
      expect(created.active).toBe(false)
      expect(created.steps).toHaveLength(2)
      expect(created.steps[1]!.variants![0]!.id).toBeDefined()
      const state = sim.state().sequences[0]!
      expect(state.active).toBe(false)
      expect(state.emailer_steps[1]!.emailer_touches.map((t) => t.status)).toEqual([
        "to_be_reviewed",
        "to_be_reviewed"
      ])
    })
  )

  it.scoped("create with active: true approves after creating", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness()
      const created = yield* apollo.sequences.create({
        name: "Live",
        active: true,
        schedule: { _tag: "Named", scheduleId: "6095a711bd01d100a506d52a" },
        steps: [
          { delay: { value: 1, unit: "days" }, email: { subject: "A", html: "<p>A</p>" }, published: true }
        ]
      })
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /api/v1/sequences",
        `POST /api/v1/emailer_campaigns/${created.id}/approve`,
        "GET /api/v1/emailer_schedules"
      ])
      expect((sim.requests[0]!.body as Record<string, unknown>).emailer_schedule_id).toBe(
        "6095a711bd01d100a506d52a"
      )
      expect(created.active).toBe(true)
      expect(sim.state().sequences[0]!.active).toBe(true)
    })
  )

  it.scoped("a weekly schedule is written as the matching team schedule, or refused with the list", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness({
        seed: {
          schedules: [
            {
              id: "6095a711bd01d100a506d52a",
              name: "Business hours",
              time_zone: "America/New_York",
              default: true,
              schedule_hash: { monday: [[9, 17]], tuesday: [[9, 17]] }
            },
            {
              id: "6095a711bd01d100a506d52b",
              name: "Mornings",
              time_zone: "Europe/Paris",
              schedule_hash: { friday: [[8, 12]] }
            }
          ],
          sequences: [{ name: "S" }]
        }
      })
      const id = seededId(sim)
      yield* apollo.sequences.update(id, {
        schedule: { _tag: "Weekly", days: ["friday"], hour: 8, timeZone: "Europe/Paris" }
      })
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "GET /api/v1/emailer_schedules",
        `PUT /api/v1/sequences/${id}`
      ])
      expect(sim.requests[1]!.body).toEqual({ emailer_schedule_id: "6095a711bd01d100a506d52b" })
      sim.clearLog()
      const error = yield* apollo.sequences
        .update(id, {
          schedule: { _tag: "Weekly", days: ["monday", "tuesday"], hour: 10, timeZone: "America/New_York" }
        })
        .pipe(Effect.flip)
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toContain("cannot create schedules")
      expect(error.message).toContain('"Business hours"')
      expect(error.message).toContain('"Mornings"')
      // One fresh read of the schedules in case one was just made, and no write.
      expect(sim.requests.map((r) => r.method)).toEqual(["GET"])
    })
  )

  it.scoped("setActive uses approve/abort and treats 'already' as success", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      yield* apollo.sequences.setActive(id, true)
      yield* apollo.sequences.setActive(id, true)
      yield* apollo.sequences.setActive(id, false)
      yield* apollo.sequences.setActive(id, false)
      expect(sim.requests.map((r) => [r.path.split("/").pop(), r.status])).toEqual([
        ["approve", 200],
        ["approve", 422],
        ["abort", 200],
        ["abort", 422]
      ])
      expect(sim.state().sequences[0]!.active).toBe(false)
    })
  )

  it.scoped("remove archives", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      yield* apollo.sequences.remove(id)
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `POST /api/v1/emailer_campaigns/${id}/archive`
      ])
      expect(sim.state().sequences[0]!.archived).toBe(true)
      expect((yield* apollo.sequences.get(id)).archived).toBe(true)
    })
  )

  it.scoped("enroll adds contact ids from the first active mailbox, or from sendFrom", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      const contacts = sim.state().contacts.map((c) => c.id)
      const first = yield* apollo.sequences.enroll(id, { ids: [contacts[0]!, contacts[1]!] })
      expect(first).toEqual({ added: 2, alreadyEnrolled: 0 })
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "GET /api/v1/email_accounts",
        `POST /api/v1/emailer_campaigns/${id}/add_contact_ids`
      ])
      expect(sim.requests[1]!.query).toEqual({
        emailer_campaign_id: id,
        "contact_ids[]": [contacts[0], contacts[1]],
        send_email_from_email_account_id: "6633baaece5fbd01c791d7ca"
      })
      sim.clearLog()
      const again = yield* apollo.sequences.enroll(id, {
        ids: [contacts[0]!],
        sendFrom: "6633baaece5fbd01c791d7ca"
      })
      expect(again).toEqual({ added: 0, alreadyEnrolled: 1 })
      expect(sim.requests).toHaveLength(1)
    })
  )

  it.scoped("list follows search pages and never calls GET /emailer_campaigns without an id", () =>
    Effect.gen(function* () {
      const names = ["Alpha one", "Beta", "alpha two", "Gamma", "ALPHA three"]
      const { sim, apollo } = yield* harness(
        { seed: { sequences: names.map((name) => ({ name })) } },
        { pageSize: 2 }
      )
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(apollo.sequences.list()))
      expect(all.map((s) => s.name)).toEqual(names)
      expect(sim.requests.map((r) => r.query.page)).toEqual(["1", "2", "3"])
      expect(
        sim.requests.every((r) => r.method === "POST" && r.path === "/api/v1/emailer_campaigns/search")
      ).toBe(true)
      const alpha = Chunk.toReadonlyArray(
        yield* Stream.runCollect(apollo.sequences.list({ nameContains: "alpha" }))
      )
      expect(alpha.map((s) => s.name).sort()).toEqual(["ALPHA three", "Alpha one", "alpha two"])
      expect(
        sim.requests.some(
          (r) => r.method === "GET" && r.path.replace(/\/$/, "") === "/api/v1/emailer_campaigns"
        )
      ).toBe(false)
    })
  )

  it.scoped(
    "a later step with a zero wait (no rule against it in Apollo's document): read, each step edited, written",
    () =>
      Effect.gen(function* () {
        const touch = (subject: string) => ({
          status: "approved" as const,
          emailer_template: { subject, body_html: `<p>${subject}</p>` }
        })
        const { sim, apollo } = yield* harness({
          seed: {
            sequences: [
              {
                name: "Burst",
                emailer_steps: [
                  { type: "auto_email", wait_time: 0, wait_mode: "minute", emailer_touches: [touch("A")] },
                  { type: "auto_email", wait_time: 0, wait_mode: "day", emailer_touches: [touch("B")] },
                  { type: "call", wait_time: 0, wait_mode: "hour" }
                ]
              }
            ]
          }
        })
        const s = apollo.sequences
        const id = seededId(sim)
        const read = yield* s.get(id)
        expect(read.steps.map((step) => step.delay.value)).toEqual([0, 0, 0])
        for (const [i, step] of read.steps.entries())
          yield* s.updateStep(
            id,
            step.id,
            i === 2 ? { delay: { value: 0, unit: "days" } } : { email: { subject: `Edited ${i}` } }
          )
        yield* s.addStep(id, { delay: { value: 0, unit: "minutes" }, type: "action_item" })
        const after = sim.state().sequences[0]!.emailer_steps
        expect(after.map((step) => [step.wait_time, step.wait_mode])).toEqual([
          [0, "minute"],
          [0, "day"],
          [0, "day"],
          [0, "minute"]
        ])
        expect(after.slice(0, 2).map((step) => step.emailer_touches[0]!.emailer_template.subject)).toEqual([
          "Edited 0",
          "Edited 1"
        ])
        // Handed back as read: nothing to write.
        const again = yield* s.get(id)
        sim.clearLog()
        yield* s.replaceSteps(id, again.steps)
        expect(sim.requests.map((r) => r.method)).toEqual(["GET"])
      })
  )
})
