/**
 * Faithful to Apollo's document: every field the adapter sends is one the operation's own request
 * schema lists (create and update list different step and touch fields), no integer is sent as
 * `null`, every query parameter is named as the document names it, and the documented example bodies
 * (JSON strings for the schedule and mailbox lists) decode. The document is read from
 * `../shared/specs`; outside CI, a clone without it skips with the reason.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { OpenApiContract } from "@unisequence/testing"
import { Effect, Schema } from "effect"
import * as W from "../src/internal/wire.js"
import { fourSteps, harness, seededId } from "./helpers.js"

const specFile = NodePath.join(OpenApiContract.sharedDir(), "specs", "apollo-sequences-openapi.json")
const missing = NodeFs.existsSync(specFile)
  ? undefined
  : `${specFile} not found: the provider documents live in ../shared next to the repository`
if (missing !== undefined && process.env.CI === "true") throw new Error(`Missing under CI: ${missing}`)
if (missing !== undefined) console.warn(`Skipping: ${missing}`)

type Json = { readonly [key: string]: unknown }
const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const spec = (): Json => JSON.parse(NodeFs.readFileSync(specFile, "utf8")) as Json
const at = (value: unknown, ...keys: ReadonlyArray<string>): unknown =>
  keys.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value)

/** The request schema of an operation, and its documented query parameters and example answers. */
const operation = (path: string, method: string) => at(spec(), "paths", path, method)
const requestSchema = (path: string, method: string) =>
  at(operation(path, method), "requestBody", "content", "application/json", "schema")

/**
 * Every field of `body` the schema does not list, and every `null` where the schema does not allow
 * one, by path. Objects are checked against `properties`, arrays item by item.
 */
const offSchema = (body: unknown, schema: unknown, path = ""): ReadonlyArray<string> => {
  if (body === null) return at(schema, "nullable") === true ? [] : [`${path}: null`]
  if (Array.isArray(body))
    return body.flatMap((item, i) => offSchema(item, at(schema, "items"), `${path}[${i}]`))
  if (!isObject(body)) return []
  const properties = at(schema, "properties")
  if (!isObject(properties)) return []
  return Object.entries(body).flatMap(([key, value]) => {
    const field = path === "" ? key : `${path}.${key}`
    return key in properties ? offSchema(value, properties[key], field) : [`${field}: not in the document`]
  })
}

const seeded = { seed: { sequences: [{ name: "Four", emailer_steps: fourSteps }] } }

describe.skipIf(missing !== undefined)(`Apollo: what the document lists ${missing ?? ""}`, () => {
  it("the walker finds an undocumented field and a null integer (it can fail)", () => {
    const update = requestSchema("/sequences/{id}", "put")
    expect(
      offSchema(
        {
          max_emails_per_day: null,
          emailer_steps: [{ id: "s", note: "n", emailer_touches: [{ id: "t", type: "new_thread" }] }]
        },
        update
      )
    ).toEqual([
      "max_emails_per_day: null",
      "emailer_steps[0].note: not in the document",
      "emailer_steps[0].emailer_touches[0].type: not in the document"
    ])
  })

  it.scoped("create, update and every step edit send only the fields their operation documents", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const s = apollo.sequences
      const id = seededId(sim)
      const created = yield* s.create({
        name: "Documented",
        cc: ["cc@example.com"],
        limits: { maxEmailsPerDay: null, sameAccountReplyDelayDays: 3 },
        providerOptions: { apollo: { creationType: "new" } },
        steps: [
          {
            delay: { value: 0, unit: "minutes" },
            email: { subject: "A", html: "<p>A</p>" },
            published: true
          },
          {
            delay: { value: 2, unit: "days" },
            email: { subject: "", html: "<p>again</p>", thread: "reply" },
            variants: [{ email: { subject: "", html: "<p>B</p>", thread: "reply" } }]
          },
          {
            delay: { value: 1, unit: "days" },
            type: "call",
            providerOptions: { apollo: { priority: "high", note: "Call them", autoSkipInXDays: 2 } }
          }
        ]
      })
      yield* s.update(created.id, { name: "Documented 2", limits: { maxEmailsPerDay: 30 } })
      // Every step of a sequence with replies, calls with notes and A/B touches, edited in each way.
      const four = yield* s.get(id)
      yield* s.updateStep(id, four.steps[1]!.id, { email: { subject: "Ping 2" }, published: true })
      yield* s.updateStep(id, four.steps[2]!.id, { delay: { value: 4, unit: "days" } })
      yield* s.addStep(id, { delay: { value: 1, unit: "days" }, email: { subject: "New", html: "<p>n</p>" } })
      yield* s.moveStep(id, four.steps[3]!.id, 0)
      yield* s.removeStep(id, four.steps[0]!.id)
      const again = yield* s.get(id)
      yield* s.replaceSteps(id, again.steps)
      yield* s.replaceSteps(id, [...again.steps].reverse())

      const writes = sim.requests.filter(
        (r) => (r.method === "POST" || r.method === "PUT") && /\/api\/v1\/sequences/.test(r.path)
      )
      expect(writes.filter((r) => r.method === "POST")).toHaveLength(1)
      expect(writes.filter((r) => r.method === "PUT").length).toBeGreaterThanOrEqual(7)
      const create = requestSchema("/sequences", "post")
      const update = requestSchema("/sequences/{id}", "put")
      expect(isObject(create) && isObject(update)).toBe(true)
      for (const write of writes) {
        expect([
          write.method,
          write.path,
          offSchema(write.body, write.method === "POST" ? create : update)
        ]).toEqual([write.method, write.path, []])
      }
      // What the create could not take went in the one update after it, and nothing was lost.
      const state = sim.state().sequences.find((x) => x.id === created.id)!
      expect(state.cc_emails).toBe("cc@example.com")
      expect(state.emailer_steps[2]!.note).toBe("Call them")
      expect(state.emailer_steps[1]!.emailer_touches.map((t) => t.type)).toEqual([
        "reply_to_thread",
        "reply_to_thread"
      ])
    })
  )

  it.scoped("every add_contact_ids parameter is one the document names, mailboxes without brackets", () =>
    Effect.gen(function* () {
      const { sim, apollo } = yield* harness(seeded)
      const id = seededId(sim)
      const contacts = sim.state().contacts.map((c) => c.id)
      const accounts = sim.state().emailAccounts.map((a) => a.id)
      expect(accounts.length).toBeGreaterThanOrEqual(1)
      const rotation = [accounts[0]!, accounts[accounts.length - 1]!]
      yield* apollo.client.addContactIds(id, {
        contactIds: contacts.slice(0, 2),
        sendEmailFromEmailAccountId: rotation,
        sequenceUnverifiedEmail: true
      })
      const documented = new Set(
        (
          at(
            operation("/emailer_campaigns/{sequence_id}/add_contact_ids", "post"),
            "parameters"
          ) as Array<Json>
        )
          .filter((p) => p.in === "query")
          .map((p) => p.name)
      )
      const sent = Object.keys(sim.requests[0]!.query)
      expect(sent.filter((name) => !documented.has(name))).toEqual([])
      expect(sim.requests[0]!.query.send_email_from_email_account_id).toEqual(rotation)
      expect(sim.requests[0]!.status).toBe(200)
    })
  )

  it("the documented example answers of the schedule and mailbox lists decode, JSON strings as they are", () => {
    const example = (path: string) =>
      at(
        operation(path, "get"),
        "responses",
        "200",
        "content",
        "application/json",
        "examples",
        "Result",
        "value"
      )
    const schedules = example("/emailer_schedules")
    const accounts = example("/email_accounts")
    // The document gives both as JSON-encoded strings.
    expect(typeof schedules).toBe("string")
    expect(typeof accounts).toBe("string")
    const decodedSchedules = Schema.decodeUnknownSync(W.SchedulesResponse)(schedules)
    expect(decodedSchedules.emailer_schedules?.map((s) => s.name)).toEqual([
      "Normal Business Hours",
      "West Coast Afternoons"
    ])
    const decodedAccounts = Schema.decodeUnknownSync(W.EmailAccountsResponse)(accounts)
    expect(decodedAccounts.email_accounts?.[0]?.email).toBe("test.liam@apollomail.io")
    // And as objects.
    expect(Schema.decodeUnknownSync(W.SchedulesResponse)(JSON.parse(schedules as string))).toEqual(
      decodedSchedules
    )
  })
})

describe("Apollo: string-encoded list answers (the simulator's quirk)", () => {
  it.scoped(
    "schedules and mailboxes answered as JSON strings are read: a get names its schedule, enrol finds a mailbox",
    () =>
      Effect.gen(function* () {
        const { sim, apollo } = yield* harness({
          ...seeded,
          quirks: { readOneSequence: true, stringEncodedLists: true }
        })
        const id = seededId(sim)
        const read = yield* apollo.sequences.get(id)
        expect(read.schedule?._tag === "Named" && read.schedule.name).toBeTruthy()
        const answered = sim.requests.find((r) => r.path === "/api/v1/emailer_schedules")!
        expect(answered.status).toBe(200)
        const contacts = sim.state().contacts.map((c) => c.id)
        const result = yield* apollo.sequences.enroll(id, { ids: contacts.slice(0, 1) })
        expect(result.added).toBe(1)
        const accounts = yield* apollo.client.listEmailAccounts
        expect(accounts.value.length).toBeGreaterThan(0)
      })
  )
})
