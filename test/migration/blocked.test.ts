/**
 * What a target would refuse, or would mail at another time, is found at plan time with the reason
 * and never written: an Apollo step of an exact-time sequence (sent at its date, not after a wait),
 * an `auto_email` step with no touch, a `new_thread` touch with a blank subject. The others are written.
 */
import { Apollo } from "@unisequence/apollo"
import { Apply, Journal, Memory, Migration, SequenceFile } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { apolloOn, kitOn } from "./adapters.js"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"

const touch = (subject: string) => ({
  status: "approved" as const,
  emailer_template: { subject, body_html: `<p>${subject || "body"}</p>` }
})

const seed: ApolloSimulator.Seed = {
  sequences: [
    {
      name: "Webinar",
      settings: { sequence_by_exact_daytime: true },
      emailer_steps: [
        { type: "auto_email", exact_datetime: "2030-03-01T09:00:00Z", emailer_touches: [touch("Invite")] },
        {
          type: "auto_email",
          exact_datetime: "2030-03-08T08:00:00Z",
          emailer_touches: [touch("Starting soon")]
        }
      ]
    },
    {
      // A date left on a step of a sequence that waits: Apollo ignores it, so Kit can take the sequence.
      name: "Leftover date",
      emailer_steps: [
        {
          type: "auto_email",
          wait_time: 0,
          wait_mode: "day",
          exact_datetime: "2030-03-01T09:00:00Z",
          emailer_touches: [touch("Hello")]
        }
      ]
    },
    { name: "No touch", emailer_steps: [{ type: "auto_email", wait_time: 0, wait_mode: "minute" }] },
    {
      name: "Blank subject",
      emailer_steps: [{ type: "auto_email", wait_time: 0, wait_mode: "minute", emailer_touches: [touch("")] }]
    },
    {
      name: "Relative",
      emailer_steps: [
        { type: "auto_email", wait_time: 0, wait_mode: "day", emailer_touches: [touch("Hello")] },
        { type: "auto_email", wait_time: 2, wait_mode: "day", emailer_touches: [touch("Again")] }
      ]
    }
  ]
}

describe("blocked at plan time, with the reason; the rest written", () => {
  for (const profile of ["documented", "observed"] as const) {
    it.scoped(`Apollo → Kit (${profile})`, () =>
      Effect.gen(function* () {
        const apolloSim = yield* ApolloSimulator.start({
          rateLimit: false,
          profile,
          quirks: { readOneSequence: true },
          seed
        })
        const kitSim = yield* KitSimulator.start({ rateLimit: false, profile })
        const source = yield* apolloOn(apolloSim)
        const target = yield* kitOn(kitSim)
        const { plan, result } = yield* Effect.gen(function* () {
          const plan = yield* Migration.plan({ source, target })
          const result = yield* Apply.apply(plan, { target })
          return { plan, result }
        }).pipe(Effect.provide(Journal.layerMemory))
        const blocked = Object.fromEntries(
          plan.blocked.map((b) => [
            b.name,
            [
              b.error._tag,
              b.error._tag === "Unsupported"
                ? b.error.feature
                : b.error._tag === "InvalidInput"
                  ? b.error.issues.map((i) => i.path).join(",")
                  : ""
            ]
          ])
        )
        expect(blocked).toEqual({
          Webinar: ["Unsupported", "steps[0].providerOptions.apollo.exactDatetime"],
          "No touch": ["InvalidInput", "steps[0].email"],
          "Blank subject": ["InvalidInput", "steps[0].email.subject"]
        })
        const webinar = plan.blocked.find((b) => b.name === "Webinar")!
        expect(webinar.error.message).toContain("at an exact date and time (2030-03-01T09:00:00Z)")
        expect(webinar.error.message).toContain("mailed at another time")
        expect(plan.sequences.map((s) => [s.name, s.action])).toEqual([
          ["Leftover date", "create"],
          ["Relative", "create"]
        ])
        const leftover = plan.sequences[0]!.warnings.find(
          (w) => w.path === "steps[0].providerOptions.apollo.exactDatetime"
        )
        expect(leftover?.kind).toBe("dropped")
        expect(leftover?.detail).toContain("Apollo ignores")
        expect(leftover?.detail).not.toContain("is sent at")
        expect(result.outcomes.map((o) => [o.name, o.outcome, o.verification])).toEqual([
          ["Leftover date", "created", "verified"],
          ["Relative", "created", "verified"]
        ])
        expect(kitSim.state().sequences.map((s) => s.name)).toEqual(["Leftover date", "Relative"])
      })
    )
  }

  it.scoped("Apollo → Apollo: an exact-time sequence is carried as it is, each step at its date", () =>
    Effect.gen(function* () {
      const from = yield* ApolloSimulator.start({ rateLimit: false, quirks: { readOneSequence: true }, seed })
      const to = yield* ApolloSimulator.start({ rateLimit: false, quirks: { readOneSequence: true } })
      const source = yield* apolloOn(from)
      const target = yield* apolloOn(to)
      const read = yield* source.get(from.state().sequences[0]!.id)
      expect(read.steps.map((s) => s.providerOptions?.apollo?.exactDatetime)).toEqual([
        "2030-03-01T09:00:00Z",
        "2030-03-08T08:00:00Z"
      ])
      const plan = yield* Migration.plan({ source, target, select: { _tag: "Ids", ids: [read.id] } }).pipe(
        Effect.provide(Journal.layerMemory)
      )
      expect(plan.blocked).toEqual([])
      yield* Apply.apply(plan, { target }).pipe(Effect.provide(Journal.layerMemory))
      const written = to.state().sequences[0]!
      expect(written.emailer_steps.map((s) => s.exact_datetime)).toEqual([
        "2030-03-01T09:00:00Z",
        "2030-03-08T08:00:00Z"
      ])
    })
  )

  it.scoped(
    "a sequence file for Kit: an Apollo step timed by its date is blocked as in a migration; a leftover date warns",
    () =>
      Effect.gen(function* () {
        const kitSim = yield* KitSimulator.start({ rateLimit: false })
        const target = yield* kitOn(kitSim)
        const step = `      - delay: 0 days
        email: { subject: Hi, html: <p>Hi</p> }
        providerOptions: { apollo: { exactDatetime: "2030-03-01T09:00:00Z" } }
`
        const file = Either.getOrThrow(
          SequenceFile.parse(
            `version: 1
sequences:
  - name: Webinar
    providerOptions: { apollo: { createFlags: { sequence_by_exact_daytime: true } } }
    steps:
${step}  - name: Leftover
    steps:
${step}`,
            "s.yaml"
          )
        )
        const plan = yield* SequenceFile.plan({
          file,
          target,
          sources: [Kit.capabilities, Apollo.capabilities]
        }).pipe(Effect.provide(Journal.layerMemory))
        expect(
          plan.blocked.map((b) => [b.name, b.error._tag, b.error._tag === "Unsupported" && b.error.feature])
        ).toEqual([["Webinar", "Unsupported", "steps[0].providerOptions.apollo.exactDatetime"]])
        expect(plan.blocked[0]!.error.message).toContain(
          "at an exact date and time (2030-03-01T09:00:00Z) in Apollo"
        )
        expect(plan.sequences.map((s) => [s.name, s.action])).toEqual([["Leftover", "create"]])
        const warning = plan.sequences[0]!.warnings.find(
          (w) => w.path === "steps[0].providerOptions.apollo.exactDatetime"
        )
        expect(warning?.detail).toContain("Apollo ignores")
      })
  )

  it.scoped(
    "an update Apollo's PUT cannot write (a step's priority, note, date; a touch's thread) is blocked at plan, not refused at apply",
    () =>
      Effect.gen(function* () {
        const apolloSim = yield* ApolloSimulator.start({
          rateLimit: false,
          quirks: { readOneSequence: true },
          seed: {
            sequences: [
              {
                name: "Calls",
                emailer_steps: [
                  { type: "call", wait_time: 1, wait_mode: "day", priority: "high", note: "ask first" }
                ]
              },
              {
                name: "Mail",
                emailer_steps: [
                  { type: "auto_email", wait_time: 1, wait_mode: "day", emailer_touches: [touch("Hi")] }
                ]
              }
            ]
          }
        })
        const target = yield* apolloOn(apolloSim)
        const file = Either.getOrThrow(
          SequenceFile.parse(
            `version: 1
sequences:
  - name: Calls
    steps:
      - delay: 2 days
        type: call
        providerOptions: { apollo: { priority: low, note: ask first } }
  - name: Mail
    steps:
      - delay: 2 days
        email: { subject: Hi, html: <p>Hi</p> }
`,
            "s.yaml"
          )
        )
        const { plan, result } = yield* Effect.gen(function* () {
          const plan = yield* SequenceFile.plan({ file, target })
          const result = yield* Apply.apply(plan, { target })
          return { plan, result }
        }).pipe(Effect.provide(Journal.layerMemory))
        expect(
          plan.blocked.map((b) => [b.name, b.error._tag, b.error._tag === "Unsupported" && b.error.feature])
        ).toEqual([["Calls", "Unsupported", "steps[0].providerOptions.apollo.priority"]])
        expect(plan.blocked[0]!.error.message).toContain(
          'task priority (POST /sequences sets it when the sequence is created), so it cannot be set to "low"'
        )
        expect(plan.sequences.map((s) => [s.name, s.action])).toEqual([["Mail", "update"]])
        expect(result.outcomes.map((o) => [o.name, o.outcome])).toEqual([["Mail", "updated"]])
        const calls = apolloSim.state().sequences.find((s) => s.name === "Calls")!
        expect(calls.emailer_steps.map((s) => s.priority)).toEqual(["high"])
        // A change to that field alone is reported the same way, not planned as nothing to do.
        const alone = Either.getOrThrow(
          SequenceFile.parse(
            `version: 1
sequences:
  - name: Calls
    steps:
      - delay: 1 days
        type: call
        providerOptions: { apollo: { priority: low, note: ask first } }
`,
            "s.yaml"
          )
        )
        const again = yield* SequenceFile.plan({ file: alone, target }).pipe(
          Effect.provide(Journal.layerMemory)
        )
        expect(again.blocked.map((b) => b.error._tag === "Unsupported" && b.error.feature)).toEqual([
          "steps[0].providerOptions.apollo.priority"
        ])
      })
  )

  it.scoped(
    "a sequence's own options on an existing Apollo sequence: written where the PUT takes them, blocked at plan where only create does, unchanged once held",
    () =>
      Effect.gen(function* () {
        const mail = {
          type: "auto_email" as const,
          wait_time: 1,
          wait_mode: "day" as const,
          emailer_touches: [touch("Hi")]
        }
        const apolloSim = yield* ApolloSimulator.start({
          rateLimit: false,
          quirks: { readOneSequence: true },
          seed: {
            sequences: [
              { name: "Flags", settings: { mark_finished_if_reply: false }, emailer_steps: [mail] },
              { name: "Owner", emailer_steps: [mail] }
            ]
          }
        })
        const target = yield* apolloOn(apolloSim)
        const owner = "5f1e2d3c4b5a697887766554"
        const fileOf = (flag: boolean) =>
          Either.getOrThrow(
            SequenceFile.parse(
              `version: 1
sequences:
  - name: Flags
    providerOptions: { apollo: { createFlags: { mark_finished_if_reply: ${flag} } } }
    steps:
      - delay: 1 days
        email: { subject: Hi, html: <p>Hi</p> }
  - name: Owner
    providerOptions: { apollo: { userId: "${owner}", sharingPermission: { visibility: everyone } } }
    steps:
      - delay: 1 days
        email: { subject: Hi, html: <p>Hi</p> }
`,
              "s.yaml"
            )
          )
        const { plan, result, again, held } = yield* Effect.gen(function* () {
          const plan = yield* SequenceFile.plan({ file: fileOf(true), target })
          const result = yield* Apply.apply(plan, { target })
          const again = yield* SequenceFile.plan({ file: fileOf(true), target })
          const held = yield* SequenceFile.plan({ file: fileOf(false), target })
          return { plan, result, again, held }
        }).pipe(Effect.provide(Journal.layerMemory))
        // A flag Apollo takes only in POST /sequences: never planned as nothing to do, never sent.
        for (const p of [plan, again])
          expect(
            p.blocked.map((b) => [b.name, b.error._tag, b.error._tag === "Unsupported" && b.error.feature])
          ).toEqual([["Flags", "Unsupported", "providerOptions.apollo.createFlags"]])
        expect(plan.blocked[0]!.error.message).toContain("only when a sequence is created")
        const flags = apolloSim.state().sequences.find((s) => s.name === "Flags")!
        expect(flags.settings.mark_finished_if_reply).toBe(false)
        // The owner and the sharing are update fields: planned by name, written, then held.
        expect(plan.sequences.map((s) => [s.name, s.action])).toEqual([["Owner", "update"]])
        const change = plan.sequences[0]!.operations.find((o) => o.kind === "update")
        expect(change?.detail).toBe(
          "change providerOptions.apollo.userId, providerOptions.apollo.sharingPermission"
        )
        expect(result.outcomes.map((o) => [o.name, o.outcome])).toEqual([["Owner", "updated"]])
        const written = apolloSim.state().sequences.find((s) => s.name === "Owner")!
        expect([written.user_id, written.sharing_permission.visibility]).toEqual([owner, "everyone"])
        expect(again.sequences.map((s) => [s.name, s.action])).toEqual([["Owner", "unchanged"]])
        // The flag as Apollo holds it is no change at all.
        expect(held.blocked).toEqual([])
        expect(held.sequences.map((s) => [s.name, s.action])).toEqual([
          ["Flags", "unchanged"],
          ["Owner", "unchanged"]
        ])
      })
  )

  it.scoped(
    "a migration rerun: a source change Apollo's PUT cannot write blocks that sequence at plan, the others go on",
    () =>
      Effect.gen(function* () {
        const apolloSim = yield* ApolloSimulator.start({
          rateLimit: false,
          quirks: { readOneSequence: true }
        })
        const target = yield* apolloOn(apolloSim)
        const source = yield* Memory.make()
        const note = (n: string) => ({
          name: n,
          steps: [
            {
              delay: { value: 1, unit: "days" as const },
              type: "call" as const,
              providerOptions: { apollo: { note: "first" } }
            }
          ]
        })
        const calls = yield* source.create(note("Calls"))
        const mail = yield* source.create({
          name: "Mail",
          steps: [{ delay: { value: 1, unit: "days" }, email: { subject: "Hi", html: "<p>Hi</p>" } }]
        })
        yield* Effect.gen(function* () {
          yield* Apply.apply(yield* Migration.plan({ source, target }), { target })
          yield* source.updateStep(calls.id, calls.steps[0]!.id, {
            delay: { value: 2, unit: "days" },
            providerOptions: { apollo: { note: "second" } }
          })
          yield* source.updateStep(mail.id, mail.steps[0]!.id, { email: { subject: "Hello" } })
          const plan = yield* Migration.plan({ source, target })
          expect(
            plan.blocked.map((b) => [b.name, b.error._tag, b.error._tag === "Unsupported" && b.error.feature])
          ).toEqual([["Calls", "Unsupported", "steps[0].providerOptions.apollo.note"]])
          expect(plan.blocked[0]!.error.message).toContain("documents no step note")
          expect(plan.sequences.map((s) => [s.name, s.action])).toEqual([["Mail", "update"]])
          const result = yield* Apply.apply(plan, { target })
          expect(result.outcomes.map((o) => [o.name, o.outcome])).toEqual([["Mail", "updated"]])
        }).pipe(Effect.provide(Journal.layerMemory))
        const written = apolloSim.state().sequences.find((s) => s.name.startsWith("Calls"))!
        expect(written.emailer_steps.map((s) => s.note)).toEqual(["first"])
      })
  )
})
