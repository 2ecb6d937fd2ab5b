import { it as effectIt } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import * as KitSimulator from "../src/KitSimulator.js"
import * as OpenApiContract from "../src/OpenApiContract.js"

const KEY = "kit_test_key"
const TOKEN = "oauth_token_1"
const ALL_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

interface Reply {
  readonly status: number
  readonly text: string
  readonly json: unknown
  readonly headers: Headers
}

type Obj = { readonly [key: string]: unknown }
const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)
/** Reads `a.b.c` from a JSON value for assertions. */
const at = (u: unknown, ...keys: ReadonlyArray<string | number>): unknown => {
  let node = u
  for (const k of keys) {
    if (typeof k === "number" && Array.isArray(node)) node = node[k]
    else if (typeof k === "string" && isObj(node)) node = node[k]
    else return undefined
  }
  return node
}
const list = (u: unknown, ...keys: ReadonlyArray<string | number>): ReadonlyArray<unknown> => {
  const v = at(u, ...keys)
  return Array.isArray(v) ? v : []
}

// Kit's documents, when ../shared is there: every response below is also checked against them.
const kitSequences = OpenApiContract.loadForTest("kit-sequences.yml")
const kitEmails = OpenApiContract.loadForTest("kit-sequence-emails.yml")
const contractErrors = (method: string, path: string, reply: Reply): ReadonlyArray<string> => {
  for (const c of [kitSequences.contract, kitEmails.contract]) {
    if (c?.match(method, path) === undefined) continue
    const body = reply.status === 204 ? undefined : reply.json
    return c.validateResponse(method, path, reply.status, body).errors
  }
  return []
}

const makeClient =
  (sim: () => KitSimulator.KitSimulator, checkContract = true) =>
  async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { "X-Kit-Api-Key": KEY }
  ): Promise<Reply> => {
    const res = await fetch(sim().url + path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
    })
    const text = await res.text()
    let json: unknown = null
    try {
      json = text === "" ? null : JSON.parse(text)
    } catch {
      json = null
    }
    const reply = { status: res.status, text, json, headers: res.headers }
    if (checkContract) expect(contractErrors(method, path, reply)).toEqual([])
    return reply
  }

const seed: KitSimulator.Seed = {
  subscribers: [
    { id: 10, email_address: "alice@example.com", first_name: "Alice" },
    { id: 11, email_address: "bob@example.com", state: "cancelled" },
    { email_address: "carol@example.com" }
  ],
  sequences: [
    {
      id: 1,
      name: "Welcome",
      emails: [
        { subject: "Hi", preview_text: "p0", content: "<p>0</p>", published: true },
        { subject: "Day 2", preview_text: "p1", content: "<p>1</p>", delay_value: 2 }
      ],
      subscribers: [10]
    },
    { id: 2, name: "Paused", active: false },
    { name: "Third" }
  ]
}

describe("KitSimulator", () => {
  let sim: KitSimulator.KitSimulator
  const api = makeClient(() => sim)
  beforeAll(async () => {
    sim = await KitSimulator.startAsync({ seed, oauthTokens: [TOKEN], rateLimit: false })
  })
  afterAll(() => sim.close())
  beforeEach(() => {
    sim.reset(seed)
    sim.clearLog()
  })

  describe("auth", () => {
    it("accepts the API key header and OAuth bearer tokens", async () => {
      expect((await api("GET", "/v4/sequences")).status).toBe(200)
      expect(
        (await api("GET", "/v4/sequences", undefined, { Authorization: `Bearer ${TOKEN}` })).status
      ).toBe(200)
      expect(sim.requests.map((r) => r.auth)).toEqual(["api_key", "oauth"])
    })

    it("answers 401 with Kit's message to anything else, and never logs credentials", async () => {
      for (const headers of [
        {},
        { "X-Kit-Api-Key": "kit_wrong" },
        { Authorization: "Bearer nope" },
        { Authorization: KEY }
      ]) {
        const r = await api("GET", "/v4/sequences/1", undefined, headers)
        expect(r.status).toBe(401)
        expect(r.json).toEqual({ errors: ["The access token is invalid"] })
      }
      expect(sim.requests.map((r) => r.auth)).toEqual(["none", "api_key", "oauth", "none"])
      const logged = JSON.stringify(sim.requests)
      expect(logged).not.toContain("kit_wrong")
      expect(logged).not.toContain("nope")
    })
  })

  describe("sequences", () => {
    it("lists them with the documented wrapper", async () => {
      const r = await api("GET", "/v4/sequences")
      expect(list(r.json, "sequences").map((s) => at(s, "id"))).toEqual([1, 2, 3])
      expect(at(r.json, "sequences", 0, "email_count")).toBe(2)
      expect(at(r.json, "sequences", 0, "subscriber_count")).toBe(1)
      expect(at(r.json, "pagination")).toEqual({
        has_previous_page: false,
        has_next_page: false,
        start_cursor: "WzFd",
        end_cursor: "WzNd",
        per_page: 500
      })
    })

    it("creates with only a name and Kit's defaults (201)", async () => {
      const r = await api("POST", "/v4/sequences", { name: "New" })
      expect(r.status).toBe(201)
      expect(at(r.json, "sequence")).toMatchObject({
        id: 4,
        name: "New",
        hold: false,
        repeat: false,
        active: true,
        email_address: "owner@example.com",
        send_days: ALL_DAYS,
        send_hour: 11,
        time_zone: "America/New_York",
        exclude_subscriber_sources: []
      })
      expect(sim.state().sequences.map((s) => s.id)).toEqual([1, 2, 3, 4])
    })

    it("creates with every field", async () => {
      const body = {
        name: "Full Series",
        email_address: "joe@ck.lol",
        email_template_id: 38,
        send_days: ["monday", "friday"],
        send_hour: 9,
        time_zone: "America/Los_Angeles",
        active: false,
        repeat: true,
        hold: true,
        exclude_subscriber_sources: [{ type: "tag", ids: [2] }]
      }
      const r = await api("POST", "/v4/sequences", body)
      expect(r.status).toBe(201)
      expect(at(r.json, "sequence")).toMatchObject(body)
    })

    it.each([
      [{}, "name can't be blank"],
      [{ name: "  " }, "name can't be blank"],
      [{ name: "x", send_hour: 24 }, "send_hour must be an integer between 0 and 23"],
      [{ name: "x", send_hour: 1.5 }, "send_hour must be an integer between 0 and 23"],
      [
        { name: "x", send_days: ["mon"] },
        "send_days must be one of: monday, tuesday, wednesday, thursday, friday, saturday, sunday"
      ],
      [{ name: "x", time_zone: "Mars/Olympus" }, "time_zone must be a valid IANA time zone"],
      [{ name: "x", time_zone: "+01:00" }, "time_zone must be a valid IANA time zone"],
      [
        { name: "x", exclude_subscriber_sources: [{ type: "list", ids: [1] }] },
        "exclude_subscriber_sources type must be one of: tag, sequence, form, segment"
      ],
      [{ name: "x", active: "yes" }, "active must be a boolean"]
    ])("rejects %j with a 422", async (body, message) => {
      const r = await api("POST", "/v4/sequences", body)
      expect(r.status).toBe(422)
      expect(r.json).toEqual({ errors: [message] })
      expect(sim.state().sequences).toHaveLength(3)
    })

    it("rejects a body that is not a JSON object", async () => {
      expect((await api("POST", "/v4/sequences", "[1]")).status).toBe(422)
      expect((await api("POST", "/v4/sequences", "{not json")).status).toBe(422)
    })

    it("accepts every IANA zone name", async () => {
      for (const tz of ["Europe/Paris", "Asia/Kolkata", "UTC"]) {
        expect((await api("POST", "/v4/sequences", { name: tz, time_zone: tz })).status).toBe(201)
      }
    })

    it("gets one, 404 otherwise", async () => {
      const r = await api("GET", "/v4/sequences/1")
      expect(r.status).toBe(200)
      expect(at(r.json, "sequence", "name")).toBe("Welcome")
      for (const id of ["999", "abc", "0"]) {
        const missing = await api("GET", `/v4/sequences/${id}`)
        expect(missing.status).toBe(404)
        expect(missing.json).toEqual({ errors: ["Not Found"] })
      }
    })

    it("updates only the fields sent", async () => {
      const before = sim.state().sequences[0]
      const r = await api("PUT", "/v4/sequences/1", { send_hour: 14, hold: true })
      expect(r.status).toBe(200)
      const after = sim.state().sequences[0]
      expect(after).toEqual({ ...before, send_hour: 14, hold: true, updated_at: after?.updated_at })
      expect(at(r.json, "sequence", "name")).toBe("Welcome")
    })

    it("rejects an invalid update and changes nothing", async () => {
      const before = sim.state()
      const r = await api("PUT", "/v4/sequences/1", { name: "", send_hour: -1 })
      expect(r.status).toBe(422)
      expect(r.json).toEqual({
        errors: ["name can't be blank", "send_hour must be an integer between 0 and 23"]
      })
      expect(sim.state()).toEqual(before)
      expect((await api("PUT", "/v4/sequences/99", { name: "x" })).status).toBe(404)
    })

    it("deletes with 204 and no body, then 404", async () => {
      const r = await api("DELETE", "/v4/sequences/1")
      expect(r.status).toBe(204)
      expect(r.text).toBe("")
      expect((await api("GET", "/v4/sequences/1")).status).toBe(404)
      expect((await api("GET", "/v4/sequences/1/emails")).status).toBe(404)
      expect((await api("DELETE", "/v4/sequences/1")).status).toBe(404)
    })

    it("answers 404 to paths Kit does not have", async () => {
      expect((await api("GET", "/v4/nothing")).status).toBe(404)
      expect((await api("PATCH", "/v4/sequences/1")).status).toBe(404)
    })
  })

  describe("emails", () => {
    const create = (body: Obj, sequence = 1) => api("POST", `/v4/sequences/${sequence}/emails`, body)

    it("appends when position is omitted, as a draft", async () => {
      const r = await create({ subject: "Third", preview_text: "p", delay_value: 3, delay_unit: "days" })
      expect(r.status).toBe(201)
      // The documented create answer names no position (`position: null`); the email is appended.
      expect(at(r.json, "email")).toMatchObject({
        sequence_id: 1,
        position: null,
        published: false,
        content: null
      })
      expect(sim.state().sequences[0]?.emails.map((e) => e.position)).toEqual([0, 1, 2])
      const empty = await create(
        { subject: "First", preview_text: "p", delay_value: 0, delay_unit: "days" },
        3
      )
      expect(empty.status).toBe(201)
      expect(sim.state().sequences[2]?.emails.map((e) => e.position)).toEqual([0])
    })

    it("publishes on create when asked", async () => {
      const r = await create({ subject: "s", delay_value: 1, delay_unit: "days", published: true })
      expect(at(r.json, "email", "published")).toBe(true)
    })

    it("needs subject, delay_value and delay_unit", async () => {
      const r = await create({})
      expect(r.status).toBe(422)
      expect(r.json).toEqual({
        errors: ["subject can't be blank", "delay_value can't be blank", "delay_unit can't be blank"]
      })
      const bad = await create({ subject: "s", delay_value: -1, delay_unit: "weeks" })
      expect(bad.json).toEqual({
        errors: [
          "delay_value must be an integer greater than or equal to 0",
          "delay_unit must be one of: days, hours"
        ]
      })
    })

    it("refuses a position already taken (422), accepts a free one", async () => {
      const taken = await create({ subject: "s", delay_value: 1, delay_unit: "days", position: 1 })
      expect(taken.status).toBe(422)
      expect(taken.json).toEqual({ errors: ["position has already been taken"] })
      const free = await create({ subject: "s", delay_value: 1, delay_unit: "days", position: 5 })
      expect(free.status).toBe(201)
      expect(sim.state().sequences[0]?.emails.map((e) => e.position)).toEqual([0, 1, 5])
    })

    it("allows a zero delay only at position 0, in any unit", async () => {
      for (const unit of ["days", "hours"]) {
        const later = await create({ subject: "s", delay_value: 0, delay_unit: unit })
        expect(later.status).toBe(422)
        expect(later.json).toEqual({ errors: ["Subsequent emails need a positive delay"] })
      }
      const moveFirst = await api("PUT", "/v4/sequences/1/emails/1", { position: 7 })
      expect(moveFirst.json).toEqual({ errors: ["Subsequent emails need a positive delay"] })
      const observed = await KitSimulator.startAsync({ seed, profile: "observed" })
      try {
        const raw = makeClient(() => observed, false)
        const days = await raw("POST", "/v4/sequences/1/emails", {
          subject: "s",
          delay_value: 0,
          delay_unit: "days"
        })
        expect(days.json).toEqual({
          errors: ["delay_value must be greater than 0: only the first email can be sent immediately"]
        })
        const hours = await raw("POST", "/v4/sequences/1/emails", {
          subject: "s",
          delay_value: 0,
          delay_unit: "hours"
        })
        expect(hours.status).toBe(201)
      } finally {
        await observed.close()
      }
    })

    it("lists by position, content only with include_content=true", async () => {
      await api("PUT", "/v4/sequences/1/emails/1", { position: 4 })
      await api("PUT", "/v4/sequences/1/emails/1", { delay_value: 1 })
      // moving a 0-day email away from 0 must go with a positive delay
      const moved = await api("PUT", "/v4/sequences/1/emails/1", { position: 4, delay_value: 1 })
      expect(moved.status).toBe(200)
      const r = await api("GET", "/v4/sequences/1/emails")
      expect(list(r.json, "emails").map((e) => at(e, "id"))).toEqual([2, 1])
      expect(list(r.json, "emails").every((e) => isObj(e) && !("content" in e))).toBe(true)
      const withContent = await api("GET", "/v4/sequences/1/emails?include_content=true")
      expect(list(withContent.json, "emails").map((e) => at(e, "content"))).toEqual(["<p>1</p>", "<p>0</p>"])
    })

    it("always returns content on get; 404 for another sequence's email", async () => {
      const r = await api("GET", "/v4/sequences/1/emails/2")
      expect(at(r.json, "email")).toMatchObject({ id: 2, content: "<p>1</p>", position: 1, delay_value: 2 })
      expect((await api("GET", "/v4/sequences/2/emails/2")).status).toBe(404)
      expect((await api("GET", "/v4/sequences/1/emails/99")).status).toBe(404)
    })

    it("updates only the fields sent", async () => {
      const before = sim.state().sequences[0]?.emails[1]
      const r = await api("PUT", "/v4/sequences/1/emails/2", { subject: "New subject" })
      expect(r.status).toBe(200)
      expect(sim.state().sequences[0]?.emails[1]).toEqual({ ...before, subject: "New subject" })
    })

    it("overrides send_days per email and reverts with null", async () => {
      const set = await api("PUT", "/v4/sequences/1/emails/2", { send_days: ["monday", "wednesday"] })
      expect(at(set.json, "email", "send_days")).toEqual(["monday", "wednesday"])
      expect(sim.state().sequences[0]?.emails[1]?.send_days).toEqual(["monday", "wednesday"])
      const revert = await api("PUT", "/v4/sequences/1/emails/2", { send_days: null })
      expect(at(revert.json, "email", "send_days")).toEqual(ALL_DAYS)
      expect(sim.state().sequences[0]?.emails[1]?.send_days).toBeNull()
    })

    it("refuses send_days on an hours email (422)", async () => {
      // Documented: every schema types `send_days` as an array, so hour-based emails answer all seven days.
      const switched = await api("PUT", "/v4/sequences/1/emails/2", { delay_unit: "hours" })
      expect(switched.status).toBe(200)
      expect(at(switched.json, "email", "send_days")).toEqual(ALL_DAYS)
      const r = await api("PUT", "/v4/sequences/1/emails/2", { send_days: ["monday"] })
      expect(r.status).toBe(422)
      expect(list(r.json, "errors")).toHaveLength(1)
      const created = await create({
        subject: "s",
        delay_value: 2,
        delay_unit: "hours",
        send_days: ["monday"]
      })
      expect(created.status).toBe(422)
    })

    it("observed: hours emails answer send_days null (the create page's prose), or all days as a quirk", async () => {
      const other = await KitSimulator.startAsync({ seed, profile: "observed" })
      const quirk = await KitSimulator.startAsync({
        seed,
        profile: "observed",
        quirks: { hourEmailSendDays: "all_days" }
      })
      try {
        // `null` is outside the schema's `array`: checked without the contract.
        const r = await makeClient(() => other, false)("PUT", "/v4/sequences/1/emails/2", {
          delay_unit: "hours"
        })
        expect(at(r.json, "email", "send_days")).toBeNull()
        expect(other.state().sequences[0]?.emails[1]?.send_days).toBeNull()
        const q = await makeClient(() => quirk)("PUT", "/v4/sequences/1/emails/2", { delay_unit: "hours" })
        expect(at(q.json, "email", "send_days")).toEqual(ALL_DAYS)
      } finally {
        await other.close()
      }
    })

    it("answers position null on writes like the documents' examples; observed answers the position", async () => {
      const other = await KitSimulator.startAsync({ seed, profile: "observed" })
      try {
        const r = await api("PUT", "/v4/sequences/1/emails/2", { subject: "x" })
        expect(at(r.json, "email", "position")).toBeNull()
        const get = await api("GET", "/v4/sequences/1/emails/2")
        expect(at(get.json, "email", "position")).toBe(1)
        const seen = await makeClient(() => other)("PUT", "/v4/sequences/1/emails/2", { subject: "x" })
        expect(at(seen.json, "email", "position")).toBe(1)
        const created = await makeClient(() => other)("POST", "/v4/sequences/1/emails", {
          subject: "s",
          delay_value: 1,
          delay_unit: "days"
        })
        expect(at(created.json, "email", "position")).toBe(2)
      } finally {
        await other.close()
      }
    })

    it("refuses moving onto a taken position", async () => {
      const r = await api("PUT", "/v4/sequences/1/emails/2", { position: 0 })
      expect(r.status).toBe(422)
      expect(r.json).toEqual({ errors: ["position has already been taken"] })
    })

    it("deletes with 204 and keeps the others' positions", async () => {
      await create({ subject: "Third", preview_text: "p", delay_value: 1, delay_unit: "days" })
      const r = await api("DELETE", "/v4/sequences/1/emails/2")
      expect(r.status).toBe(204)
      expect(r.text).toBe("")
      expect(sim.state().sequences[0]?.emails.map((e) => [e.id, e.position])).toEqual([
        [1, 0],
        [3, 2]
      ])
      expect((await api("DELETE", "/v4/sequences/1/emails/2")).status).toBe(404)
      const next = await create({ subject: "Fourth", preview_text: "p", delay_value: 1, delay_unit: "days" })
      expect(at(next.json, "email", "id")).toBe(4)
      expect(sim.state().sequences[0]?.emails.map((e) => e.position)).toEqual([0, 2, 3])
    })
  })

  describe("subscribers", () => {
    it("adds by email: 201, then 200 when already in", async () => {
      const first = await api("POST", "/v4/sequences/1/subscribers", { email_address: "CAROL@example.com" })
      expect(first.status).toBe(201)
      expect(at(first.json, "subscriber")).toMatchObject({
        id: 12,
        email_address: "carol@example.com",
        state: "active"
      })
      const again = await api("POST", "/v4/sequences/1/subscribers", { email_address: "carol@example.com" })
      expect(again.status).toBe(200)
      expect(at(again.json, "subscriber", "added_at")).toBe(at(first.json, "subscriber", "added_at"))
    })

    it("adds by id: 201, then 200", async () => {
      expect((await api("POST", "/v4/sequences/3/subscribers/10")).status).toBe(201)
      expect((await api("POST", "/v4/sequences/3/subscribers/10", {})).status).toBe(200)
      expect((await api("POST", "/v4/sequences/1/subscribers/10")).status).toBe(200)
    })

    it("needs an existing subscriber and an active sequence", async () => {
      const unknown = await api("POST", "/v4/sequences/1/subscribers", { email_address: "who@example.com" })
      expect(unknown.status).toBe(404)
      expect((await api("POST", "/v4/sequences/1/subscribers/999")).status).toBe(404)
      // The by-id page documents no 422; Kit answers it like the by-email endpoint.
      const inactive = await makeClient(() => sim, false)("POST", "/v4/sequences/2/subscribers/10")
      expect(inactive.status).toBe(422)
      expect(inactive.json).toEqual({ errors: ["Sequence is inactive"] })
      expect((await api("POST", "/v4/sequences/1/subscribers", {})).status).toBe(422)
      expect((await api("POST", "/v4/sequences/77/subscribers/10")).status).toBe(404)
    })

    it("lists a sequence's subscribers with the status filter", async () => {
      await api("POST", "/v4/sequences/1/subscribers/11")
      const active = await api("GET", "/v4/sequences/1/subscribers")
      expect(list(active.json, "subscribers").map((s) => at(s, "id"))).toEqual([10])
      const all = await api("GET", "/v4/sequences/1/subscribers?status=all&include_total_count=true")
      expect(list(all.json, "subscribers").map((s) => at(s, "id"))).toEqual([11, 10])
      expect(at(all.json, "pagination", "total_count")).toBe(2)
      // Kit's document lists no 422 here; the simulator refuses an unknown filter rather than ignore it.
      expect(
        (await makeClient(() => sim, false)("GET", "/v4/sequences/1/subscribers?status=gone")).status
      ).toBe(422)
      // An empty page has null cursors (see "pagination"): checked without the contract.
      const future = await makeClient(() => sim, false)(
        "GET",
        "/v4/sequences/1/subscribers?status=all&added_after=2999-01-01"
      )
      expect(list(future.json, "subscribers")).toEqual([])
    })
  })

  describe("pagination", () => {
    // A 422 on a list is not in the documents: those answers are checked without the contract.
    const raw = makeClient(() => sim, false)

    it("answers an empty list with string cursors (documented), null ones (observed)", async () => {
      const r = await api("GET", "/v4/sequences/3/emails")
      const empty = (cursor: string | null) => ({
        emails: [],
        pagination: {
          has_previous_page: false,
          has_next_page: false,
          start_cursor: cursor,
          end_cursor: cursor,
          per_page: 500
        }
      })
      expect(r.json).toEqual(empty(""))
      const observed = await KitSimulator.startAsync({ seed, profile: "observed" })
      try {
        // Null cursors are outside the documents' `type: string`: checked without the contract.
        const seen = await makeClient(() => observed, false)("GET", "/v4/sequences/3/emails")
        expect(seen.json).toEqual(empty(null))
      } finally {
        await observed.close()
      }
    })

    it("walks 2.5 pages forward with after and back with before", async () => {
      sim.reset({ sequences: Array.from({ length: 5 }, (_, i) => ({ name: `S${i + 1}` })) })
      const p1 = await api("GET", "/v4/sequences?per_page=2&include_total_count=true")
      expect(list(p1.json, "sequences").map((s) => at(s, "id"))).toEqual([1, 2])
      expect(at(p1.json, "pagination")).toMatchObject({
        has_previous_page: false,
        has_next_page: true,
        per_page: 2,
        total_count: 5
      })
      const p2 = await api("GET", `/v4/sequences?per_page=2&after=${at(p1.json, "pagination", "end_cursor")}`)
      expect(list(p2.json, "sequences").map((s) => at(s, "id"))).toEqual([3, 4])
      expect(at(p2.json, "pagination")).toMatchObject({ has_previous_page: true, has_next_page: true })
      expect(at(p2.json, "pagination", "total_count")).toBeUndefined()
      const p3 = await api("GET", `/v4/sequences?per_page=2&after=${at(p2.json, "pagination", "end_cursor")}`)
      expect(list(p3.json, "sequences").map((s) => at(s, "id"))).toEqual([5])
      expect(at(p3.json, "pagination")).toMatchObject({ has_previous_page: true, has_next_page: false })
      const back = await api(
        "GET",
        `/v4/sequences?per_page=2&before=${at(p3.json, "pagination", "start_cursor")}`
      )
      expect(list(back.json, "sequences").map((s) => at(s, "id"))).toEqual([3, 4])
      const first = await api(
        "GET",
        `/v4/sequences?per_page=2&before=${at(back.json, "pagination", "start_cursor")}`
      )
      expect(list(first.json, "sequences").map((s) => at(s, "id"))).toEqual([1, 2])
      expect(at(first.json, "pagination", "has_previous_page")).toBe(false)
    })

    it("answers a single page whole, and pages emails by position", async () => {
      const one = await api("GET", "/v4/sequences/1/emails?per_page=1")
      expect(list(one.json, "emails").map((e) => at(e, "id"))).toEqual([1])
      const two = await api(
        "GET",
        `/v4/sequences/1/emails?per_page=1&after=${at(one.json, "pagination", "end_cursor")}`
      )
      expect(list(two.json, "emails").map((e) => at(e, "id"))).toEqual([2])
      expect(at(two.json, "pagination", "has_next_page")).toBe(false)
    })

    it("clamps per_page to 1000, refuses nonsense", async () => {
      sim.reset({ sequences: Array.from({ length: 1005 }, (_, i) => ({ name: `S${i}` })) })
      const r = await api("GET", "/v4/sequences?per_page=5000")
      expect(list(r.json, "sequences")).toHaveLength(1000)
      expect(at(r.json, "pagination", "per_page")).toBe(1000)
      const dflt = await api("GET", "/v4/sequences")
      expect(list(dflt.json, "sequences")).toHaveLength(500)
      expect((await raw("GET", "/v4/sequences?per_page=0")).status).toBe(422)
      expect((await raw("GET", "/v4/sequences?per_page=abc")).status).toBe(422)
      expect((await raw("GET", "/v4/sequences?after=!!notacursor")).status).toBe(422)
    })
  })

  describe("seed, state, reset and log", () => {
    it("assigns ids and defaults to seeds", () => {
      const s = sim.state()
      expect(s.sequences.map((x) => x.id)).toEqual([1, 2, 3])
      expect(s.sequences[0]?.emails.map((e) => [e.id, e.position, e.delay_value])).toEqual([
        [1, 0, 0],
        [2, 1, 2]
      ])
      expect(s.subscribers.map((x) => x.id)).toEqual([10, 11, 12])
      expect(s.sequences[0]?.subscribers.map((m) => m.subscriber_id)).toEqual([10])
    })

    it("seed() adds, reset() goes back, reset(seed) replaces the baseline", async () => {
      sim.seed({ sequences: [{ name: "Added" }] })
      expect(sim.state().sequences.map((s) => s.id)).toEqual([1, 2, 3, 4])
      await api("DELETE", "/v4/sequences/1")
      sim.reset()
      expect(sim.state().sequences.map((s) => s.id)).toEqual([1, 2, 3])
      sim.reset({ sequences: [{ id: 50, name: "Only" }] })
      expect(sim.state().sequences.map((s) => s.id)).toEqual([50])
      expect(at((await api("POST", "/v4/sequences", { name: "n" })).json, "sequence", "id")).toBe(51)
    })

    it("rejects a seed that breaks Kit's rules", () => {
      expect(() => sim.seed({ sequences: [{ id: 1, name: "dup" }] })).toThrow()
      expect(() =>
        sim.seed({
          sequences: [
            {
              name: "x",
              emails: [
                { subject: "a", position: 0 },
                { subject: "b", position: 0 }
              ]
            }
          ]
        })
      ).toThrow()
    })

    it("state() is a copy", () => {
      const s = sim.state()
      const first = s.sequences[0]
      if (first !== undefined) Object.assign(first, { name: "mutated" })
      expect(sim.state().sequences[0]?.name).toBe("Welcome")
    })

    it("logs method, path, query, body, status, auth and operation", async () => {
      await api("PUT", "/v4/sequences/1?x=1", { name: "Renamed" })
      await api("GET", "/v4/sequences/1/emails?include_content=true")
      expect(sim.requests).toEqual([
        {
          method: "PUT",
          path: "/v4/sequences/1",
          query: { x: "1" },
          body: { name: "Renamed" },
          status: 200,
          auth: "api_key",
          operation: "updateSequence",
          fault: null,
          at: expect.any(Number),
          response: {
            contentType: "application/json; charset=utf-8",
            text: expect.stringContaining('"Renamed"')
          }
        },
        expect.objectContaining({
          method: "GET",
          body: null,
          operation: "listEmails",
          query: { include_content: "true" }
        })
      ])
      sim.clearLog()
      expect(sim.requests).toEqual([])
    })
  })
})

describe("KitSimulator rate limit", () => {
  let clock = 0
  let sim: KitSimulator.KitSimulator
  const api = makeClient(() => sim, false)
  beforeAll(async () => {
    sim = await KitSimulator.startAsync({
      apiKeys: [KEY, "kit_other"],
      oauthTokens: [TOKEN],
      now: () => clock,
      rateLimit: { apiKey: { limit: 3, windowMs: 1000 }, oauth: { limit: 5, windowMs: 1000 } }
    })
  })
  afterAll(() => sim.close())

  it("answers a plain-text 429 per credential, until the window passes", async () => {
    for (let i = 0; i < 3; i++) expect((await api("GET", "/v4/sequences")).status).toBe(200)
    const limited = await api("GET", "/v4/sequences")
    expect(limited.status).toBe(429)
    expect(limited.text).toBe("Retry later")
    expect(limited.headers.get("content-type")).toBe("text/plain")
    expect(limited.headers.get("retry-after")).toBeNull()
    expect([...limited.headers.keys()].filter((h) => h.includes("rate"))).toEqual([])
    // Another key and an OAuth token have their own budgets.
    expect((await api("GET", "/v4/sequences", undefined, { "X-Kit-Api-Key": "kit_other" })).status).toBe(200)
    for (let i = 0; i < 5; i++) {
      expect(
        (await api("GET", "/v4/sequences", undefined, { Authorization: `Bearer ${TOKEN}` })).status
      ).toBe(200)
    }
    expect((await api("GET", "/v4/sequences", undefined, { Authorization: `Bearer ${TOKEN}` })).status).toBe(
      429
    )
    clock += 999
    expect((await api("GET", "/v4/sequences")).status).toBe(429)
    clock += 1
    expect((await api("GET", "/v4/sequences")).status).toBe(200)
  })

  it("defaults to 120 requests a minute for a key, and can be disabled", async () => {
    let t = 0
    const dflt = await KitSimulator.startAsync({ now: () => t })
    const off = await KitSimulator.startAsync({ rateLimit: false })
    try {
      const get = (s: KitSimulator.KitSimulator) =>
        fetch(`${s.url}/v4/sequences`, { headers: { "X-Kit-Api-Key": KEY } }).then(async (r) => {
          await r.text()
          return r.status
        })
      const statuses: Array<number> = []
      for (let i = 0; i < 121; i++) statuses.push(await get(dflt))
      expect(statuses.filter((s) => s === 200)).toHaveLength(120)
      expect(statuses[120]).toBe(429)
      t += 60_000
      expect(await get(dflt)).toBe(200)
      for (let i = 0; i < 130; i++) expect(await get(off)).toBe(200)
    } finally {
      await dflt.close()
      await off.close()
    }
  })
})

describe("KitSimulator faults", () => {
  let sim: KitSimulator.KitSimulator
  const api = makeClient(() => sim, false)
  const createBody = { name: "F" }
  beforeAll(async () => {
    sim = await KitSimulator.startAsync({ rateLimit: false, seed: { sequences: [{ name: "Base" }] } })
  })
  afterAll(() => sim.close())
  beforeEach(() => {
    sim.setFaults(undefined)
    sim.reset()
    sim.clearLog()
  })
  const count = () => sim.state().sequences.length

  it("is off by default", async () => {
    for (let i = 0; i < 20; i++) expect((await api("GET", "/v4/sequences")).status).toBe(200)
    expect(sim.faultCounts.total).toBe(0)
  })

  it("gives concurrent creates distinct ids while one is held open", async () => {
    sim.seed({ sequences: [{ id: 50, name: "Other" }] })
    sim.setFaults({ operations: { createEmail: { hang: { rate: 1, hangMs: 300 } } }, limit: 1 })
    const body = { subject: "S", delay_value: 0, delay_unit: "days" }
    const held = api("POST", "/v4/sequences/1/emails", body)
    // The first create is planned and held; the second one is planned and answered meanwhile.
    while (sim.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const quick = await api("POST", "/v4/sequences/50/emails", body)
    const late = await held
    expect([late.status, quick.status]).toEqual([201, 201])
    const ids = [at(late.json, "email", "id"), at(quick.json, "email", "id")]
    expect(new Set(ids).size).toBe(2)
    const stored = sim.state().sequences.flatMap((s) => s.emails.map((e) => e.id))
    expect(new Set(stored).size).toBe(stored.length)
    expect(stored).toEqual(expect.arrayContaining(ids))
    const sequences = await Promise.all([
      api("POST", "/v4/sequences", createBody),
      api("POST", "/v4/sequences", createBody)
    ])
    expect(new Set(sequences.map((r) => at(r.json, "sequence", "id"))).size).toBe(2)
  })

  it("answers 5xx without committing, or after committing when asked", async () => {
    sim.setFaults({ operations: { createSequence: { serverError: { rate: 1, statuses: [503] } } } })
    const r = await api("POST", "/v4/sequences", createBody)
    expect(r.status).toBe(503)
    expect(r.headers.get("content-type")).toContain("text/html")
    expect(count()).toBe(1)
    expect((await api("GET", "/v4/sequences")).status).toBe(200)
    sim.setFaults({
      operations: { createSequence: { serverError: { rate: 1, statuses: [500], afterCommit: true } } }
    })
    const committed = await api("POST", "/v4/sequences", createBody)
    expect(committed.status).toBe(500)
    expect(committed.json).toEqual({ errors: ["Internal Server Error"] })
    expect(count()).toBe(2)
    expect(sim.faultCounts).toMatchObject({ serverError: 1, total: 1 })
    expect(sim.requests.at(-1)).toMatchObject({
      status: 500,
      fault: "serverError",
      operation: "createSequence"
    })
  })

  it("hangs until the client gives up, changing nothing", async () => {
    sim.setFaults({ all: { hang: { rate: 1 } } })
    await expect(
      fetch(`${sim.url}/v4/sequences`, {
        method: "POST",
        headers: { "X-Kit-Api-Key": KEY, "content-type": "application/json" },
        body: JSON.stringify(createBody),
        signal: AbortSignal.timeout(150)
      })
    ).rejects.toThrow()
    expect(count()).toBe(1)
    expect(sim.requests.at(-1)).toMatchObject({ status: null, fault: "hang" })
  })

  it("hangs for hangMs and then answers", async () => {
    sim.setFaults({ all: { hang: { rate: 1, hangMs: 120 } } })
    const started = performance.now()
    const r = await api("POST", "/v4/sequences", createBody)
    expect(performance.now() - started).toBeGreaterThanOrEqual(100)
    expect(r.status).toBe(201)
    expect(count()).toBe(2)
  })

  it("resets the connection mid-body, before or after the commit", async () => {
    sim.setFaults({ operations: { createSequence: { reset: { rate: 1 } } } })
    const send = () =>
      fetch(`${sim.url}/v4/sequences`, {
        method: "POST",
        headers: { "X-Kit-Api-Key": KEY, "content-type": "application/json" },
        body: JSON.stringify(createBody)
      }).then((r) => r.text())
    await expect(send()).rejects.toThrow()
    expect(count()).toBe(1)
    sim.setFaults({ operations: { createSequence: { reset: { rate: 1, afterCommit: true } } } })
    await expect(send()).rejects.toThrow()
    expect(count()).toBe(2)
    expect(sim.faultCounts.reset).toBe(1)
  })

  it("drips a slow body that still parses", async () => {
    sim.setFaults({ operations: { listSequences: { slowBody: { rate: 1, slowMs: 200 } } } })
    const started = performance.now()
    const r = await api("GET", "/v4/sequences")
    expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    expect(list(r.json, "sequences")).toHaveLength(1)
    expect(sim.faultCounts.slowBody).toBe(1)
  })

  it.each([
    ["truncated_json", 200],
    ["wrong_types", 200],
    ["html_200", 200],
    ["html_502", 502]
  ] as const)("sends a malformed body: %s", async (kind, status) => {
    sim.setFaults({ operations: { getSequence: { malformed: { rate: 1, kinds: [kind] } } } })
    const r = await api("GET", "/v4/sequences/1")
    expect(r.status).toBe(status)
    if (kind === "wrong_types") expect(at(r.json, "sequence", "id")).toBe("abc")
    else expect(r.json).toBeNull()
    if (kind.startsWith("html")) expect(r.text).toContain("<html>")
    expect(sim.faultCounts.malformed).toBe(1)
  })

  it("does not commit a malformed write unless afterCommit", async () => {
    sim.setFaults({ all: { malformed: { rate: 1, kinds: ["truncated_json"] } } })
    await api("POST", "/v4/sequences", createBody)
    expect(count()).toBe(1)
    sim.setFaults({ all: { malformed: { rate: 1, kinds: ["wrong_types"], afterCommit: true } } })
    await api("POST", "/v4/sequences", createBody)
    expect(count()).toBe(2)
  })

  it("is deterministic for a seed, and applies per operation", async () => {
    const run = async (seedValue: number) => {
      sim.setFaults({
        seed: seedValue,
        all: { serverError: { rate: 0.3 }, malformed: { rate: 0.2, kinds: ["html_502"] } },
        operations: { getSequence: {} }
      })
      const out: Array<number> = []
      for (let i = 0; i < 30; i++) out.push((await api("GET", "/v4/sequences")).status)
      for (let i = 0; i < 5; i++) expect((await api("GET", "/v4/sequences/1")).status).toBe(200)
      return { out, counts: sim.faultCounts }
    }
    const a = await run(42)
    const b = await run(42)
    const c = await run(7)
    expect(a).toEqual(b)
    expect(a.out).not.toEqual(c.out)
    expect(a.out.some((s) => s !== 200)).toBe(true)
    expect(a.out.some((s) => s === 200)).toBe(true)
    expect(a.counts.total).toBe(a.out.filter((s) => s !== 200).length)
  })

  it("stops after limit faults", async () => {
    sim.setFaults({ all: { serverError: { rate: 1, statuses: [502] } }, limit: 2 })
    const statuses: Array<number> = []
    for (let i = 0; i < 4; i++) statuses.push((await api("GET", "/v4/sequences")).status)
    expect(statuses).toEqual([502, 502, 200, 200])
  })
})

describe("KitSimulator with Effect", () => {
  effectIt.scoped("starts in a scope and closes with it", () =>
    Effect.gen(function* () {
      const sim = yield* KitSimulator.start({ seed: { sequences: [{ name: "E" }] } })
      const status = yield* Effect.promise(() =>
        fetch(`${sim.url}/v4/sequences/1`, { headers: { "X-Kit-Api-Key": KEY } }).then((r) => r.status)
      )
      expect(status).toBe(200)
    })
  )

  it("the port is free after the scope closes", async () => {
    const url = await Effect.runPromise(Effect.scoped(Effect.map(KitSimulator.start(), (sim) => sim.url)))
    await expect(fetch(`${url}/v4/sequences`)).rejects.toThrow()
  })
})

describe("KitSimulator at scale", () => {
  it("pages through 100,000 sequences in pages of 1,000", async () => {
    const sim = await KitSimulator.startAsync({
      rateLimit: false,
      seed: { sequences: Array.from({ length: 100_000 }, (_, i) => ({ name: `Sequence ${i}` })) }
    })
    try {
      let after = ""
      let seen = 0
      let pages = 0
      for (;;) {
        const res = await fetch(`${sim.url}/v4/sequences?per_page=1000${after}`, {
          headers: { "X-Kit-Api-Key": KEY }
        })
        const body: unknown = await res.json()
        seen += list(body, "sequences").length
        pages++
        if (at(body, "pagination", "has_next_page") !== true) break
        after = `&after=${at(body, "pagination", "end_cursor")}`
      }
      expect(seen).toBe(100_000)
      expect(pages).toBe(100)
    } finally {
      await sim.close()
    }
  })
})

describe.skipIf(kitSequences.contract === undefined || kitEmails.contract === undefined)(
  `KitSimulator against Kit's OpenAPI documents ${kitSequences.reason ?? kitEmails.reason ?? ""}`,
  () => {
    it("exercises every documented operation with conforming requests and responses", async () => {
      const sim = await KitSimulator.startAsync({ seed, rateLimit: false })
      const api = makeClient(() => sim)
      const contracts = [kitSequences.contract, kitEmails.contract].flatMap((c) =>
        c === undefined ? [] : [c]
      )
      const call = async (method: string, path: string, body?: Obj) => {
        for (const c of contracts) {
          if (c.match(method, path) !== undefined)
            expect(c.validateRequest(method, path, body).errors).toEqual([])
        }
        return api(method, path, body)
      }
      try {
        await call("GET", "/v4/sequences?include_total_count=true")
        await call("POST", "/v4/sequences", {
          name: "Full",
          send_days: ["monday"],
          send_hour: 9,
          time_zone: "Europe/Berlin"
        })
        await call("GET", "/v4/sequences/4")
        await call("PUT", "/v4/sequences/4", {
          name: "Renamed",
          exclude_subscriber_sources: [{ type: "form", ids: [1] }]
        })
        await call("POST", "/v4/sequences/4/emails", {
          subject: "One",
          preview_text: "p",
          content: "<p>c</p>",
          delay_value: 0,
          delay_unit: "days"
        })
        await call("GET", "/v4/sequences/4/emails?include_content=true")
        await call("GET", "/v4/sequences/4/emails/3")
        await call("PUT", "/v4/sequences/4/emails/3", {
          subject: "Two",
          send_days: ["friday"],
          published: true
        })
        await call("POST", "/v4/sequences/4/subscribers", { email_address: "alice@example.com" })
        await call("POST", "/v4/sequences/4/subscribers/11", {})
        await call("GET", "/v4/sequences/4/subscribers?status=all")
        await call("DELETE", "/v4/sequences/4/emails/3")
        await call("DELETE", "/v4/sequences/4")
        await call("GET", "/v4/sequences/4")
        for (const c of contracts) expect(c.uncovered(sim.requests)).toEqual([])
        expect(sim.requests.every((r) => r.status !== null && r.status < 500)).toBe(true)
      } finally {
        await sim.close()
      }
    })
  }
)

describe("KitSimulator profiles", () => {
  const bare: KitSimulator.Seed = {
    sequences: [
      {
        id: 1,
        name: "Bare",
        email_address: null,
        emails: [{ subject: "No text" }, { subject: "Later", delay_value: 2, delay_unit: "hours" }]
      }
    ]
  }

  it("documented: no null where the answer's schema types a field as non-null", async () => {
    const sim = await KitSimulator.startAsync({ seed: bare, rateLimit: false })
    const api = makeClient(() => sim)
    try {
      const got = await api("GET", "/v4/sequences/1/emails/1")
      expect(at(got.json, "email")).toMatchObject({ preview_text: "", content: "" })
      const listed = await api("GET", "/v4/sequences/1/emails?include_content=true")
      expect(list(listed.json, "emails").map((e) => at(e, "send_days"))).toEqual([ALL_DAYS, ALL_DAYS])
      const updated = await api("PUT", "/v4/sequences/1/emails/1", { subject: "Edited" })
      expect(at(updated.json, "email")).toMatchObject({ preview_text: "", content: null, position: null })
      const created = await api("POST", "/v4/sequences/1/emails", {
        subject: "New",
        delay_value: 1,
        delay_unit: "days"
      })
      expect(at(created.json, "email")).toMatchObject({ preview_text: null, content: null, position: null })
      // The read answers allow a null sender; the update answer types it as a string.
      expect(at((await api("GET", "/v4/sequences/1")).json, "sequence", "email_address")).toBeNull()
      const renamed = await api("PUT", "/v4/sequences/1", { name: "Renamed" })
      expect(at(renamed.json, "sequence", "email_address")).toBe("owner@example.com")
    } finally {
      await sim.close()
    }
  })

  it("observed: answers the stored nulls", async () => {
    const sim = await KitSimulator.startAsync({ seed: bare, rateLimit: false, profile: "observed" })
    const raw = makeClient(() => sim, false)
    try {
      const got = await raw("GET", "/v4/sequences/1/emails/1")
      expect(at(got.json, "email")).toMatchObject({ preview_text: null, content: null, position: 0 })
      const renamed = await raw("PUT", "/v4/sequences/1", { name: "Renamed" })
      expect(at(renamed.json, "sequence", "email_address")).toBeNull()
    } finally {
      await sim.close()
    }
  })

  it("answers the documented 403 to a create when the account cannot create", async () => {
    const sim = await KitSimulator.startAsync({ createForbidden: true, rateLimit: false })
    const api = makeClient(() => sim)
    try {
      const r = await api("POST", "/v4/sequences", { name: "x" })
      expect(r.status).toBe(403)
      expect(r.json).toEqual({
        errors: ["You do not have sufficient permissions to access this resource. Please contact support."]
      })
      expect(sim.state().sequences).toEqual([])
      expect((await api("GET", "/v4/sequences")).status).toBe(200)
    } finally {
      await sim.close()
    }
  })
})
