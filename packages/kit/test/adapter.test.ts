/**
 * The Kit adapter over the simulator, asserting the exact requests sent (from the simulator's log)
 * and the state Kit ends in. The last test validates every request and response of this file
 * against Kit's OpenAPI documents.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import type { KitSimulator } from "@unisequence/testing"
import { Effect, Stream } from "effect"
import { calls, fiveEmails, lines, setup } from "./helpers.js"

const subjects = (sim: KitSimulator.KitSimulator, id = 1) =>
  sim
    .state()
    .sequences.find((s) => s.id === id)!
    .emails.map((e) => e.subject)

/** Request counts measured in this file, printed at the end for the report. */
const measured: Record<string, number> = {}

describe("Kit adapter: reads", () => {
  it.live("get reads the sequence and all emails with content in two requests", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const sequence = yield* sequences.get("1")
      expect(lines(sim)).toEqual([
        "GET /v4/sequences/1",
        "GET /v4/sequences/1/emails?per_page=1000&include_content=true"
      ])
      measured["get (5 emails)"] = sim.requests.length
      expect(sequence.id).toBe("1")
      expect(sequence.steps.map((s) => s.email?.subject)).toEqual(["One", "Two", "Three", "Four", "Five"])
      expect(sequence.steps[0]).toMatchObject({
        id: "101",
        delay: { value: 0, unit: "days" },
        published: true,
        email: { html: "<p>One</p>" },
        providerOptions: { kit: { position: 0 } }
      })
      expect(sequence.schedule).toMatchObject({ _tag: "Weekly", hour: 11, timeZone: "America/New_York" })
    }).pipe(Effect.scoped)
  )

  it.live("get follows email cursors when a sequence has more than one page", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } }, { pageSize: 2 })
      const sequence = yield* sequences.get("1")
      expect(sequence.steps).toHaveLength(5)
      expect(lines(sim).filter((l) => l.startsWith("GET /v4/sequences/1/emails"))).toHaveLength(3)
    }).pipe(Effect.scoped)
  )

  it.live("get of an unknown sequence is SequenceNotFound", () =>
    Effect.gen(function* () {
      const { sequences } = yield* setup()
      const error = yield* Effect.flip(sequences.get("999"))
      expect(error).toMatchObject({ _tag: "SequenceNotFound", sequenceId: "999", provider: "kit" })
    }).pipe(Effect.scoped)
  )

  it.live("list streams 2,500 sequences in three pages of 1000", () =>
    Effect.gen(function* () {
      const seed = {
        sequences: Array.from({ length: 2500 }, (_, i) => ({
          name: i % 500 === 0 ? `Launch ${i}` : `Seq ${i}`
        }))
      }
      const { sim, sequences } = yield* setup({ seed })
      const all = yield* Stream.runCollect(sequences.list())
      expect(all.length).toBe(2500)
      expect(new Set([...all].map((s) => s.id)).size).toBe(2500)
      expect(lines(sim)).toHaveLength(3)
      expect(lines(sim)[0]).toBe("GET /v4/sequences?per_page=1000")
      measured["list (2,500 sequences)"] = sim.requests.length
      sim.clearLog()
      const launches = yield* Stream.runCollect(sequences.list({ nameContains: "launch" }))
      expect([...launches].map((s) => s.name)).toEqual([0, 500, 1000, 1500, 2000].map((i) => `Launch ${i}`))
    }).pipe(Effect.scoped)
  )
})

describe("Kit adapter: sequence writes", () => {
  it.live("create sends an inactive sequence, then each email at its position", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup()
      const created = yield* sequences.create({
        name: "Onboarding",
        reentry: true,
        steps: [
          { delay: { value: 0, unit: "days" }, email: { subject: "Hi", html: "<p>Hi</p>" } },
          {
            delay: { value: 2, unit: "hours" },
            email: { subject: "Next", html: "<p>2</p>", previewText: "pv" }
          }
        ]
      })
      expect(calls(sim)).toEqual([
        { call: "POST /v4/sequences", body: { name: "Onboarding", active: false, repeat: true } },
        {
          call: "POST /v4/sequences/1/emails",
          body: {
            subject: "Hi",
            content: "<p>Hi</p>",
            delay_value: 0,
            delay_unit: "days",
            published: false,
            position: 0
          }
        },
        {
          call: "POST /v4/sequences/1/emails",
          body: {
            subject: "Next",
            content: "<p>2</p>",
            preview_text: "pv",
            delay_value: 2,
            delay_unit: "hours",
            published: false,
            position: 1
          }
        }
      ])
      expect(created.active).toBe(false)
      expect(created.steps.map((s) => s.email?.subject)).toEqual(["Hi", "Next"])
      expect(sim.state().sequences[0]?.active).toBe(false)
    }).pipe(Effect.scoped)
  )

  it.live(
    "create then get round-trips every field Kit holds (hours and days, send days, preview, templates)",
    () =>
      Effect.gen(function* () {
        const { sequences } = yield* setup()
        const input = {
          name: "Everything",
          schedule: {
            _tag: "Weekly" as const,
            days: ["monday", "friday"] as const,
            hour: 9,
            timeZone: "Europe/Paris"
          },
          sender: "sender@example.com",
          templateId: "38",
          reentry: true,
          holdAfterLastStep: true,
          exclusions: [{ type: "form" as const, ids: ["4", "5"] }],
          steps: [
            {
              delay: { value: 1, unit: "hours" as const },
              published: true,
              email: { subject: "A", html: "<p>a</p>", previewText: "pa", templateId: "7" }
            },
            {
              delay: { value: 2, unit: "days" as const },
              sendDays: ["tuesday", "thursday"] as const,
              email: { subject: "B", html: "<p>b</p>" }
            }
          ]
        }
        const created = yield* sequences.create(input)
        const read = yield* sequences.get(created.id)
        for (const s of [created, read]) {
          expect(s).toMatchObject({
            name: "Everything",
            active: false,
            sender: "sender@example.com",
            templateId: "38",
            reentry: true,
            holdAfterLastStep: true,
            exclusions: [{ type: "form", ids: ["4", "5"] }],
            schedule: { _tag: "Weekly", days: ["monday", "friday"], hour: 9, timeZone: "Europe/Paris" }
          })
          expect(s.steps.map((step) => [step.delay, step.sendDays, step.published, step.email])).toEqual([
            [
              { value: 1, unit: "hours" },
              undefined,
              true,
              { subject: "A", html: "<p>a</p>", previewText: "pa", templateId: "7" }
            ],
            [{ value: 2, unit: "days" }, ["tuesday", "thursday"], false, { subject: "B", html: "<p>b</p>" }]
          ])
        }
        expect(read.steps.map((step) => step.id)).toEqual(created.steps.map((step) => step.id))
      }).pipe(Effect.scoped)
  )

  it.live("a rename is one PUT with only the name", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.update("1", { name: "Renamed" })
      expect(calls(sim)).toEqual([{ call: "PUT /v4/sequences/1", body: { name: "Renamed" } }])
      measured["update (rename)"] = sim.requests.length
      expect(sim.state().sequences[0]?.name).toBe("Renamed")
    }).pipe(Effect.scoped)
  )

  it.live("an empty patch sends nothing", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.update("1", {})
      yield* sequences.updateStep("1", "101", {})
      expect(sim.requests).toHaveLength(0)
    }).pipe(Effect.scoped)
  )

  it.live("schedule, flags, template and exclusions map to Kit's fields, and nothing else", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.update("1", {
        schedule: { _tag: "Weekly", days: ["tuesday", "thursday"], hour: 14, timeZone: "America/Chicago" },
        reentry: true,
        holdAfterLastStep: true,
        templateId: "40",
        sender: "me@example.com",
        exclusions: [{ type: "tag", ids: ["3"] }]
      })
      expect(calls(sim)).toEqual([
        {
          call: "PUT /v4/sequences/1",
          body: {
            repeat: true,
            hold: true,
            send_days: ["tuesday", "thursday"],
            send_hour: 14,
            time_zone: "America/Chicago",
            email_address: "me@example.com",
            email_template_id: 40,
            exclude_subscriber_sources: [{ type: "tag", ids: [3] }]
          }
        }
      ])
      const read = yield* sequences.get("1")
      expect(read).toMatchObject({
        reentry: true,
        holdAfterLastStep: true,
        templateId: "40",
        sender: "me@example.com",
        exclusions: [{ type: "tag", ids: ["3"] }]
      })
    }).pipe(Effect.scoped)
  )

  it.live("setActive is one PUT of active; remove is one DELETE", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.setActive("1", false)
      yield* sequences.remove("1")
      expect(calls(sim)).toEqual([
        { call: "PUT /v4/sequences/1", body: { active: false } },
        { call: "DELETE /v4/sequences/1", body: null }
      ])
      expect(sim.state().sequences).toHaveLength(0)
      expect((yield* Effect.flip(sequences.remove("1")))._tag).toBe("SequenceNotFound")
    }).pipe(Effect.scoped)
  )

  it.live("refused input sends nothing: minutes delays, Apollo-only settings, a per-email sender", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const minutes = yield* Effect.flip(
        sequences.addStep("1", { delay: { value: 5, unit: "minutes" }, email: { subject: "s", html: "h" } })
      )
      expect(minutes._tag).toBe("Unsupported")
      const cc = yield* Effect.flip(sequences.update("1", { cc: ["a@b.c"] }))
      expect(cc._tag).toBe("Unsupported")
      const sender = yield* Effect.flip(sequences.updateStep("1", "102", { email: { sender: "x@y.z" } }))
      expect(sender._tag).toBe("Unsupported")
      const badTemplate = yield* Effect.flip(sequences.update("1", { templateId: "not-a-number" }))
      expect(badTemplate._tag).toBe("InvalidInput")
      const createMinutes = yield* Effect.flip(
        sequences.create({
          name: "x",
          steps: [{ delay: { value: 1, unit: "minutes" }, email: { subject: "s", html: "h" } }]
        })
      )
      expect(createMinutes._tag).toBe("Unsupported")
      expect(sim.requests).toHaveLength(0)
    }).pipe(Effect.scoped)
  )
})

describe("Kit adapter: step edits", () => {
  it.live("a subject patch is one PUT with only the subject", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.updateStep("1", "102", { email: { subject: "Better" } })
      expect(calls(sim)).toEqual([{ call: "PUT /v4/sequences/1/emails/102", body: { subject: "Better" } }])
      expect(subjects(sim)[1]).toBe("Better")
    }).pipe(Effect.scoped)
  )

  it.live("per-step send days, and null to revert", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.updateStep("1", "102", { sendDays: ["monday", "friday"] })
      expect((yield* sequences.get("1")).steps[1]?.sendDays).toEqual(["monday", "friday"])
      sim.clearLog()
      yield* sequences.updateStep("1", "102", { sendDays: null })
      // One read tells whether the email is day-based (there is something to revert) before the PUT.
      expect(calls(sim)).toEqual([
        { call: "GET /v4/sequences/1/emails/102", body: null },
        { call: "PUT /v4/sequences/1/emails/102", body: { send_days: null } }
      ])
      expect((yield* sequences.get("1")).steps[1]?.sendDays).toBeUndefined()
    }).pipe(Effect.scoped)
  )

  it.live(
    "send days on an hour-based step: refused locally, with no write, whether or not the patch names the delay",
    () =>
      Effect.gen(function* () {
        const seed = fiveEmails()
        const { sim, sequences } = yield* setup({
          seed: {
            sequences: [
              {
                ...seed,
                emails: seed.emails!.map((e, i) => (i === 1 ? { ...e, delay_unit: "hours" as const } : e))
              }
            ]
          }
        })
        const local = yield* Effect.flip(
          sequences.updateStep("1", "102", { delay: { value: 3, unit: "hours" }, sendDays: ["monday"] })
        )
        expect(local._tag).toBe("InvalidInput")
        expect(sim.requests).toHaveLength(0)
        const checked = yield* Effect.flip(sequences.updateStep("1", "102", { sendDays: ["monday"] }))
        expect(checked._tag).toBe("InvalidInput")
        expect(checked.message).toContain("sendDays: only day-based steps")
        expect(sim.requests.map((r) => r.method)).toEqual(["GET"])
        sim.clearLog()
        // Nothing to revert on an hour-based email: one read, no write.
        yield* sequences.updateStep("1", "102", { sendDays: null })
        expect(calls(sim)).toEqual([{ call: "GET /v4/sequences/1/emails/102", body: null }])
        yield* sequences.updateStep("1", "102", { delay: { value: 2, unit: "hours" }, sendDays: null })
        expect(calls(sim)).toEqual([
          { call: "GET /v4/sequences/1/emails/102", body: null },
          { call: "PUT /v4/sequences/1/emails/102", body: { delay_value: 2, delay_unit: "hours" } }
        ])
      }).pipe(Effect.scoped)
  )

  it.live("updateStep and removeStep of unknown ids say which id is missing", () =>
    Effect.gen(function* () {
      const { sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      expect(yield* Effect.flip(sequences.updateStep("1", "999", { published: false }))).toMatchObject({
        _tag: "StepNotFound",
        stepId: "999"
      })
      expect(yield* Effect.flip(sequences.removeStep("1", "999"))).toMatchObject({ _tag: "StepNotFound" })
      expect(yield* Effect.flip(sequences.removeStep("7", "101"))).toMatchObject({
        _tag: "SequenceNotFound",
        sequenceId: "7"
      })
    }).pipe(Effect.scoped)
  )

  it.live("removeStep is one DELETE", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.removeStep("1", "103")
      expect(lines(sim)).toEqual(["DELETE /v4/sequences/1/emails/103"])
      expect(subjects(sim)).toEqual(["One", "Two", "Four", "Five"])
    }).pipe(Effect.scoped)
  )

  it.live("addStep appends with one POST without position", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const step = yield* sequences.addStep("1", {
        delay: { value: 2, unit: "days" },
        email: { subject: "Six", html: "<p>6</p>" }
      })
      expect(calls(sim)).toEqual([
        {
          call: "POST /v4/sequences/1/emails",
          body: { subject: "Six", content: "<p>6</p>", delay_value: 2, delay_unit: "days", published: false }
        }
      ])
      expect(step.email?.subject).toBe("Six")
      expect(subjects(sim)).toEqual(["One", "Two", "Three", "Four", "Five", "Six"])
    }).pipe(Effect.scoped)
  )

  it.live("addStep inside packed emails shifts the later ones up, highest first, then POSTs", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      yield* sequences.addStep(
        "1",
        { delay: { value: 1, unit: "days" }, email: { subject: "New", html: "n" } },
        { index: 3 }
      )
      expect(lines(sim)).toEqual([
        "GET /v4/sequences/1/emails?per_page=1000",
        "PUT /v4/sequences/1/emails/105",
        "PUT /v4/sequences/1/emails/104",
        "POST /v4/sequences/1/emails"
      ])
      expect(calls(sim)[1]?.body).toEqual({ position: 5 })
      expect(calls(sim)[3]?.body).toMatchObject({ position: 3 })
      expect(subjects(sim)).toEqual(["One", "Two", "Three", "New", "Four", "Five"])
    }).pipe(Effect.scoped)
  )

  it.live("addStep into a gap needs no shift", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({
        seed: {
          sequences: [
            {
              id: 1,
              name: "Gaps",
              emails: [
                { id: 1, subject: "A", position: 0 },
                { id: 2, subject: "B", position: 4 }
              ]
            }
          ]
        }
      })
      yield* sequences.addStep(
        "1",
        { delay: { value: 1, unit: "days" }, email: { subject: "Mid", html: "m" } },
        { index: 1 }
      )
      expect(lines(sim)).toEqual(["GET /v4/sequences/1/emails?per_page=1000", "POST /v4/sequences/1/emails"])
      expect(subjects(sim)).toEqual(["A", "Mid", "B"])
    }).pipe(Effect.scoped)
  )

  it.live("addStep before an immediate first email is refused before any write", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const error = yield* Effect.flip(
        sequences.addStep(
          "1",
          { delay: { value: 1, unit: "days" }, email: { subject: "x", html: "x" } },
          { index: 0 }
        )
      )
      expect(error._tag).toBe("InvalidInput")
      expect(lines(sim)).toEqual(["GET /v4/sequences/1/emails?per_page=1000"])
    }).pipe(Effect.scoped)
  )
})

describe("Kit adapter: replaceSteps and moveStep", () => {
  it.live("replaceSteps that changes nothing sends only the one read of the emails", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const current = yield* sequences.get("1")
      sim.clearLog()
      yield* sequences.replaceSteps("1", current.steps)
      expect(lines(sim)).toEqual(["GET /v4/sequences/1/emails?per_page=1000&include_content=true"])
    }).pipe(Effect.scoped)
  )

  it.live("reversing five emails: the reads plus four moves, and the first stays immediate", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const current = yield* sequences.get("1")
      sim.clearLog()
      const reversed = [...current.steps].reverse().map((step, i) => ({
        ...step,
        delay: { value: i === 0 ? 0 : 1, unit: "days" as const }
      }))
      const result = yield* sequences.replaceSteps("1", reversed)
      expect(subjects(sim)).toEqual(["Five", "Four", "Three", "Two", "One"])
      expect(result.map((s) => s.email?.subject)).toEqual(["Five", "Four", "Three", "Two", "One"])
      const writes = calls(sim).filter((c) => !c.call.startsWith("GET"))
      expect(writes.every((c) => c.call.startsWith("PUT /v4/sequences/1/emails/"))).toBe(true)
      // one email keeps its place; the delay changes ride on the moves
      expect(writes).toHaveLength(4)
      measured["replaceSteps (reverse 5)"] = sim.requests.length
      expect(sim.requests.every((r) => r.status === 200)).toBe(true)
      const state = sim.state().sequences[0]!.emails
      expect(state[0]).toMatchObject({ subject: "Five", position: 0, delay_value: 0 })
    }).pipe(Effect.scoped)
  )

  it.live("reversing five day-delayed emails keeps one in place: reads plus four moves", () =>
    Effect.gen(function* () {
      const seed = fiveEmails()
      const { sim, sequences } = yield* setup({
        seed: { sequences: [{ ...seed, emails: seed.emails!.map((e) => ({ ...e, delay_value: 1 })) }] }
      })
      const current = yield* sequences.get("1")
      sim.clearLog()
      yield* sequences.replaceSteps("1", [...current.steps].reverse())
      expect(subjects(sim)).toEqual(["Five", "Four", "Three", "Two", "One"])
      expect(sim.requests).toHaveLength(1 + 4)
      expect(
        calls(sim)
          .slice(2)
          .every((c) => Object.keys(c.body as object).join() === "position")
      ).toBe(true)
    }).pipe(Effect.scoped)
  )

  it.live("moving the last email to the front (packed positions): reads plus four moves", () =>
    Effect.gen(function* () {
      const seed = fiveEmails()
      const { sim, sequences } = yield* setup({
        seed: { sequences: [{ ...seed, emails: seed.emails!.map((e) => ({ ...e, delay_value: 1 })) }] }
      })
      yield* sequences.moveStep("1", "105", 0)
      expect(subjects(sim)).toEqual(["Five", "One", "Two", "Three", "Four"])
      expect(sim.requests).toHaveLength(1 + 4)
      measured["moveStep (last to front)"] = sim.requests.length
    }).pipe(Effect.scoped)
  )

  it.live("a replace with deletes, updates and creates: deletes first, one request per change", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const current = yield* sequences.get("1")
      sim.clearLog()
      const [one, two, three] = current.steps
      const result = yield* sequences.replaceSteps("1", [
        one!,
        { ...two!, email: { ...two!.email!, subject: "Two!" } },
        three!,
        { delay: { value: 3, unit: "days" }, email: { subject: "New", html: "<p>n</p>" } }
      ])
      expect(calls(sim).slice(1)).toEqual([
        { call: "DELETE /v4/sequences/1/emails/104", body: null },
        { call: "DELETE /v4/sequences/1/emails/105", body: null },
        { call: "PUT /v4/sequences/1/emails/102", body: { subject: "Two!" } },
        {
          call: "POST /v4/sequences/1/emails",
          body: {
            subject: "New",
            content: "<p>n</p>",
            delay_value: 3,
            delay_unit: "days",
            published: false,
            position: 3
          }
        }
      ])
      expect(subjects(sim)).toEqual(["One", "Two!", "Three", "New"])
      expect(result.map((s) => s.providerOptions?.kit?.position)).toEqual([0, 1, 2, 3])
    }).pipe(Effect.scoped)
  )

  it.live("a new immediate first email while the old first gets a delay: no intermediate 422", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({ seed: { sequences: [fiveEmails()] } })
      const current = yield* sequences.get("1")
      sim.clearLog()
      const result = yield* sequences.replaceSteps("1", [
        { delay: { value: 0, unit: "days" }, email: { subject: "Zero", html: "z" } },
        ...current.steps.map((s) => ({ ...s, delay: { value: 1, unit: "days" as const } }))
      ])
      expect(sim.requests.every((r) => r.status !== 422)).toBe(true)
      expect(subjects(sim)).toEqual(["Zero", "One", "Two", "Three", "Four", "Five"])
      expect(sim.state().sequences[0]!.emails[0]).toMatchObject({
        subject: "Zero",
        position: 0,
        delay_value: 0
      })
      expect(result).toHaveLength(6)
    }).pipe(Effect.scoped)
  )

  it.live(
    "decodes Kit's documented variants: position null in write answers, all seven days on hour emails",
    () =>
      Effect.gen(function* () {
        const seed = fiveEmails()
        const { sequences } = yield* setup({
          quirks: { positionInWriteResponses: "null", hourEmailSendDays: "all_days" },
          seed: {
            sequences: [
              {
                ...seed,
                emails: seed.emails!.map((e, i) => (i === 2 ? { ...e, delay_unit: "hours" as const } : e))
              }
            ]
          }
        })
        const read = yield* sequences.get("1")
        expect(read.steps[2]?.sendDays).toBeUndefined()
        const added = yield* sequences.addStep(
          "1",
          { delay: { value: 1, unit: "hours" }, email: { subject: "x", html: "x" } },
          { index: 5 }
        )
        expect(added.email?.subject).toBe("x")
        const moved = yield* sequences.replaceSteps(
          "1",
          [...read.steps.slice(1), { ...read.steps[0]!, delay: { value: 1, unit: "days" as const } }].map(
            (s, i) => (i === 0 ? { ...s, delay: { value: 0, unit: "days" as const } } : s)
          )
        )
        expect(moved.map((s) => s.providerOptions?.kit?.position).every((p) => typeof p === "number")).toBe(
          true
        )
      }).pipe(Effect.scoped)
  )
})

describe("Kit adapter: enrolment", () => {
  it.live("adds by email and by id, one request each, 201 added and 200 already in", () =>
    Effect.gen(function* () {
      const { sim, sequences } = yield* setup({
        seed: {
          subscribers: [
            { id: 7, email_address: "ann@example.com" },
            { id: 8, email_address: "bob@example.com" }
          ],
          sequences: [{ ...fiveEmails(), subscribers: [8] }]
        }
      })
      const result = yield* sequences.enroll("1", { emails: ["ann@example.com"], ids: ["8", "7"] })
      expect(result).toEqual({ added: 1, alreadyEnrolled: 2 })
      expect(calls(sim)).toEqual([
        { call: "POST /v4/sequences/1/subscribers", body: { email_address: "ann@example.com" } },
        { call: "POST /v4/sequences/1/subscribers/8", body: {} },
        { call: "POST /v4/sequences/1/subscribers/7", body: {} }
      ])
    }).pipe(Effect.scoped)
  )

  it.live("an unknown subscriber, an inactive sequence and an unknown sequence are typed", () =>
    Effect.gen(function* () {
      const { sequences } = yield* setup({
        seed: {
          subscribers: [{ id: 7, email_address: "ann@example.com" }],
          sequences: [fiveEmails(1), { ...fiveEmails(2), active: false }]
        }
      })
      const missing = yield* Effect.flip(sequences.enroll("1", { emails: ["nobody@example.com"] }))
      expect(missing).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "emails[0]" }] })
      const inactive = yield* Effect.flip(sequences.enroll("2", { ids: ["7"] }))
      expect(inactive._tag).toBe("InvalidInput")
      expect(inactive.message).toContain("Sequence is inactive")
      expect((yield* Effect.flip(sequences.enroll("9", { ids: ["7"] })))._tag).toBe("SequenceNotFound")
      expect((yield* Effect.flip(sequences.enroll("1", { ids: ["x"] })))._tag).toBe("InvalidInput")
    }).pipe(Effect.scoped)
  )
})

afterAll(() => {
  console.info(`request counts: ${JSON.stringify(measured)}`)
})
