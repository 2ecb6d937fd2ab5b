/**
 * ApolloSimulator over real HTTP (global fetch, loopback): documented bodies and statuses, replace
 * semantics, keys and scopes, rate limits, overlapping writes, seed/reset/log and fault injection.
 * Responses of documented endpoints are validated against Apollo's own OpenAPI document when present.
 */
import { it as effectIt } from "@effect/vitest"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import * as ApolloSimulator from "../src/ApolloSimulator.js"
import * as OpenApiContract from "../src/OpenApiContract.js"

const KEY = ApolloSimulator.defaultMasterKey
const { contract } = OpenApiContract.loadForTest("apollo-sequences-openapi.json")

// ---- helpers: defensive reads of unknown JSON, no casts ----

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const list = (u: unknown): ReadonlyArray<unknown> => (Array.isArray(u) ? u : [])

/** `get(body, "emailer_steps", 0, "id")`: undefined as soon as a step of the path is missing. */
const get = (u: unknown, ...path: ReadonlyArray<string | number>): unknown => {
  let node: unknown = u
  for (const key of path) {
    if (typeof key === "number") node = list(node)[key]
    else node = isObject(node) ? node[key] : undefined
  }
  return node
}

const str = (u: unknown): string => {
  if (typeof u !== "string") throw new Error("expected a string, got " + JSON.stringify(u))
  return u
}

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly body: unknown
}

interface Call {
  readonly body?: unknown
  /** null: send no key. */
  readonly key?: string | null
  readonly headers?: Readonly<Record<string, string>>
  readonly signal?: AbortSignal
}

const parse = (text: string): unknown => {
  try {
    const value: unknown = JSON.parse(text)
    return value
  } catch {
    return undefined
  }
}

const call = async (
  sim: ApolloSimulator.ApolloSimulator,
  method: string,
  path: string,
  init: Call = {}
): Promise<Reply> => {
  const headers: Record<string, string> = { "user-agent": "unisequence-tests", ...init.headers }
  const key = init.key === undefined ? KEY : init.key
  if (key !== null) headers["x-api-key"] = key
  if (init.body !== undefined) headers["content-type"] = "application/json"
  const res = await fetch(sim.url + "/api/v1" + path, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal === undefined ? {} : { signal: init.signal })
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, body: parse(text) }
}

/** Checks a response against Apollo's document (skipped when ../shared is absent). */
const expectDocumented = (method: string, path: string, reply: Reply): void => {
  if (contract === undefined) return
  const contentType = reply.headers.get("content-type")
  const result = contract.validateResponse(
    method,
    "/api/v1" + path,
    reply.status,
    reply.body,
    contentType === null ? undefined : { contentType }
  )
  expect(result.errors).toEqual([])
}

const steps = [
  {
    type: "auto_email",
    wait_time: 0,
    wait_mode: "minute",
    emailer_touches: [
      {
        type: "new_thread",
        status: "approved",
        emailer_template: { subject: "Hi {{first_name}}", body_html: "<p>Hi</p>" }
      }
    ]
  },
  {
    type: "auto_email",
    wait_time: 3,
    wait_mode: "day",
    emailer_touches: [
      { type: "reply_to_thread", emailer_template: { subject: "", body_html: "<p>Bump</p>" } }
    ]
  },
  { type: "call", wait_time: 1, wait_mode: "hour", priority: "high", note: "Call them" }
]

const create = async (
  sim: ApolloSimulator.ApolloSimulator,
  body: unknown = { name: "Q3 Outbound", emailer_steps: steps }
) => {
  const reply = await call(sim, "POST", "/sequences", { body })
  expect(reply.status).toBe(200)
  return { reply, id: str(get(reply.body, "emailer_campaign", "id")) }
}

const sequenceIn = (sim: ApolloSimulator.ApolloSimulator, id: string): ApolloSimulator.SequenceState => {
  const found = sim.state().sequences.find((s) => s.id === id)
  if (found === undefined) throw new Error("no sequence " + id)
  return found
}

const hex24 = /^[0-9a-f]{24}$/

let sim: ApolloSimulator.ApolloSimulator

describe("ApolloSimulator", () => {
  beforeEach(async () => {
    sim = await ApolloSimulator.startAsync()
  })
  afterEach(async () => {
    await sim.close()
  })

  describe("reference endpoints", () => {
    it("lists the default schedule and email account", async () => {
      const schedules = await call(sim, "GET", "/emailer_schedules")
      expect(schedules.status).toBe(200)
      expect(get(schedules.body, "emailer_schedules", 0, "name")).toBe("Business hours")
      expect(get(schedules.body, "emailer_schedules", 0, "time_zone")).toBe("America/New_York")
      expect(get(schedules.body, "emailer_schedules", 0, "schedule_hash", "monday")).toEqual([[9, 17]])
      expect(get(schedules.body, "emailer_schedules", 0, "schedule_hash", "saturday")).toBeUndefined()
      expectDocumented("GET", "/emailer_schedules", schedules)
      const accounts = await call(sim, "GET", "/email_accounts")
      expect(accounts.status).toBe(200)
      expect(str(get(accounts.body, "email_accounts", 0, "id"))).toMatch(hex24)
      expect(get(accounts.body, "email_accounts", 0, "active")).toBe(true)
      expectDocumented("GET", "/email_accounts", accounts)
    })

    it("answers 400 to a body that is not JSON, without writing", async () => {
      const res = await fetch(sim.url + "/api/v1/sequences", {
        method: "POST",
        headers: { "x-api-key": KEY, "content-type": "application/json" },
        body: "{ name: "
      })
      expect(res.status).toBe(400)
      expect(sim.state().sequences).toHaveLength(0)
      expect(sim.requests[0]?.body).toBeNull()
    })

    it("answers an unknown path with a 404 page", async () => {
      const reply = await call(sim, "GET", "/nothing_here")
      expect(reply.status).toBe(404)
    })
  })

  describe("authentication and scopes", () => {
    it("answers 401 in plain text without a key, with a wrong key, or with a bearer header", async () => {
      for (const init of [
        { key: null },
        { key: "wrong" },
        { key: null, headers: { authorization: "Bearer " + KEY } }
      ]) {
        const reply = await call(sim, "GET", "/emailer_schedules", init)
        expect(reply.status).toBe(401)
        expect(reply.headers.get("content-type")).toMatch(/^text\/plain/)
        expect(reply.text).toMatch(/^Invalid API key\./)
        expect(reply.body).toBeUndefined()
        expect(reply.headers.get("x-minute-usage")).toBeNull()
      }
    })

    it("lets a scoped key reach its endpoints only, with the documented 403", async () => {
      const scoped = await ApolloSimulator.startAsync({
        scopedKeys: { search_only: [ApolloSimulator.Scopes.search] }
      })
      try {
        const ok = await call(scoped, "POST", "/emailer_campaigns/search", { key: "search_only" })
        expect(ok.status).toBe(200)
        const denied = await call(scoped, "POST", "/sequences", { key: "search_only", body: { name: "x" } })
        expect(denied.status).toBe(403)
        expect(denied.body).toEqual({
          error:
            "This API key is not authorized to access api/v1/sequences/create. Request an API key from your administrator that includes this endpoint in its configured scope.",
          error_code: "API_INACCESSIBLE"
        })
        expectDocumented("POST", "/sequences", denied)
        expect(scoped.state().sequences).toHaveLength(0)
        const update = await call(scoped, "PUT", "/sequences/66e9e215ece19801b219997f", {
          key: "search_only",
          body: {}
        })
        expect(get(update.body, "error")).toMatch(/api\/v1\/sequences\/update/)
        expect(scoped.requests.map((r) => r.keyKind)).toEqual(["scoped", "scoped", "scoped"])
        expect(JSON.stringify(scoped.requests)).not.toContain("search_only")
      } finally {
        await scoped.close()
      }
    })

    it("names one scope per operation", () => {
      expect(Object.keys(ApolloSimulator.Scopes).sort()).toEqual([...ApolloSimulator.Operations].sort())
      expect(ApolloSimulator.Scopes.updateSequence).toBe("api/v1/sequences/update")
      expect(ApolloSimulator.Scopes.approve).toBe("api/v1/emailer_campaigns/approve")
      expect(new Set(Object.values(ApolloSimulator.Scopes)).size).toBe(ApolloSimulator.Operations.length)
    })
  })

  describe("POST /sequences", () => {
    it("creates steps in array order with one-based positions, touches and templates", async () => {
      const { reply, id } = await create(sim)
      expect(id).toMatch(hex24)
      expectDocumented("POST", "/sequences", reply)
      const body = reply.body
      expect(get(body, "emailer_campaign", "active")).toBe(false)
      expect(get(body, "emailer_campaign", "creation_type")).toBe("new")
      expect(get(body, "emailer_campaign", "num_steps")).toBe(3)
      expect(get(body, "emailer_campaign", "unique_delivered")).toBe("loading")
      expect(get(body, "emailer_campaign", "cc_emails")).toBe("")
      expect(get(body, "emailer_campaign", "emailer_schedule_id")).toBe(sim.state().schedules[0]?.id)
      expect(list(get(body, "emailer_steps")).map((s) => [get(s, "position"), get(s, "type")])).toEqual([
        [1, "auto_email"],
        [2, "auto_email"],
        [3, "call"]
      ])
      const touches = list(get(body, "emailer_touches"))
      expect(touches).toHaveLength(2)
      expect(get(touches, 0, "emailer_step_id")).toBe(get(body, "emailer_steps", 0, "id"))
      expect(get(touches, 0, "status")).toBe("approved")
      expect(get(touches, 1, "type")).toBe("reply_to_thread")
      expect(get(touches, 1, "status")).toBe("to_be_reviewed")
      const templates = list(get(body, "emailer_templates"))
      expect(get(templates, 0, "id")).toBe(get(touches, 0, "emailer_template_id"))
      expect(get(templates, 0, "body_html")).toBe("<p>Hi</p>")
      const state = sequenceIn(sim, id)
      expect(state.emailer_steps.map((s) => s.position)).toEqual([1, 2, 3])
      expect(state.emailer_steps[2]).toMatchObject({
        type: "call",
        wait_mode: "hour",
        priority: "high",
        note: "Call them"
      })
      expect(state.sharing_permission).toMatchObject({ visibility: "restricted", access_type: null })
    })

    it("keeps create-only flags, labels and limits, and ignores user_id", async () => {
      const { reply, id } = await create(sim, {
        name: "Flags",
        user_id: "000000000000000000000001",
        mark_finished_if_reply: false,
        mark_paused_if_ooo: true,
        label_names: ["Outbound", "Q3"],
        max_emails_per_day: 40,
        same_account_reply_delay_days: 1000
      })
      expect(get(reply.body, "emailer_campaign", "mark_finished_if_reply")).toBe(false)
      expect(get(reply.body, "emailer_campaign", "creation_type")).toBe("draft")
      expect(list(get(reply.body, "emailer_campaign", "label_ids"))).toHaveLength(2)
      const state = sequenceIn(sim, id)
      expect(state.user_id).toBe(sim.state().userId)
      expect(state.label_names).toEqual(["Outbound", "Q3"])
      expect(state.max_emails_per_day).toBe(40)
      expect(state.settings).toEqual({ mark_finished_if_reply: false, mark_paused_if_ooo: true })
    })

    it.each([
      ["no name", {}, "Name can't be blank"],
      ["no wait time", { name: "x", emailer_steps: [{ type: "auto_email" }] }, "Wait time must not be empty"],
      [
        "a bad step type",
        { name: "x", emailer_steps: [{ type: "email", wait_time: 1, wait_mode: "day" }] },
        /type must be/
      ],
      [
        "a bad wait mode",
        { name: "x", emailer_steps: [{ type: "call", wait_time: 1, wait_mode: "week" }] },
        /wait_mode/
      ],
      [
        "an approved touch with no body",
        {
          name: "x",
          emailer_steps: [
            {
              type: "auto_email",
              wait_time: 1,
              wait_mode: "day",
              emailer_touches: [{ status: "approved", emailer_template: { subject: "s", body_html: " " } }]
            }
          ]
        },
        "Please make sure your template has content before turning it on."
      ],
      [
        "a reply before any thread",
        {
          name: "x",
          emailer_steps: [
            {
              type: "auto_email",
              wait_time: 1,
              wait_mode: "day",
              emailer_touches: [{ type: "reply_to_thread" }]
            }
          ]
        },
        /reply_to_thread/
      ],
      ["activation without steps", { name: "x", active: true }, /at least 1 step/],
      [
        "a schedule of another team",
        { name: "x", emailer_schedule_id: "5f0000000000000000000000" },
        /schedule/
      ],
      [
        "a reply delay over 1000",
        { name: "x", same_account_reply_delay_days: 1001 },
        /less than or equal to 1000/
      ],
      ["a string for a number", { name: "x", max_emails_per_day: "10" }, /max_emails_per_day/],
      [
        "touches on an action item",
        {
          name: "x",
          emailer_steps: [{ type: "action_item", wait_time: 1, wait_mode: "day", emailer_touches: [{}] }]
        },
        /Touches/
      ]
    ])("answers 422 for %s and writes nothing", async (_label, body, message) => {
      const reply = await call(sim, "POST", "/sequences", { body })
      expect(reply.status).toBe(422)
      expect(get(reply.body, "error")).toMatch(message)
      expect(sim.state().sequences).toHaveLength(0)
    })

    it("refuses an empty schedule with the documented message", async () => {
      const empty = await ApolloSimulator.startAsync({
        seed: { schedules: [{ id: "6095a711bd01d100a506d500", name: "Empty", schedule_hash: {} }] }
      })
      try {
        const reply = await call(empty, "POST", "/sequences", {
          body: { name: "x", emailer_schedule_id: "6095a711bd01d100a506d500" }
        })
        expect(reply.status).toBe(422)
        expect(get(reply.body, "error")).toMatch(
          /^The schedule you are trying to attach to this sequence is empty/
        )
        expectDocumented("POST", "/sequences", reply)
      } finally {
        await empty.close()
      }
    })

    it("enforces the plan: A/B tests and step counts", async () => {
      const limited = await ApolloSimulator.startAsync({ plan: { abTesting: false, maxStepsPerSequence: 1 } })
      try {
        const ab = await call(limited, "POST", "/sequences", {
          body: {
            name: "x",
            emailer_steps: [{ type: "auto_email", wait_time: 1, wait_mode: "day", emailer_touches: [{}, {}] }]
          }
        })
        expect(ab.body).toEqual({
          error: "Your current plan does not allow A/B Testing.",
          code: "ab_testing_limit"
        })
        const many = await call(limited, "POST", "/sequences", { body: { name: "x", emailer_steps: steps } })
        expect(get(many.body, "error")).toMatch(/^Your plan is limited to 1 sequence steps/)
      } finally {
        await limited.close()
      }
    })

    it("requires future, increasing exact datetimes when sequencing by exact daytime", async () => {
      const at = (ms: number) => new Date(Date.now() + ms).toISOString()
      const bad = await call(sim, "POST", "/sequences", {
        body: {
          name: "x",
          sequence_by_exact_daytime: true,
          emailer_steps: [
            { type: "call", exact_datetime: at(3_600_000) },
            { type: "call", exact_datetime: at(1_000) }
          ]
        }
      })
      expect(bad.status).toBe(422)
      const good = await call(sim, "POST", "/sequences", {
        body: {
          name: "x",
          sequence_by_exact_daytime: true,
          emailer_steps: [{ type: "call", exact_datetime: at(60_000) }]
        }
      })
      expect(good.status).toBe(200)
    })
  })

  describe("GET /emailer_campaigns (observed)", () => {
    // Not in the document: served by the observed profile.
    beforeEach(async () => {
      await sim.close()
      sim = await ApolloSimulator.startAsync({ profile: "observed" })
    })

    it("returns one sequence with its steps, touches and templates", async () => {
      const { id } = await create(sim)
      const reply = await call(sim, "GET", "/emailer_campaigns/" + id)
      expect(reply.status).toBe(200)
      expect(Object.keys(isObject(reply.body) ? reply.body : {}).sort()).toEqual([
        "emailer_campaign",
        "emailer_steps",
        "emailer_templates",
        "emailer_touches"
      ])
      expect(get(reply.body, "emailer_campaign", "id")).toBe(id)
      expect(list(get(reply.body, "emailer_steps"))).toHaveLength(3)
      expect(list(get(reply.body, "emailer_templates"))).toHaveLength(2)
    })

    it("answers 404 with the documented body", async () => {
      const reply = await call(sim, "GET", "/emailer_campaigns/66e9e215ece19801b219997f")
      expect(reply.status).toBe(404)
      expect(reply.body).toEqual({ error: "Record not found." })
    })

    it("creates an empty sequence on a GET without id, as Apollo reportedly does", async () => {
      const reply = await call(sim, "GET", "/emailer_campaigns")
      expect(reply.status).toBe(200)
      expect(sim.state().sequences).toHaveLength(1)
      expect(sim.state().sequences[0]?.emailer_steps).toEqual([])
      expect(sim.requests[0]?.operation).toBe("listCampaigns")
    })
  })

  describe("PUT /sequences/{id}", () => {
    it("leaves steps untouched without emailer_steps", async () => {
      const { id } = await create(sim)
      const before = sequenceIn(sim, id).emailer_steps
      const reply = await call(sim, "PUT", "/sequences/" + id, {
        body: { name: "Renamed", max_emails_per_day: 50, cc_emails: "a@x.com,b@x.com", label_names: ["Only"] }
      })
      expect(reply.status).toBe(200)
      expectDocumented("PUT", "/sequences/" + id, reply)
      expect(get(reply.body, "name")).toBe("Renamed")
      // No step was listed, so the documented `steps[]` names none.
      expect(get(reply.body, "steps")).toEqual([])
      expect(get(reply.body, "num_steps")).toBe(3)
      const after = sequenceIn(sim, id)
      expect(after.emailer_steps).toEqual(before)
      expect(after).toMatchObject({ name: "Renamed", max_emails_per_day: 50, cc_emails: "a@x.com,b@x.com" })
      expect(after.label_names).toEqual(["Only"])
    })

    it("removes every step missing from emailer_steps, updates listed ones and creates new ones", async () => {
      const { id } = await create(sim)
      const [first, second, third] = sequenceIn(sim, id).emailer_steps
      if (first === undefined || second === undefined || third === undefined) throw new Error("three steps")
      const reply = await call(sim, "PUT", "/sequences/" + id, {
        body: {
          emailer_steps: [
            { id: third.id, wait_time: 2 },
            { type: "action_item", wait_time: 1, wait_mode: "day", note: "new" },
            {
              id: first.id,
              emailer_touches: [
                { id: first.emailer_touches[0]?.id, emailer_template: { subject: "Changed" } }
              ]
            }
          ]
        }
      })
      expect(reply.status).toBe(200)
      const after = sequenceIn(sim, id).emailer_steps
      expect(after.map((s) => s.id)).toEqual([third.id, after[1]?.id, first.id])
      expect(after.map((s) => s.position)).toEqual([1, 2, 3])
      expect(after[0]).toMatchObject({ type: "call", wait_time: 2, wait_mode: "hour", note: "Call them" })
      // `note` is not a documented update field: ignored.
      expect(after[1]).toMatchObject({ type: "action_item", note: null })
      expect(after[1]?.id).toMatch(hex24)
      expect(after[2]?.emailer_touches[0]?.emailer_template).toMatchObject({
        subject: "Changed",
        body_html: "<p>Hi</p>"
      })
      expect(after.some((s) => s.id === second.id)).toBe(false)
      // `steps[]` names the steps listed by id; `emailer_steps` every step, by id and position.
      expect(list(get(reply.body, "steps")).map((s) => get(s, "id"))).toEqual([third.id, first.id])
      expect(list(get(reply.body, "steps")).map((s) => get(s, "position"))).toEqual([1, 3])
      expect(get(reply.body, "emailer_steps")).toEqual(after.map((s) => ({ id: s.id, position: s.position })))
      expect(get(reply.body, "emailer_touches")).toEqual([
        { id: after[2]?.emailer_touches[0]?.id, status: "approved" }
      ])
      expectDocumented("PUT", "/sequences/" + id, reply)
    })

    it("removes every touch of a kept step that is not listed by id", async () => {
      const ab = await create(sim, {
        name: "A/B",
        emailer_steps: [
          {
            type: "auto_email",
            wait_time: 1,
            wait_mode: "day",
            emailer_touches: [
              { emailer_template: { subject: "A", body_html: "a" } },
              { emailer_template: { subject: "B", body_html: "b" } }
            ]
          }
        ]
      })
      const step = sequenceIn(sim, ab.id).emailer_steps[0]
      const keep = step?.emailer_touches[1]
      if (step === undefined || keep === undefined) throw new Error("two touches")
      await call(sim, "PUT", "/sequences/" + ab.id, {
        body: {
          emailer_steps: [
            { id: step.id, emailer_touches: [{ id: keep.id }, { emailer_template: { subject: "C" } }] }
          ]
        }
      })
      const touches = sequenceIn(sim, ab.id).emailer_steps[0]?.emailer_touches ?? []
      expect(touches.map((t) => t.emailer_template.subject)).toEqual(["B", "C"])
      expect(touches[0]?.id).toBe(keep.id)
      // A step listed without emailer_touches keeps none.
      await call(sim, "PUT", "/sequences/" + ab.id, { body: { emailer_steps: [{ id: step.id }] } })
      expect(sequenceIn(sim, ab.id).emailer_steps[0]?.emailer_touches).toEqual([])
    })

    it("answers 422 for a step id of another sequence, a foreign touch id or an unapprovable touch, and writes nothing", async () => {
      const a = await create(sim)
      const b = await create(sim)
      const before = sim.state()
      const foreign = sequenceIn(sim, b.id).emailer_steps[0]
      const own = sequenceIn(sim, a.id).emailer_steps[0]
      if (foreign === undefined || own === undefined) throw new Error("steps")
      const cases = [
        { name: "Changed", emailer_steps: [{ id: foreign.id }] },
        { name: "Changed", emailer_steps: [{ id: "66e9e215ffffffffffffffff" }] },
        { emailer_steps: [{ id: own.id }, { id: own.id }] },
        { emailer_steps: [{ id: own.id, emailer_touches: [{ id: foreign.emailer_touches[0]?.id }] }] },
        {
          emailer_steps: [
            {
              id: own.id,
              emailer_touches: [{ id: own.emailer_touches[0]?.id, emailer_template: { body_html: "" } }]
            }
          ]
        }
      ]
      for (const body of cases) {
        const reply = await call(sim, "PUT", "/sequences/" + a.id, { body })
        expect(reply.status).toBe(422)
        expect(typeof get(reply.body, "error")).toBe("string")
      }
      const last = await call(sim, "PUT", "/sequences/" + a.id, { body: cases[4] })
      expect(get(last.body, "error")).toBe(
        "Please make sure your template has a non-empty body before turning it on."
      )
      expectDocumented("PUT", "/sequences/" + a.id, last)
      const after = sim.state()
      expect(after.sequences).toEqual(before.sequences)
    })

    it("validates schedule, limits and types; 404 for an unknown sequence", async () => {
      const { id } = await create(sim)
      for (const body of [
        { emailer_schedule_id: "5f0000000000000000000000" },
        { same_account_reply_delay_days: 1001 },
        { active: "yes" },
        { label_names: "Outbound" },
        { creation_type: "imported" }
      ]) {
        expect((await call(sim, "PUT", "/sequences/" + id, { body })).status).toBe(422)
      }
      const missing = await call(sim, "PUT", "/sequences/66e9e215ffffffffffffffff", { body: { name: "x" } })
      expect(missing.status).toBe(404)
      expect(missing.body).toEqual({ error: "Record not found." })
      expectDocumented("PUT", "/sequences/66e9e215ffffffffffffffff", missing)
    })

    it("promotes a draft to new when steps are added, reassigns the owner and shares", async () => {
      const { id } = await create(sim, { name: "Draft" })
      expect(sequenceIn(sim, id).creation_type).toBe("draft")
      const reply = await call(sim, "PUT", "/sequences/" + id, {
        body: {
          user_id: "66302798d03b9601c7930000",
          sharing_permission: { visibility: "everyone", access_type: "can_edit" },
          emailer_steps: [{ type: "call", wait_time: 1, wait_mode: "day" }]
        }
      })
      expect(reply.status).toBe(200)
      expect(sequenceIn(sim, id)).toMatchObject({ creation_type: "new", user_id: "66302798d03b9601c7930000" })
      expect(sequenceIn(sim, id).sharing_permission).toMatchObject({
        visibility: "everyone",
        access_type: "can_edit"
      })
      await call(sim, "PUT", "/sequences/" + id, {
        body: { sharing_permission: { visibility: "restricted" } }
      })
      expect(sequenceIn(sim, id).sharing_permission.access_type).toBeNull()
    })

    it("refuses active: true on a sequence without steps", async () => {
      const { id } = await create(sim, { name: "Empty" })
      const reply = await call(sim, "PUT", "/sequences/" + id, { body: { active: true } })
      expect(reply.status).toBe(422)
      expect(sequenceIn(sim, id).active).toBe(false)
    })
  })

  describe("approve, abort, archive", () => {
    it("activates and deactivates with the documented 422s", async () => {
      const empty = await create(sim, { name: "Empty" })
      const noSteps = await call(sim, "POST", `/emailer_campaigns/${empty.id}/approve`)
      expect(noSteps.status).toBe(422)
      expect(noSteps.body).toEqual({
        error: "Please make sure you have added at least 1 step before turning on the sequence."
      })
      const { id } = await create(sim)
      const inactive = await call(sim, "POST", `/emailer_campaigns/${id}/abort`)
      expect(inactive.body).toEqual({ error: "The sequence is already inactive." })
      const on = await call(sim, "POST", `/emailer_campaigns/${id}/approve`)
      expect(on.status).toBe(200)
      expect(get(on.body, "emailer_campaign", "active")).toBe(true)
      expect(list(get(on.body, "emailer_steps"))).toHaveLength(3)
      expectDocumented("POST", `/emailer_campaigns/${id}/approve`, on)
      const again = await call(sim, "POST", `/emailer_campaigns/${id}/approve`)
      expect(again.status).toBe(422)
      expect(again.body).toEqual({ error: "The sequence is already active." })
      expectDocumented("POST", `/emailer_campaigns/${id}/approve`, again)
      const off = await call(sim, "POST", `/emailer_campaigns/${id}/abort`)
      expect(get(off.body, "emailer_campaign", "active")).toBe(false)
      expectDocumented("POST", `/emailer_campaigns/${id}/abort`, off)
      expect((await call(sim, "POST", "/emailer_campaigns/66e9e215ffffffffffffffff/approve")).status).toBe(
        404
      )
    })

    it("archives: archived and inactive, out of search unless asked", async () => {
      const { id } = await create(sim)
      await call(sim, "POST", `/emailer_campaigns/${id}/approve`)
      const reply = await call(sim, "POST", `/emailer_campaigns/${id}/archive`)
      expect(reply.status).toBe(200)
      expect(get(reply.body, "emailer_campaign")).toMatchObject({ id, active: false, archived: true })
      expectDocumented("POST", `/emailer_campaigns/${id}/archive`, reply)
      expect(sequenceIn(sim, id)).toMatchObject({ active: false, archived: true })
      const search = await call(sim, "POST", "/emailer_campaigns/search")
      expect(get(search.body, "pagination", "total_entries")).toBe(0)
      const withArchived = await call(sim, "POST", "/emailer_campaigns/search?include_archived=true")
      expect(get(withArchived.body, "emailer_campaigns", 0, "archived")).toBe(true)
      const activate = await call(sim, "POST", `/emailer_campaigns/${id}/approve`)
      expect(activate.status).toBe(422)
    })
  })

  describe("POST /emailer_campaigns/search", () => {
    const names = (reply: Reply) => list(get(reply.body, "emailer_campaigns")).map((c) => get(c, "name"))

    it("pages and filters by partial, case-insensitive name", async () => {
      sim.seed({
        sequences: Array.from({ length: 12 }, (_, i) => ({
          name: (i % 2 === 0 ? "NY Marketing " : "Sales ") + i
        }))
      })
      const page2 = await call(sim, "POST", "/emailer_campaigns/search?q_name=marketing&page=2&per_page=4")
      expect(page2.status).toBe(200)
      expectDocumented("POST", "/emailer_campaigns/search", page2)
      expect(get(page2.body, "pagination")).toEqual({
        page: 2,
        per_page: 4,
        total_entries: 6,
        total_pages: 2
      })
      expect(names(page2)).toEqual(["NY Marketing 8", "NY Marketing 10"])
      expect(get(page2.body, "breadcrumbs", 0, "signal_field_name")).toBe("q_name")
      const all = await call(sim, "POST", "/emailer_campaigns/search?per_page=100")
      expect(get(all.body, "pagination", "total_entries")).toBe(12)
      const none = await call(sim, "POST", "/emailer_campaigns/search?q_name=Marketer")
      expect(get(none.body, "pagination")).toEqual({
        page: 1,
        per_page: 25,
        total_entries: 0,
        total_pages: 0
      })
    })

    it("accepts the parameters as a JSON body too, and caps per_page at 100", async () => {
      sim.seed({ sequences: Array.from({ length: 3 }, (_, i) => ({ name: "Seq " + i })) })
      const reply = await call(sim, "POST", "/emailer_campaigns/search", {
        body: { q_name: "SEQ 1", page: 1, per_page: 500 }
      })
      expect(names(reply)).toEqual(["Seq 1"])
      expect(get(reply.body, "pagination", "per_page")).toBe(100)
    })

    it("serves statistics seeded as loading", async () => {
      sim.seed({ sequences: [{ name: "Loading", stats: { unique_delivered: "loading" } }] })
      const reply = await call(sim, "POST", "/emailer_campaigns/search")
      expect(get(reply.body, "emailer_campaigns", 0, "unique_delivered")).toBe("loading")
      expect(get(reply.body, "emailer_campaigns", 0, "unique_opened")).toBe(0)
    })
  })

  describe("contacts", () => {
    const contactIds = ["66e34b81740c50074e3d1bd4", "66e34b81740c50074e3d1bd5"]
    const account = () => sim.state().emailAccounts[0]?.id ?? ""

    it("adds contacts given as repeated contact_ids[] query parameters", async () => {
      // Apollo's add_contact_ids response schema is narrower than its create one (no `minute` wait, no
      // `to_be_reviewed` / `reply_to_thread`, non-null access_type): this sequence fits both.
      const { id } = await create(sim, {
        name: "Enrol",
        emailer_steps: [
          {
            type: "auto_email",
            wait_time: 1,
            wait_mode: "day",
            emailer_touches: [
              { type: "new_thread", status: "approved", emailer_template: { subject: "s", body_html: "b" } }
            ]
          }
        ]
      })
      await call(sim, "PUT", "/sequences/" + id, { body: { sharing_permission: { visibility: "everyone" } } })
      const query =
        `?emailer_campaign_id=${id}&send_email_from_email_account_id=${account()}` +
        contactIds.map((c) => "&contact_ids[]=" + c).join("") +
        "&contact_ids[]=66e34b81740c50074e3d0000"
      const reply = await call(sim, "POST", `/emailer_campaigns/${id}/add_contact_ids${query}`)
      expect(reply.status).toBe(200)
      expectDocumented("POST", `/emailer_campaigns/${id}/add_contact_ids`, reply)
      expect(list(get(reply.body, "contacts")).map((c) => get(c, "id"))).toEqual(contactIds)
      expect(get(reply.body, "skipped_contact_ids")).toEqual({
        "66e34b81740c50074e3d0000": "contact_not_found"
      })
      expect(get(reply.body, "contacts", 0, "contact_campaign_statuses", 0, "status")).toBe("paused")
      expect(sim.requests.at(-1)?.query["contact_ids[]"]).toEqual([...contactIds, "66e34b81740c50074e3d0000"])
      expect(sim.state().memberships.map((m) => m.contact_id)).toEqual(contactIds)
      // Already there: skipped.
      const again = await call(sim, "POST", `/emailer_campaigns/${id}/add_contact_ids${query}`)
      expect(list(get(again.body, "contacts"))).toHaveLength(0)
    })

    it("does not read a bare contact_ids query parameter as an array", async () => {
      const { id } = await create(sim)
      const reply = await call(
        sim,
        "POST",
        `/emailer_campaigns/${id}/add_contact_ids?emailer_campaign_id=${id}&send_email_from_email_account_id=${account()}&contact_ids=${contactIds[0]}`
      )
      expect(reply.status).toBe(422)
      // Not validated against the document: its 422 schema is a oneOf of identical shapes, which nothing can match.
      expect(reply.body).toEqual({ error: "Please specify either contact_ids or label_names." })
    })

    it("requires emailer_campaign_id and a sender account; accepts a JSON body", async () => {
      const { id } = await create(sim)
      const missing = await call(
        sim,
        "POST",
        `/emailer_campaigns/${id}/add_contact_ids?contact_ids[]=${contactIds[0]}`
      )
      expect(missing.body).toEqual({
        error: "Please specify a emailer_campaign_id and send_email_from_email_account_id."
      })
      const json = await call(sim, "POST", `/emailer_campaigns/${id}/add_contact_ids`, {
        body: {
          emailer_campaign_id: id,
          send_email_from_email_account_id: account(),
          contact_ids: contactIds
        }
      })
      expect(json.status).toBe(200)
      expect(list(get(json.body, "contacts"))).toHaveLength(2)
    })

    it("reads the sender as the document names it; Rails' send_email_from_email_account_id[] only when observed", async () => {
      const railsForm = (id: string, accountId: string) =>
        `/emailer_campaigns/${id}/add_contact_ids?emailer_campaign_id=${id}` +
        `&send_email_from_email_account_id[]=${accountId}&contact_ids[]=${contactIds[0]}`
      const { id } = await create(sim)
      const documented = await call(sim, "POST", railsForm(id, account()))
      expect(documented.status).toBe(422)
      expect(documented.body).toEqual({
        error: "Please specify a emailer_campaign_id and send_email_from_email_account_id."
      })
      expect(sim.state().memberships).toHaveLength(0)
      const repeated = await call(
        sim,
        "POST",
        `/emailer_campaigns/${id}/add_contact_ids?emailer_campaign_id=${id}` +
          `&send_email_from_email_account_id=${account()}&send_email_from_email_account_id=${account()}` +
          `&contact_ids[]=${contactIds[0]}`
      )
      expect(repeated.status).toBe(200)
      expect(sim.state().memberships.map((m) => m.contact_id)).toEqual([contactIds[0]])

      const observed = await ApolloSimulator.startAsync({ profile: "observed" })
      try {
        const created = await create(observed)
        const reply = await call(
          observed,
          "POST",
          railsForm(created.id, observed.state().emailAccounts[0]?.id ?? "")
        )
        expect(reply.status).toBe(200)
        expect(observed.state().memberships.map((m) => m.contact_id)).toEqual([contactIds[0]])
      } finally {
        await observed.close()
      }
    })

    it("adds the contacts carrying label_names[]", async () => {
      const labelled = await ApolloSimulator.startAsync({
        seed: {
          contacts: [
            { id: "66e34b81740c50074e3d0001", email: "a@example.com", label_names: ["VIP"] },
            { id: "66e34b81740c50074e3d0002", email: "b@example.com", label_names: ["Other"] }
          ]
        }
      })
      try {
        const { id } = await create(labelled)
        const accountId = labelled.state().emailAccounts[0]?.id ?? ""
        const reply = await call(
          labelled,
          "POST",
          `/emailer_campaigns/${id}/add_contact_ids?emailer_campaign_id=${id}&send_email_from_email_account_id=${accountId}&label_names[]=VIP`
        )
        expect(list(get(reply.body, "contacts")).map((c) => get(c, "id"))).toEqual([
          "66e34b81740c50074e3d0001"
        ])
      } finally {
        await labelled.close()
      }
    })

    it("refuses inactive mailboxes and applies the flags", async () => {
      const seeded = await ApolloSimulator.startAsync({
        seed: {
          emailAccounts: [{ id: "6633baaece5fbd01c7910000", email: "off@example.com", active: false }],
          contacts: [{ id: "66e34b81740c50074e3d0001", email: null }]
        }
      })
      try {
        const { id } = await create(seeded)
        const base = `/emailer_campaigns/${id}/add_contact_ids?emailer_campaign_id=${id}&contact_ids[]=66e34b81740c50074e3d0001`
        const off = await call(
          seeded,
          "POST",
          base + "&send_email_from_email_account_id=6633baaece5fbd01c7910000"
        )
        expect(off.body).toEqual({ error: "These mailboxes are no longer active. off@example.com" })
        seeded.seed({ emailAccounts: [{ id: "6633baaece5fbd01c7910001", email: "on@example.com" }] })
        const noEmail = await call(
          seeded,
          "POST",
          base + "&send_email_from_email_account_id=6633baaece5fbd01c7910001"
        )
        expect(get(noEmail.body, "skipped_contact_ids", "66e34b81740c50074e3d0001")).toBe("contact_no_email")
        const allowed = await call(
          seeded,
          "POST",
          base + "&send_email_from_email_account_id=6633baaece5fbd01c7910001&sequence_no_email=true"
        )
        expect(list(get(allowed.body, "contacts"))).toHaveLength(1)
      } finally {
        await seeded.close()
      }
    })

    it("finishes, stops or removes contacts", async () => {
      const { id } = await create(sim)
      await call(sim, "POST", `/emailer_campaigns/${id}/add_contact_ids`, {
        body: {
          emailer_campaign_id: id,
          send_email_from_email_account_id: account(),
          contact_ids: contactIds
        }
      })
      const path = (mode: string, contact: string) =>
        `/emailer_campaigns/remove_or_stop_contact_ids?emailer_campaign_ids[]=${id}&contact_ids[]=${contact}&mode=${mode}`
      const finished = await call(sim, "POST", path("mark_as_finished", contactIds[0] ?? ""))
      expect(finished.status).toBe(200)
      expectDocumented("POST", "/emailer_campaigns/remove_or_stop_contact_ids", finished)
      expect(get(finished.body, "emailer_campaigns")).toEqual([{ id }])
      expect(sim.state().memberships.find((m) => m.contact_id === contactIds[0])?.status).toBe("finished")
      await call(sim, "POST", path("stop", contactIds[1] ?? ""))
      expect(sim.state().memberships.find((m) => m.contact_id === contactIds[1])?.status).toBe("paused")
      await call(sim, "POST", path("remove", contactIds[1] ?? ""))
      expect(sim.state().memberships.map((m) => m.contact_id)).toEqual([contactIds[0]])
      expect((await call(sim, "POST", path("delete", contactIds[0] ?? ""))).status).toBe(422)
    })
  })

  describe("seed, reset, log", () => {
    it("seeds, logs without keys, clears the log and resets to the seed", async () => {
      const seeded = await ApolloSimulator.startAsync({
        seed: {
          sequences: [
            {
              id: "66e9e215ece19801b219997f",
              name: "Seeded",
              active: true,
              emailer_steps: [
                {
                  id: "66e9e232ece19801b21999a4",
                  type: "auto_email",
                  wait_time: 4,
                  wait_mode: "hour",
                  emailer_touches: [
                    { status: "approved", emailer_template: { subject: "S", body_html: "B" } }
                  ]
                }
              ]
            }
          ]
        }
      })
      try {
        expect(seeded.state().sequences[0]?.emailer_steps[0]).toMatchObject({
          id: "66e9e232ece19801b21999a4",
          position: 1
        })
        await call(seeded, "PUT", "/sequences/66e9e215ece19801b219997f", {
          body: { name: "Changed", emailer_steps: [] }
        })
        await call(seeded, "POST", "/emailer_campaigns/search?q_name=a&q_name=b&ids[]=1", { key: "nope" })
        expect(seeded.requests).toEqual([
          {
            method: "PUT",
            path: "/api/v1/sequences/66e9e215ece19801b219997f",
            query: {},
            body: { name: "Changed", emailer_steps: [] },
            status: 200,
            keyKind: "master",
            operation: "updateSequence",
            fault: null,
            at: expect.any(Number),
            response: {
              contentType: "application/json; charset=utf-8",
              text: expect.stringContaining('"Changed"')
            }
          },
          {
            method: "POST",
            path: "/api/v1/emailer_campaigns/search",
            query: { q_name: ["a", "b"], "ids[]": ["1"] },
            body: null,
            status: 401,
            keyKind: "none",
            operation: "search",
            fault: null,
            at: expect.any(Number),
            response: { contentType: "text/plain; charset=utf-8", text: expect.stringContaining("Invalid") }
          }
        ])
        expect(JSON.stringify(seeded.requests)).not.toContain(KEY)
        seeded.clearLog()
        expect(seeded.requests).toEqual([])
        expect(seeded.state().sequences[0]?.emailer_steps).toEqual([])
        seeded.reset()
        expect(seeded.state().sequences[0]).toMatchObject({ name: "Seeded", active: true })
        expect(seeded.state().sequences[0]?.emailer_steps).toHaveLength(1)
        seeded.reset({ sequences: [] })
        expect(seeded.state().sequences).toEqual([])
        expect(seeded.state().schedules).toHaveLength(1)
      } finally {
        await seeded.close()
      }
    })

    it("makes deterministic ids", async () => {
      const now = () => Date.UTC(2026, 5, 1)
      const [one, two] = await Promise.all([
        ApolloSimulator.startAsync({ now }),
        ApolloSimulator.startAsync({ now })
      ])
      try {
        const a = await create(one)
        const b = await create(two)
        expect(b.id).toBe(a.id)
        expect(two.state()).toEqual(one.state())
      } finally {
        await one.close()
        await two.close()
      }
    })
  })

  describe("rate limits", () => {
    it("sends the headers and answers 429 with retry-after past the limit, per window", async () => {
      let now = Date.UTC(2026, 0, 1, 10, 0, 30)
      const limited = await ApolloSimulator.startAsync({
        now: () => now,
        rateLimit: { default: { perMinute: 2, perHour: 5, perDay: 100 } }
      })
      try {
        const first = await call(limited, "GET", "/emailer_schedules")
        expect(Object.fromEntries([...first.headers].filter(([k]) => k.startsWith("x-")))).toEqual({
          "x-rate-limit-minute": "2",
          "x-rate-limit-hourly": "5",
          "x-rate-limit-24-hour": "100",
          "x-minute-usage": "1",
          "x-hourly-usage": "1",
          "x-24-hour-usage": "1",
          "x-minute-requests-left": "1",
          "x-hourly-requests-left": "4",
          "x-24-hour-requests-left": "99"
        })
        // Limits are per endpoint.
        expect((await call(limited, "GET", "/email_accounts")).headers.get("x-minute-usage")).toBe("1")
        await call(limited, "GET", "/emailer_schedules")
        const over = await call(limited, "GET", "/emailer_schedules")
        expect(over.status).toBe(429)
        expect(over.headers.get("retry-after")).toBe("30")
        expect(over.body).toEqual({
          message:
            "The maximum number of api calls allowed for api/v1/emailer_schedules/index is 2 times per minute. Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."
        })
        expectDocumented("GET", "/emailer_schedules", over)
        now += 30_000
        expect((await call(limited, "GET", "/emailer_schedules")).status).toBe(200)
        expect((await call(limited, "GET", "/emailer_schedules")).status).toBe(200)
        now += 60_000
        expect((await call(limited, "GET", "/emailer_schedules")).status).toBe(200)
        const hourly = await call(limited, "GET", "/emailer_schedules")
        expect(hourly.status).toBe(429)
        expect(get(hourly.body, "message")).toMatch(/is 5 times per hour/)
        expect(hourly.headers.get("retry-after")).toBe(String(60 * 60 - 2 * 60))
        expect(hourly.headers.get("x-hourly-requests-left")).toBe("0")
        const unauthorised = await call(limited, "GET", "/emailer_schedules", { key: null })
        expect(unauthorised.status).toBe(401)
      } finally {
        await limited.close()
      }
    })

    it("can use the older header names, limit per endpoint, or be disabled", async () => {
      const legacy = await ApolloSimulator.startAsync({
        rateLimit: { headerNaming: "legacy", endpoints: { search: { perMinute: 1 }, listSchedules: false } }
      })
      const off = await ApolloSimulator.startAsync({ rateLimit: false })
      try {
        const reply = await call(legacy, "GET", "/email_accounts")
        expect(reply.headers.get("x-rate-limit-daily")).toBe(String(ApolloSimulator.DefaultRateLimit.perDay))
        expect(reply.headers.get("x-daily-requests-left")).not.toBeNull()
        expect(reply.headers.get("x-24-hour-usage")).toBeNull()
        expect((await call(legacy, "POST", "/emailer_campaigns/search")).status).toBe(200)
        expect((await call(legacy, "POST", "/emailer_campaigns/search")).status).toBe(429)
        expect((await call(legacy, "GET", "/emailer_schedules")).headers.get("x-minute-usage")).toBeNull()
        expect((await call(off, "GET", "/email_accounts")).headers.get("x-minute-usage")).toBeNull()
      } finally {
        await legacy.close()
        await off.close()
      }
    })
  })

  describe("overlapping writes", () => {
    it("answers 429 'already processing' to a second write to the same sequence", async () => {
      const slow = await ApolloSimulator.startAsync({ writeProcessingMs: 500 })
      try {
        const { id } = await create(slow)
        const other = await create(slow, { name: "Other" })
        slow.clearLog()
        const pending = call(slow, "PUT", "/sequences/" + id, { body: { name: "First" } })
        // Wait until the server holds the first write open, then overlap it.
        while (slow.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
        const [b, c] = await Promise.all([
          call(slow, "POST", `/emailer_campaigns/${id}/approve`),
          call(slow, "PUT", "/sequences/" + other.id, { body: { name: "Elsewhere" } })
        ])
        const a = await pending
        expect(a.status).toBe(200)
        expect(b.status).toBe(429)
        expect(b.body).toEqual({ error: "We are already processing the request for your sequence" })
        expectDocumented("PUT", "/sequences/" + id, b)
        expect(c.status).toBe(200)
        expect(sequenceIn(slow, id)).toMatchObject({ name: "First", active: false })
        expect((await call(slow, "POST", `/emailer_campaigns/${id}/approve`)).status).toBe(200)
      } finally {
        await slow.close()
      }
    })
  })

  describe("faults", () => {
    const withFaults = async (
      faults: ApolloSimulator.FaultOptions,
      body: (s: ApolloSimulator.ApolloSimulator) => Promise<void>
    ): Promise<void> => {
      const faulty = await ApolloSimulator.startAsync({ faults })
      try {
        await body(faulty)
      } finally {
        await faulty.close()
      }
    }

    it("are off by default", async () => {
      for (let i = 0; i < 20; i++) expect((await call(sim, "GET", "/email_accounts")).status).toBe(200)
      expect(sim.faultCounts).toEqual({
        serverError: 0,
        hang: 0,
        reset: 0,
        slowBody: 0,
        malformed: 0,
        total: 0
      })
    })

    it("answer 500/502/503 without processing", async () => {
      await withFaults({ all: { serverError: { rate: 1, statuses: [503] } } }, async (s) => {
        const reply = await call(s, "POST", "/sequences", { body: { name: "x" } })
        expect(reply.status).toBe(503)
        expect(reply.headers.get("content-type")).toMatch(/text\/html/)
        expect(s.state().sequences).toHaveLength(0)
        expect(s.faultCounts.serverError).toBe(1)
        expect(s.requests[0]?.fault).toBe("serverError")
      })
    })

    it("hang until the client gives up, or for hangMs", async () => {
      await withFaults({ all: { hang: { rate: 1 } } }, async (s) => {
        await expect(
          call(s, "GET", "/email_accounts", { signal: AbortSignal.timeout(150) })
        ).rejects.toThrow()
        expect(s.requests[0]?.status).toBeNull()
      })
      await withFaults({ all: { hang: { rate: 1, hangMs: 120 } } }, async (s) => {
        const started = performance.now()
        const reply = await call(s, "GET", "/email_accounts")
        expect(reply.status).toBe(200)
        expect(performance.now() - started).toBeGreaterThanOrEqual(100)
      })
    })

    it("reset the connection before processing", async () => {
      await withFaults({ all: { reset: { rate: 1 } } }, async (s) => {
        await expect(call(s, "POST", "/sequences", { body: { name: "x" } })).rejects.toThrow()
        expect(s.state().sequences).toHaveLength(0)
        expect(s.faultCounts.reset).toBe(1)
      })
    })

    it("reset mid-body after commit: the state changed", async () => {
      await withFaults(
        { operations: { createSequence: { reset: { rate: 1, afterCommit: true } } } },
        async (s) => {
          await expect(call(s, "POST", "/sequences", { body: { name: "Committed" } })).rejects.toThrow()
          expect(s.state().sequences.map((q) => q.name)).toEqual(["Committed"])
          expect((await call(s, "GET", "/email_accounts")).status).toBe(200)
          expect(s.faultCounts).toMatchObject({ reset: 1, total: 1 })
        }
      )
    })

    it("drip slow bodies", async () => {
      await withFaults({ all: { slowBody: { rate: 1, slowMs: 200 } } }, async (s) => {
        const started = performance.now()
        const reply = await call(s, "GET", "/emailer_schedules")
        expect(performance.now() - started).toBeGreaterThanOrEqual(150)
        expect(get(reply.body, "emailer_schedules", 0, "name")).toBe("Business hours")
      })
    })

    it.each([
      ["truncated_json", (r: Reply) => expect(r.body).toBeUndefined()],
      ["wrong_types", (r: Reply) => expect(typeof get(r.body, "email_accounts", 0, "id")).toBe("number")],
      ["html_200", (r: Reply) => expect(r.text).toMatch(/^<!DOCTYPE html>/)]
    ] as const)("send malformed bodies: %s", async (kind, check) => {
      await withFaults({ all: { malformed: { rate: 1, kinds: [kind] } } }, async (s) => {
        const reply = await call(s, "GET", "/email_accounts")
        expect(reply.status).toBe(200)
        check(reply)
        expect(s.faultCounts.malformed).toBe(1)
      })
    })

    it("are deterministic by seed and configurable per endpoint", async () => {
      const run = async (seed: number): Promise<ReadonlyArray<number>> => {
        const statuses: Array<number> = []
        await withFaults(
          { seed, all: { serverError: { rate: 0.5 } }, operations: { listSchedules: {} } },
          async (s) => {
            for (let i = 0; i < 16; i++) statuses.push((await call(s, "GET", "/email_accounts")).status)
            for (let i = 0; i < 4; i++) expect((await call(s, "GET", "/emailer_schedules")).status).toBe(200)
            expect(s.faultCounts.serverError).toBe(statuses.filter((x) => x >= 500).length)
            s.reset()
            const replay: Array<number> = []
            for (let i = 0; i < 16; i++) replay.push((await call(s, "GET", "/email_accounts")).status)
            expect(replay).toEqual(statuses)
          }
        )
        return statuses
      }
      const a = await run(7)
      expect(await run(7)).toEqual(a)
      expect(a.some((x) => x >= 500)).toBe(true)
      expect(a.some((x) => x === 200)).toBe(true)
      expect(await run(8)).not.toEqual(a)
    })

    it("can be switched at run time", async () => {
      sim.setFaults({ all: { serverError: { rate: 1, statuses: [500] } } })
      const reply = await call(sim, "GET", "/email_accounts")
      expect(reply.status).toBe(500)
      sim.setFaults(undefined)
      expect((await call(sim, "GET", "/email_accounts")).status).toBe(200)
    })
  })

  describe("scale", () => {
    it("creates and searches many sequences", async () => {
      sim.seed({
        sequences: Array.from({ length: 5_000 }, (_, i) => ({
          name: "Bulk " + i,
          emailer_steps: Array.from({ length: 5 }, () => ({ type: "call" as const }))
        }))
      })
      for (let i = 0; i < 50; i++) {
        const reply = await call(
          sim,
          "POST",
          `/emailer_campaigns/search?q_name=bulk 4&page=${(i % 5) + 1}&per_page=100`
        )
        expect(reply.status).toBe(200)
      }
      for (let i = 0; i < 50; i++) await create(sim)
      expect(sim.state().sequences).toHaveLength(5_050)
    })
  })
})

describe("ApolloSimulator profiles", () => {
  const both = async (
    body: (
      documented: ApolloSimulator.ApolloSimulator,
      observed: ApolloSimulator.ApolloSimulator
    ) => Promise<void>,
    options: ApolloSimulator.Options = {}
  ): Promise<void> => {
    const documented = await ApolloSimulator.startAsync(options)
    const observed = await ApolloSimulator.startAsync({ ...options, profile: "observed" })
    try {
      await body(documented, observed)
    } finally {
      await documented.close()
      await observed.close()
    }
  }

  it("GET /emailer_campaigns/{id}: observed only, or documented with the option", async () => {
    await both(async (documented, observed) => {
      for (const s of [documented, observed]) await create(s)
      const id = (s: ApolloSimulator.ApolloSimulator) => s.state().sequences[0]?.id ?? ""
      const absent = await call(documented, "GET", "/emailer_campaigns/" + id(documented))
      expect(absent.status).toBe(404)
      expect(documented.requests.at(-1)?.operation).toBeNull()
      expect((await call(observed, "GET", "/emailer_campaigns/" + id(observed))).status).toBe(200)
      // The collection GET that reportedly creates a sequence is observed behaviour too.
      expect((await call(documented, "GET", "/emailer_campaigns")).status).toBe(404)
      expect(documented.state().sequences).toHaveLength(1)
    })
    const opted = await ApolloSimulator.startAsync({ quirks: { readOneSequence: true } })
    try {
      const { id } = await create(opted)
      const reply = await call(opted, "GET", "/emailer_campaigns/" + id)
      expect(reply.status).toBe(200)
      expect(list(get(reply.body, "emailer_steps"))).toHaveLength(3)
    } finally {
      await opted.close()
    }
  })

  it("labels: label_ids only when documented, label_names too when observed", async () => {
    await both(async (documented, observed) => {
      for (const s of [documented, observed]) {
        const { reply } = await create(s, { name: "Labelled", label_names: ["Q3"] })
        const campaign = get(reply.body, "emailer_campaign")
        expect(list(get(campaign, "label_ids"))).toHaveLength(1)
        expect(get(campaign, "label_names")).toEqual(s === observed ? ["Q3"] : undefined)
        const found = await call(s, "POST", "/emailer_campaigns/search", { body: {} })
        expect(get(found.body, "emailer_campaigns", 0, "label_names")).toEqual(
          s === observed ? ["Q3"] : undefined
        )
        if (s === documented) expectDocumented("POST", "/emailer_campaigns/search", found)
      }
    })
  })

  it("create: documented honours only the documented fields, ignoring the rest without an error", async () => {
    const body = {
      name: "Extra",
      cc_emails: "cc@example.com",
      bcc_emails: "bcc@example.com",
      creation_type: "ai_assistant",
      unknown_field: { anything: 1 },
      emailer_steps: [
        {
          type: "call",
          wait_time: 1,
          wait_mode: "day",
          position: 9,
          note: "kept",
          priority: "high",
          emailer_touches: []
        }
      ]
    }
    await both(async (documented, observed) => {
      const d = await create(documented, body)
      const o = await create(observed, body)
      expect(sequenceIn(documented, d.id)).toMatchObject({
        cc_emails: "",
        bcc_emails: "",
        creation_type: "new"
      })
      expect(sequenceIn(observed, o.id)).toMatchObject({
        cc_emails: "cc@example.com",
        bcc_emails: "bcc@example.com",
        creation_type: "ai_assistant"
      })
      // Step fields the create document lists are read in both.
      for (const [s, id] of [
        [documented, d.id],
        [observed, o.id]
      ] as const)
        expect(sequenceIn(s, id).emailer_steps[0]).toMatchObject({
          note: "kept",
          priority: "high",
          position: 1
        })
    })
  })

  it("update: documented reads only the documented step and touch fields", async () => {
    await both(async (documented, observed) => {
      for (const s of [documented, observed]) {
        const { id } = await create(s)
        const [first, , third] = sequenceIn(s, id).emailer_steps
        if (first === undefined || third === undefined) throw new Error("steps")
        const reply = await call(s, "PUT", "/sequences/" + id, {
          body: {
            emailer_steps: [
              {
                id: first.id,
                wait_time: 5,
                max_emails_per_day: 7,
                exact_datetime: null,
                emailer_touches: [
                  {
                    id: first.emailer_touches[0]?.id,
                    include_signature: true,
                    attachment_ids: ["a1"],
                    emailer_template: { subject: "New", body_html: "<p>New</p>" }
                  }
                ]
              },
              { id: third.id, note: "changed", priority: "low", auto_skip_in_x_days: 3 }
            ]
          }
        })
        expect(reply.status).toBe(200)
        const [a, b] = sequenceIn(s, id).emailer_steps
        // Documented fields change in both profiles.
        expect(a).toMatchObject({ wait_time: 5 })
        expect(a?.emailer_touches[0]).toMatchObject({
          attachment_ids: ["a1"],
          emailer_template: { subject: "New", body_html: "<p>New</p>" }
        })
        expect(b?.auto_skip_in_x_days).toBe(3)
        if (s === documented) {
          expect(a).toMatchObject({ max_emails_per_day: null })
          expect(a?.emailer_touches[0]?.include_signature).toBe(false)
          expect(b).toMatchObject({ note: "Call them", priority: "high" })
          expectDocumented("PUT", "/sequences/" + id, reply)
          expect(Object.keys(isObject(reply.body) ? reply.body : {}).sort()).toEqual([
            "active",
            "archived",
            "created_at",
            "emailer_campaign",
            "emailer_steps",
            "emailer_touches",
            "id",
            "name",
            "num_steps",
            "steps",
            "updated_at"
          ])
          expect(
            list(get(reply.body, "emailer_touches")).every((t) => get(t, "emailer_step_id") === undefined)
          ).toBe(true)
        } else {
          expect(a).toMatchObject({ max_emails_per_day: 7 })
          expect(a?.emailer_touches[0]?.include_signature).toBe(true)
          expect(b).toMatchObject({ note: "changed", priority: "low" })
          expect(get(reply.body, "emailer_touches", 0, "emailer_step_id")).toBe(a?.id)
          expect(list(get(reply.body, "steps"))).toHaveLength(2)
        }
      }
    })
  })

  it("can answer the schedules and mailboxes as JSON-encoded strings, as the document's examples do", async () => {
    const quirky = await ApolloSimulator.startAsync({ quirks: { stringEncodedLists: true } })
    try {
      for (const [path, key] of [
        ["/emailer_schedules", "emailer_schedules"],
        ["/email_accounts", "email_accounts"]
      ] as const) {
        const reply = await call(quirky, "GET", path)
        expect(reply.status).toBe(200)
        expect(typeof reply.body).toBe("string")
        const inner = parse(str(reply.body))
        expect(list(get(inner, key)).length).toBeGreaterThan(0)
        // The schema describes the object the string holds (the example is the string).
        expectDocumented("GET", path, { ...reply, body: inner })
      }
      const plain = await call(quirky, "POST", "/emailer_campaigns/search", { body: {} })
      expect(isObject(plain.body)).toBe(true)
    } finally {
      await quirky.close()
    }
  })
})

describe("ApolloSimulator.start (Effect)", () => {
  effectIt.scoped("serves within a scope", () =>
    Effect.gen(function* () {
      const simulator = yield* ApolloSimulator.start({ seed: { sequences: [{ name: "From Effect" }] } })
      const reply = yield* Effect.promise(() => call(simulator, "POST", "/emailer_campaigns/search"))
      expect(get(reply.body, "emailer_campaigns", 0, "name")).toBe("From Effect")
    })
  )
})
