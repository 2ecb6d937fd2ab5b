/**
 * Migrations between Kit and Apollo over the simulators (real HTTP): every warning kind in both
 * directions, and a run killed after each of its write requests in turn, resumed from its journal.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { Apply, Journal, Migration, type Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { ApolloSimulator, KitSimulator, OpenApiContract } from "@unisequence/testing"
import { applyWith, planWith } from "./journaled.js"
import { describe, expect, it as vitest } from "@effect/vitest"
import { Effect, Exit, Redacted, type Scope } from "effect"

const fast = { baseDelay: "5 millis", maxDelay: "50 millis" } as const

/** Interrupts the run right after the `killAt`-th write request has been answered, as a SIGKILL would. */
const killAfter =
  (killAt: number | undefined, counter: { writes: number }) => (client: HttpClient.HttpClient) =>
    HttpClient.transformResponse(client, (response) =>
      Effect.tap(response, (res) =>
        res.request.method === "GET"
          ? Effect.void
          : ++counter.writes === killAt
            ? Effect.interrupt
            : Effect.void
      )
    )

const kitOn = (
  sim: KitSimulator.KitSimulator,
  transformClient?: (c: HttpClient.HttpClient) => HttpClient.HttpClient
) =>
  Kit.make({
    apiKey: Redacted.make("kit_test_key"),
    baseUrl: sim.url,
    rateLimit: false,
    retry: fast,
    ...(transformClient === undefined ? {} : { transformClient })
  }).pipe(Effect.map(({ sequences }) => sequences))

const apolloOn = (
  sim: ApolloSimulator.ApolloSimulator,
  transformClient?: (c: HttpClient.HttpClient) => HttpClient.HttpClient
) =>
  Apollo.make({
    apiKey: Redacted.make("apollo_master_key"),
    baseUrl: sim.url,
    retry: fast,
    ...(transformClient === undefined ? {} : { transformClient })
  }).pipe(Effect.map(({ sequences }) => sequences))

const kitSeed: KitSimulator.Seed = {
  sequences: [
    {
      name: "Evergreen course",
      hold: true,
      repeat: true,
      email_address: "teacher@example.com",
      email_template_id: 7,
      send_days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      send_hour: 9,
      time_zone: "America/New_York",
      exclude_subscriber_sources: [{ type: "tag", ids: [12] }],
      emails: [
        {
          subject: "Lesson 1",
          content: "<p>One</p>",
          preview_text: "Start here",
          delay_value: 0,
          delay_unit: "days",
          published: true
        },
        {
          subject: "Lesson 2",
          content: "<p>Two</p>",
          delay_value: 2,
          delay_unit: "days",
          send_days: ["tuesday", "thursday"]
        },
        { subject: "Reminder", content: "<p>Soon</p>", delay_value: 6, delay_unit: "hours", published: true }
      ]
    },
    {
      name: "Webinar follow-up",
      send_days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      send_hour: 9,
      time_zone: "America/New_York",
      emails: [
        { subject: "Thanks for coming", content: "<p>Slides</p>", delay_value: 0, delay_unit: "days" },
        { subject: "Recording", content: "<p>Video</p>", delay_value: 1, delay_unit: "days" }
      ]
    }
  ]
}

/** Kit → Apollo; every sequence lands verified, then a second run writes nothing. */
const kitToApollo = (
  kitSim: KitSimulator.KitSimulator,
  apolloSim: ApolloSimulator.ApolloSimulator,
  killAt?: number
) =>
  Effect.gen(function* () {
    const source = yield* kitOn(kitSim)
    const counter = { writes: 0 }
    const target = yield* apolloOn(apolloSim, killAfter(killAt, counter))
    return { source, target, counter }
  })

const run = (source: Sequences.Sequences, target: Sequences.Sequences, journal: Journal.Journal) =>
  Migration.plan({ source, target }).pipe(
    Effect.flatMap((plan) => Apply.apply(plan, { target, concurrency: 1 })),
    Effect.provideService(Journal.Journal, journal)
  )

/** What the target holds, in a form two runs can be compared by: no ids, no timestamps. */
const apolloState = (sim: ApolloSimulator.ApolloSimulator) =>
  sim
    .state()
    .sequences.filter((s) => !s.archived)
    .map((s) => ({
      name: s.name,
      active: s.active,
      steps: s.emailer_steps.map((step) => ({
        type: step.type,
        wait: [step.wait_time, step.wait_mode],
        touches: step.emailer_touches.map((t) => [
          t.type,
          t.status,
          t.emailer_template?.subject,
          t.emailer_template?.body_html
        ])
      }))
    }))
    .sort((a, b) => a.name.localeCompare(b.name))

const kitState = (sim: KitSimulator.KitSimulator) =>
  sim
    .state()
    .sequences.map((s) => ({
      name: s.name,
      active: s.active,
      schedule: [s.send_days, s.send_hour, s.time_zone],
      emails: s.emails.map((e) => [
        e.subject,
        e.content,
        e.delay_value,
        e.delay_unit,
        e.published,
        e.send_days
      ])
    }))
    .sort((a, b) => a.name.localeCompare(b.name))

const apolloSeed: ApolloSimulator.Seed = {
  sequences: [
    {
      name: "Outbound Q3",
      label_names: ["outbound"],
      cc_emails: "boss@example.com",
      max_emails_per_day: 50,
      emailer_steps: [
        {
          type: "auto_email",
          wait_time: 0,
          wait_mode: "day",
          emailer_touches: [
            {
              type: "new_thread",
              status: "approved",
              emailer_template: { subject: "Quick question", body_html: "<p>Hi</p>" }
            },
            {
              type: "new_thread",
              status: "to_be_reviewed",
              emailer_template: { subject: "A question", body_html: "<p>Hey</p>" }
            }
          ]
        },
        {
          type: "auto_email",
          wait_time: 90,
          wait_mode: "minute",
          priority: "high",
          emailer_touches: [
            {
              type: "reply_to_thread",
              status: "approved",
              emailer_template: { subject: "", body_html: "<p>Bump</p>" }
            }
          ]
        },
        {
          type: "auto_email",
          wait_time: 3,
          wait_mode: "day",
          emailer_touches: [
            {
              type: "new_thread",
              status: "to_be_reviewed",
              emailer_template: { subject: "Last try", body_html: "<p>Bye</p>" }
            }
          ]
        }
      ]
    },
    {
      name: "Call cadence",
      emailer_steps: [{ type: "call", wait_time: 1, wait_mode: "day", note: "Call them" }]
    }
  ]
}

const profiles = ["documented", "observed"] as const
type Profile = (typeof profiles)[number]

/** A Kit simulator on `profile`, with no rate limit. */
const kitSimOn = (profile: Profile, seed?: KitSimulator.Seed) =>
  KitSimulator.start({ profile, rateLimit: false, ...(seed === undefined ? {} : { seed }) })

/** An Apollo simulator on `profile` that serves the single-sequence read, with no rate limit. */
const apolloSimOn = (profile: Profile, seed?: ApolloSimulator.Seed) =>
  ApolloSimulator.start({
    profile,
    quirks: { readOneSequence: true },
    rateLimit: false,
    ...(seed === undefined ? {} : { seed })
  })

/** Kit → Apollo on one profile: both simulators (Kit holding `kitSeed`), both adapters, a journal. */
const kitToApolloLane = (profile: Profile) =>
  Effect.gen(function* () {
    const kitSim = yield* kitSimOn(profile, kitSeed)
    const apolloSim = yield* apolloSimOn(profile)
    const { source, target } = yield* kitToApollo(kitSim, apolloSim)
    return { kitSim, apolloSim, source, target, journal: yield* Journal.makeMemory() }
  })

/**
 * What the adapters sent in this test (and, on the documented profile, what the simulators answered)
 * is valid under the providers' own documents; each simulator saw requests.
 */
const contractsHold = (
  profile: Profile,
  ...sims: ReadonlyArray<KitSimulator.KitSimulator | ApolloSimulator.ApolloSimulator>
) => {
  for (const sim of sims) {
    const provider = sim.requests.some((r) => r.path.startsWith("/v4/")) ? "kit" : "apollo"
    expect(sim.requests.length, provider).toBeGreaterThan(0)
    const check = OpenApiContract.checkProvider(provider, sim.requests, { answers: profile === "documented" })
    if (check !== undefined) expect(check.failures, provider).toEqual([])
  }
}

/**
 * For each write request of an uninterrupted run in turn: a run killed right after it, then the same
 * run resumed from its journal, ends with the target as the uninterrupted run left it.
 */
const resumesAfterEachKill = (options: {
  readonly profile: Profile
  readonly writes: number
  readonly target: KitSimulator.KitSimulator | ApolloSimulator.ApolloSimulator
  readonly expected: unknown
  readonly state: () => unknown
  readonly killedRun: (
    killAt: number,
    journal: Journal.Journal
  ) => Effect.Effect<unknown, unknown, HttpClient.HttpClient>
  readonly resumedRun: (
    journal: Journal.Journal
  ) => Effect.Effect<Apply.Result, unknown, HttpClient.HttpClient>
}) =>
  Effect.gen(function* () {
    for (let killAt = 1; killAt <= options.writes; killAt++) {
      options.target.reset()
      const journal = yield* Journal.makeMemory()
      expect(
        Exit.isInterrupted(yield* Effect.exit(options.killedRun(killAt, journal))),
        `kill ${killAt}`
      ).toBe(true)
      const result = yield* options.resumedRun(journal)
      expect(
        result.outcomes.every((o) => o.verification !== "differs"),
        `kill ${killAt}`
      ).toBe(true)
      expect(options.state(), `kill ${killAt}`).toEqual(options.expected)
      contractsHold(options.profile, options.target)
    }
  })

/**
 * Each test on its own `FetchHttpClient`, with live services (they talk to real servers). Not
 * `layer(...)`: @effect/vitest 0.30's `layer` assigns its block's runtime onto the shared `it`
 * (`Object.assign(it, …)`), so in a worker that runs file after file (`isolate: false`) every later
 * file's `it.effect` ran on this file's layer: with its test services, a test clock these tests had
 * advanced; without them, no test clock at all.
 */
const it = {
  scoped: <A, E>(
    name: string,
    self: () => Effect.Effect<A, E, Scope.Scope | HttpClient.HttpClient>,
    timeout?: number
  ) => vitest.scopedLive(name, () => Effect.provide(self(), FetchHttpClient.layer), timeout)
}

describe("migrations over the simulators", () => {
  for (const profile of profiles) {
    describe(`Kit → Apollo (${profile} profile)`, () => {
      it.scoped(
        "plans every warning in words, applies inactive and unapproved, verifies, then has nothing to do",
        () =>
          Effect.gen(function* () {
            const { kitSim, apolloSim, source, target, journal } = yield* kitToApolloLane(profile)
            const plan = yield* planWith(source, target, journal)
            const evergreen = plan.sequences.find((s) => s.name === "Evergreen course")!
            const byPath = new Map(evergreen.warnings.map((w) => [w.path, w]))
            for (const [path, kind] of [
              ["sender", "dropped"],
              ["templateId", "dropped"],
              ["reentry", "dropped"],
              ["holdAfterLastStep", "dropped"],
              ["exclusions", "dropped"],
              ["schedule", "approximated"],
              ["steps[0].email.previewText", "dropped"],
              ["steps[1].sendDays", "dropped"]
            ] as const) {
              expect(byPath.get(path)?.kind, path).toBe(kind)
              expect(byPath.get(path)?.detail.length).toBeGreaterThan(20)
            }
            expect(apolloSim.requests.filter((r) => r.method !== "GET" && r.operation !== "search")).toEqual(
              []
            )

            const result = yield* applyWith(plan, target, journal)
            expect(result.outcomes.map((o) => o.verification)).toEqual(["verified", "verified"])
            const state = apolloState(apolloSim)
            expect(state.map((s) => s.name)).toEqual(["Evergreen course", "Webinar follow-up"])
            expect(state.every((s) => !s.active)).toBe(true)
            expect(state.flatMap((s) => s.steps.flatMap((st) => st.touches.map((t) => t[1])))).not.toContain(
              "approved"
            )
            expect(state[0]?.steps.map((s) => s.wait)).toEqual([
              [0, "day"],
              [2, "day"],
              [6, "hour"]
            ])

            contractsHold(profile, kitSim, apolloSim)
            apolloSim.clearLog()
            const again = yield* planWith(source, target, journal)
            expect(again.sequences.map((s) => s.action)).toEqual(["unchanged", "unchanged"])
            yield* applyWith(again, target, journal)
            expect(apolloSim.requests.filter((r) => r.method !== "GET" && r.operation !== "search")).toEqual(
              []
            )
            contractsHold(profile, kitSim, apolloSim)
          })
      )

      it.scoped(
        "a rerun after the user approved and activated in Apollo and fixed a typo in Kit keeps Apollo live and lists only real changes",
        () =>
          Effect.gen(function* () {
            const { kitSim, apolloSim, source, target, journal } = yield* kitToApolloLane(profile)
            const first = yield* run(source, target, journal)
            const webinar = first.outcomes.find((o) => o.name === "Webinar follow-up")!
            // The user, in Apollo: approves every touch, activates the sequence.
            const live = yield* target.get(webinar.targetId!)
            yield* target.replaceSteps(
              webinar.targetId!,
              live.steps.map(({ raw: _raw, ...step }) => ({ ...step, published: true }))
            )
            yield* target.setActive(webinar.targetId!, true)
            // …and, in Kit, fixes a typo.
            const kitWebinar = (yield* source.get(webinar.key)).steps[1]!
            yield* source.updateStep(webinar.key, kitWebinar.id, { email: { subject: "The recording" } })

            const plan = yield* planWith(source, target, journal)
            const planned = plan.sequences.find((s) => s.name === "Webinar follow-up")!
            const evergreen = plan.sequences.find((s) => s.name === "Evergreen course")!
            expect(planned.action).toBe("update")
            const details = planned.operations.map((o) => o.detail).join("; ")
            expect(details).toContain("step 2: subject")
            expect(details).not.toMatch(/reentry|holdAfterLastStep|exclusions|activate/)
            expect(evergreen.action).toBe("unchanged")
            expect(plan.reads).toBeGreaterThan(0)
            yield* applyWith(plan, target, journal)
            const after = apolloState(apolloSim).find((s) => s.name === "Webinar follow-up")!
            expect(after.active).toBe(true)
            expect(after.steps.flatMap((st) => st.touches.map((t) => [t[1], t[2]]))).toEqual([
              ["approved", "Thanks for coming"],
              ["approved", "The recording"]
            ])
            contractsHold(profile, kitSim, apolloSim)
          })
      )

      it.scoped(
        "the plan reads Apollo's team schedules: names the one it will use, blocks what none matches",
        () =>
          Effect.gen(function* () {
            const kitSim = yield* kitSimOn(profile, {
              sequences: [
                ...(kitSeed.sequences ?? []),
                {
                  name: "Weekend in Tokyo",
                  send_days: ["saturday"],
                  send_hour: 3,
                  time_zone: "Asia/Tokyo",
                  emails: [{ subject: "Hi", content: "<p>Hi</p>", delay_value: 0, delay_unit: "days" }]
                }
              ]
            })
            const apolloSim = yield* apolloSimOn(profile)
            const { source, target } = yield* kitToApollo(kitSim, apolloSim)
            const journal = yield* Journal.makeMemory()
            const plan = yield* planWith(source, target, journal)
            expect(plan.blocked.map((b) => [b.name, b.error._tag])).toEqual([
              ["Weekend in Tokyo", "InvalidInput"]
            ])
            expect(plan.blocked[0]!.error.message).toContain("no team schedule sends on saturday")
            const webinar = plan.sequences.find((s) => s.name === "Webinar follow-up")!
            expect(webinar.warnings.find((w) => w.path === "schedule")?.detail).toMatch(
              /written as the team schedule "/
            )
            expect(apolloSim.requests.filter((r) => r.method !== "GET" && r.operation !== "search")).toEqual(
              []
            )
            const result = yield* applyWith(plan, target, journal)
            expect(result.outcomes.map((o) => o.verification)).toEqual(["verified", "verified"])
            expect(result.failed).toEqual([])
            contractsHold(profile, kitSim, apolloSim)
          })
      )

      it.scoped(
        "a sequence deleted from Apollo is created again; another account behind the same journal too",
        () =>
          Effect.gen(function* () {
            const { kitSim, apolloSim, source, target, journal } = yield* kitToApolloLane(profile)
            yield* run(source, target, journal)
            contractsHold(profile, kitSim, apolloSim)
            apolloSim.reset()
            const plan = yield* planWith(source, target, journal)
            expect(plan.sequences.map((s) => s.action)).toEqual(["create", "create"])
            const result = yield* applyWith(plan, target, journal)
            expect(result.outcomes.map((o) => o.verification)).toEqual(["verified", "verified"])
            expect(apolloState(apolloSim).map((s) => s.name)).toEqual([
              "Evergreen course",
              "Webinar follow-up"
            ])
            contractsHold(profile, kitSim, apolloSim)
          })
      )

      it.scoped(
        "killed after each of its write requests in turn, resumes to the uninterrupted result with no duplicate",
        () =>
          Effect.gen(function* () {
            const kitSim = yield* kitSimOn(profile, kitSeed)
            const reference = yield* apolloSimOn(profile)
            const whole = yield* kitToApollo(kitSim, reference)
            yield* run(whole.source, whole.target, yield* Journal.makeMemory())
            const expected = apolloState(reference)
            contractsHold(profile, reference)
            const writes = whole.counter.writes
            expect(writes).toBeGreaterThanOrEqual(4)

            const apolloSim = yield* apolloSimOn(profile)
            yield* resumesAfterEachKill({
              profile,
              writes,
              target: apolloSim,
              expected,
              state: () => apolloState(apolloSim),
              killedRun: (killAt, journal) =>
                Effect.flatMap(kitToApollo(kitSim, apolloSim, killAt), (killed) =>
                  run(killed.source, killed.target, journal)
                ),
              resumedRun: (journal) =>
                Effect.flatMap(kitToApollo(kitSim, apolloSim), (resumed) =>
                  run(resumed.source, resumed.target, journal)
                )
            })
            console.log(
              `Kit → Apollo: killed after each of ${writes} write requests; every resume matched, 0 duplicates`
            )
            contractsHold(profile, kitSim, apolloSim)
          })
      )
    })

    describe(`Apollo → Kit (${profile} profile)`, () => {
      it.scoped(
        "approximates minutes, replies and schedules, drops what Kit cannot hold, blocks call steps",
        () =>
          Effect.gen(function* () {
            const apolloSim = yield* apolloSimOn(profile, apolloSeed)
            const kitSim = yield* kitSimOn(profile)
            const source = yield* apolloOn(apolloSim)
            const target = yield* kitOn(kitSim)
            const journal = yield* Journal.makeMemory()
            const plan = yield* planWith(source, target, journal)
            expect(plan.blocked.map((b) => [b.name, b.error._tag])).toEqual([["Call cadence", "Unsupported"]])
            const outbound = plan.sequences[0]!
            const byPath = new Map(outbound.warnings.map((w) => [w.path, w]))
            // Apollo's document answers label ids only; names come back in `observed`.
            if (profile === "observed") expect(byPath.get("labels")?.kind).toBe("dropped")
            for (const [path, kind] of [
              ["providerOptions.apollo.labelIds", "dropped"],
              ["cc", "dropped"],
              ["limits.maxEmailsPerDay", "dropped"],
              ["schedule", "approximated"],
              ["steps[0].variants", "dropped"],
              ["steps[1].delay", "approximated"],
              ["steps[1].email.thread", "approximated"],
              ["steps[1].email.subject", "approximated"],
              ["steps[1].providerOptions.apollo.priority", "dropped"]
            ] as const) {
              expect(byPath.get(path)?.kind, path).toBe(kind)
            }
            expect(kitSim.requests.filter((r) => r.method !== "GET")).toEqual([])

            const result = yield* applyWith(plan, target, journal)
            expect(result.outcomes.map((o) => o.verification)).toEqual(["verified"])
            const [kit] = kitState(kitSim)
            expect(kit?.name).toBe("Outbound Q3")
            expect(kit?.active).toBe(false)
            // Business hours, Monday to Friday from 9 in New York: Kit's weekly schedule at 9.
            expect(kit?.schedule).toEqual([
              ["monday", "tuesday", "wednesday", "thursday", "friday"],
              9,
              "America/New_York"
            ])
            expect(kit?.emails.map((e) => [e[0], e[2], e[3], e[4]])).toEqual([
              ["Quick question", 0, "days", false],
              ["Re: Quick question", 2, "hours", false],
              ["Last try", 3, "days", false]
            ])

            contractsHold(profile, apolloSim, kitSim)
            kitSim.clearLog()
            const again = yield* planWith(source, target, journal)
            yield* applyWith(again, target, journal)
            expect(kitSim.requests.filter((r) => r.method !== "GET")).toEqual([])
            contractsHold(profile, apolloSim, kitSim)
          })
      )

      it.scoped("a sequence deleted from Kit is created again with a notice, not a failure", () =>
        Effect.gen(function* () {
          const apolloSim = yield* apolloSimOn(profile, apolloSeed)
          const kitSim = yield* kitSimOn(profile)
          const source = yield* apolloOn(apolloSim)
          const target = yield* kitOn(kitSim)
          const journal = yield* Journal.makeMemory()
          const first = yield* run(source, target, journal)
          const written = first.outcomes.find((o) => o.name === "Outbound Q3")!
          // The user deletes it in Kit.
          yield* target.remove(written.targetId!)
          expect(kitState(kitSim)).toEqual([])
          const plan = yield* planWith(source, target, journal)
          const planned = plan.sequences.find((s) => s.name === "Outbound Q3")!
          expect(planned.action).toBe("create")
          expect(planned.warnings.find((w) => w.kind === "notice")?.detail).toContain(
            `${written.targetId}, written by an earlier run, is no longer in Kit`
          )
          const result = yield* applyWith(plan, target, journal)
          expect(result.failed).toEqual([])
          expect(result.outcomes.map((o) => [o.outcome, o.verification])).toEqual([["created", "verified"]])
          expect(kitState(kitSim).map((s) => s.name)).toEqual(["Outbound Q3"])
          contractsHold(profile, apolloSim, kitSim)
        })
      )

      it.scoped("killed after each of its write requests in turn, resumes with no duplicate email", () =>
        Effect.gen(function* () {
          const apolloSim = yield* apolloSimOn(profile, apolloSeed)
          const source = yield* apolloOn(apolloSim)
          const reference = yield* kitSimOn(profile)
          const counter = { writes: 0 }
          yield* run(
            source,
            yield* kitOn(reference, killAfter(undefined, counter)),
            yield* Journal.makeMemory()
          )
          const expected = kitState(reference)
          contractsHold(profile, reference)
          const writes = counter.writes
          expect(writes).toBeGreaterThanOrEqual(4)

          const kitSim = yield* kitSimOn(profile)
          yield* resumesAfterEachKill({
            profile,
            writes,
            target: kitSim,
            expected,
            state: () => kitState(kitSim),
            killedRun: (killAt, journal) =>
              Effect.flatMap(kitOn(kitSim, killAfter(killAt, { writes: 0 })), (killed) =>
                run(source, killed, journal)
              ),
            resumedRun: (journal) => Effect.flatMap(kitOn(kitSim), (target) => run(source, target, journal))
          })
          console.log(
            `Apollo → Kit: killed after each of ${writes} write requests; every resume matched, 0 duplicates`
          )
          contractsHold(profile, apolloSim, kitSim)
        })
      )
    })
  }
})
