import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it, vi } from "vitest"
import * as YAML from "yaml"
import * as OpenApiContract from "../src/OpenApiContract.js"

type Obj = { readonly [key: string]: unknown }
const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)
const at = (u: unknown, ...keys: ReadonlyArray<string>): unknown => {
  let node = u
  for (const k of keys) node = isObj(node) ? node[k] : undefined
  return node
}

const doc = {
  openapi: "3.0.3",
  info: { title: "Test API", version: "1" },
  servers: [{ url: "https://api.example.com/api/v1" }],
  paths: {
    "/things": {
      get: {
        operationId: "listThings",
        responses: {
          "200": {
            description: "ok",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { things: { type: "array", items: { $ref: "#/components/schemas/Thing" } } },
                  required: ["things"]
                }
              }
            }
          },
          "4XX": { $ref: "#/components/responses/Error" },
          "401": { description: "plain", content: { "text/plain": { schema: { type: "string" } } } }
        }
      },
      post: {
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/NewThing" } } }
        },
        responses: {
          "201": {
            description: "created",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } }
          }
        }
      }
    },
    "/things/{id}": {
      get: {
        responses: {
          "200": {
            description: "ok",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } }
          },
          default: { $ref: "#/components/responses/Error" }
        }
      },
      delete: { responses: { "204": { description: "gone" } } }
    },
    "/things/search": {
      post: {
        responses: { "200": { description: "no schema", content: { "application/json": {} } } }
      }
    }
  },
  components: {
    schemas: {
      Thing: {
        allOf: [
          { type: "object", properties: { id: { type: "integer" } }, required: ["id"] },
          {
            type: "object",
            properties: {
              // A property named like keywords must stay a property.
              nullable: { type: "boolean" },
              type: { type: "string", enum: ["a", "b"], nullable: true },
              note: { nullable: true },
              owner: { $ref: "#/components/schemas/Owner", nullable: true },
              kind: { oneOf: [{ type: "string" }, { type: "integer" }] },
              tag: { anyOf: [{ type: "string", format: "date-time" }, { type: "boolean" }] },
              size: { type: "integer", format: "int64" }
            },
            required: ["type", "note"]
          }
        ]
      },
      Owner: {
        type: "object",
        properties: { name: { type: "string" } },
        required: ["name"],
        example: { name: "x" }
      },
      NewThing: { type: "object", properties: { name: { type: "string" } }, required: ["name"] }
    },
    responses: {
      Error: {
        description: "error",
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: { errors: { type: "array", items: { type: "string" } } },
              required: ["errors"]
            }
          }
        }
      }
    }
  }
}

describe("OpenApiContract.make", () => {
  const c = OpenApiContract.make(doc, "test")

  it("lists the operations and compiles every schema", () => {
    expect(c.title).toBe("Test API")
    expect(c.operations.map((o) => `${o.method} ${o.path}`)).toEqual([
      "GET /things",
      "POST /things",
      "GET /things/{id}",
      "DELETE /things/{id}",
      "POST /things/search"
    ])
    expect(c.compileAll()).toEqual([])
  })

  it("matches concrete paths, literal segments first, with or without the server base path", () => {
    expect(c.match("get", "/things/12?x=1")).toMatchObject({ path: "/things/{id}", params: { id: "12" } })
    expect(c.match("POST", "/things/search")?.path).toBe("/things/search")
    expect(c.match("POST", "/api/v1/things/search")?.path).toBe("/things/search")
    expect(c.match("PUT", "/things/1")).toBeUndefined()
  })

  it("resolves $ref, allOf, oneOf, anyOf and nullable", () => {
    const valid = {
      id: 1,
      type: null,
      note: null,
      owner: null,
      kind: 3,
      tag: "2024-01-01T00:00:00Z",
      nullable: true
    }
    expect(c.validateResponse("GET", "/things/1", 200, valid)).toEqual({ documented: true, errors: [] })
    expect(
      c.validateResponse("GET", "/things/1", 200, {
        ...valid,
        type: "a",
        note: { any: 1 },
        owner: { name: "n" }
      }).errors
    ).toEqual([])
    const bad = c.validateResponse("GET", "/things/1", 200, {
      id: "abc",
      type: "c",
      note: 1,
      owner: {},
      kind: [],
      tag: "yesterday"
    })
    expect(bad.documented).toBe(true)
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        "GET /things/{id} 200 response body: /id must be integer",
        'GET /things/{id} 200 response body: /type must be equal to one of the allowed values ("a", "b", null)'
      ])
    )
    expect(bad.errors.some((e) => e.includes("/owner"))).toBe(true)
    expect(bad.errors.some((e) => e.includes("/kind"))).toBe(true)
    expect(bad.errors.some((e) => e.includes("/tag"))).toBe(true)
    expect(c.validateResponse("GET", "/things", 200, { things: [valid] }).errors).toEqual([])
    expect(c.validateResponse("GET", "/things", 200, { things: [{}] }).errors.length).toBeGreaterThan(0)
  })

  it("falls back to 4XX and default responses, picks text/plain for strings", () => {
    expect(c.validateResponse("GET", "/things", 404, { errors: ["Not Found"] }).errors).toEqual([])
    expect(c.validateResponse("GET", "/things", 422, { error: "x" }).errors).toHaveLength(1)
    expect(c.validateResponse("GET", "/things/1", 500, { errors: [] }).errors).toEqual([])
    expect(c.validateResponse("GET", "/things", 401, "Invalid API key").errors).toEqual([])
    expect(
      c.validateResponse("GET", "/things", 401, 3, { contentType: "text/plain; charset=utf-8" }).errors
    ).toEqual(["GET /things 401 response body: (root) must be string"])
  })

  it("tells 'not documented' apart from valid", () => {
    const status = c.validateResponse("GET", "/things", 503, {})
    expect(status).toMatchObject({ documented: false })
    expect(status.errors).toEqual(["GET /things: status 503 is not documented"])
    expect(c.validateResponse("GET", "/nothing", 200, {}).documented).toBe(false)
    expect(c.validateResponse("POST", "/things/search", 200, {}).documented).toBe(false)
    expect(c.validateResponse("DELETE", "/things/1", 204, undefined)).toEqual({
      documented: true,
      errors: []
    })
    expect(c.validateResponse("DELETE", "/things/1", 204, { x: 1 }).documented).toBe(false)
    expect(c.validateResponse("GET", "/things", 200, {}, { contentType: "text/html" }).documented).toBe(false)
  })

  it("validates request bodies", () => {
    expect(c.validateRequest("POST", "/things", { name: "n" })).toEqual({ documented: true, errors: [] })
    expect(c.validateRequest("POST", "/things", {}).errors).toEqual([
      "POST /things request body: (root) must have required property 'name'"
    ])
    expect(c.validateRequest("POST", "/things", undefined).errors).toEqual([
      "POST /things request body is required"
    ])
    expect(c.validateRequest("GET", "/things", undefined)).toEqual({ documented: true, errors: [] })
    expect(c.validateRequest("GET", "/things", { a: 1 }).documented).toBe(false)
  })

  it("reports operations no call reached", () => {
    const missing = c.uncovered([
      { method: "GET", path: "/things" },
      { method: "GET", path: "/things/3" },
      { method: "POST", path: "/api/v1/things/search" }
    ])
    expect(missing.map((o) => `${o.method} ${o.path}`)).toEqual(["POST /things", "DELETE /things/{id}"])
  })

  it("checks a simulator's log: request bodies, whole answers, nothing faulted", () => {
    const json = (text: string) => ({ contentType: "application/json; charset=utf-8", text })
    const entry = (e: Partial<OpenApiContract.LoggedExchange>): OpenApiContract.LoggedExchange => ({
      method: "GET",
      path: "/things",
      body: null,
      status: 200,
      fault: null,
      response: json('{"things":[]}'),
      ...e
    })
    const log = [
      entry({}),
      entry({ method: "POST", body: {}, status: 201, response: json('{"id":"x"}') }),
      entry({ response: json('{"nope":1}'), fault: "malformed" }),
      entry({ method: "POST", body: { name: "n" }, status: 401, response: null }),
      entry({ path: "/other" })
    ]
    const check = OpenApiContract.checkLog([c], log)
    expect(check).toMatchObject({ requests: 1, responses: 2, undocumented: ["GET /other"], tolerated: 0 })
    expect(check.failures).toEqual([
      "request POST /things {}: POST /things request body: (root) must have required property 'name'",
      expect.stringMatching(/^response POST \/things 201: .*id must be integer/)
    ])
    const lenient = OpenApiContract.checkLog([c], log, { tolerate: (e) => e.includes("request body") })
    expect(lenient.failures).toHaveLength(1)
    expect(lenient.tolerated).toBe(1)
  })
})

describe("OpenApiContract loading", () => {
  it("finds ../shared from the repository root", () => {
    const root = OpenApiContract.repoRoot()
    expect(root).toBeDefined()
    expect(fs.existsSync(path.join(root ?? "", "pnpm-workspace.yaml"))).toBe(true)
    expect(OpenApiContract.sharedDir()).toBe(path.resolve(root ?? "", "..", "shared"))
  })

  it("reads YAML and JSON documents from <shared>/specs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "contract-"))
    try {
      fs.mkdirSync(path.join(dir, "specs"))
      fs.writeFileSync(path.join(dir, "specs", "a.json"), JSON.stringify(doc))
      fs.writeFileSync(
        path.join(dir, "specs", "b.yml"),
        "openapi: 3.0.3\ninfo: { title: B, version: '1' }\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n"
      )
      const a = OpenApiContract.load("a.json", { sharedDir: dir })
      const b = OpenApiContract.load("b.yml", { sharedDir: dir })
      expect(a._tag === "Loaded" && a.contract.operations.length).toBe(5)
      expect(b._tag === "Loaded" && b.contract.title).toBe("B")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("skips with a reason locally, fails under CI", () => {
    const missing = OpenApiContract.load("does-not-exist.yml")
    expect(missing._tag).toBe("Missing")
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {})
    try {
      const local = OpenApiContract.loadForTest("does-not-exist.yml", { ci: false })
      expect(local.contract).toBeUndefined()
      expect(local.reason).toContain("does-not-exist.yml not found")
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("Skipping contract tests"))
    } finally {
      warn.mockRestore()
    }
    expect(() => OpenApiContract.loadForTest("does-not-exist.yml", { ci: true })).toThrow(/missing under CI/)
  })
})

const kitSequences = OpenApiContract.loadForTest("kit-sequences.yml")
const kitEmails = OpenApiContract.loadForTest("kit-sequence-emails.yml")
const apollo = OpenApiContract.loadForTest("apollo-sequences-openapi.json")

describe.skipIf(
  kitSequences.contract === undefined || kitEmails.contract === undefined || apollo.contract === undefined
)(`the providers' documents ${kitSequences.reason ?? kitEmails.reason ?? apollo.reason ?? ""}`, () => {
  const all = [kitSequences.contract, kitEmails.contract, apollo.contract].flatMap((c) =>
    c === undefined ? [] : [c]
  )

  it("compiles every request and response schema of Kit's and Apollo's documents", () => {
    for (const c of all) expect(c.compileAll()).toEqual([])
  })

  it("lists their operations", () => {
    const ops = all.map((c) => c.operations.map((o) => `${o.method} ${o.path}`))
    expect(ops[0]).toHaveLength(8)
    expect(ops[1]).toHaveLength(5)
    expect(ops[2]).toContain("PUT /sequences/{id}")
    expect(apollo.contract?.match("POST", "/api/v1/emailer_campaigns/search")?.path).toBe(
      "/emailer_campaigns/search"
    )
    expect(apollo.contract?.match("POST", "/emailer_campaigns/remove_or_stop_contact_ids")?.path).toBe(
      "/emailer_campaigns/remove_or_stop_contact_ids"
    )
  })

  it("honours nullable without a type (Kit) and with an enum (Apollo)", () => {
    const get = (emailAddress: unknown) =>
      kitSequences.contract?.validateResponse("GET", "/v4/sequences/1", 200, {
        sequence: {
          id: 1,
          name: "n",
          hold: false,
          repeat: false,
          created_at: "t",
          updated_at: "t",
          email_address: emailAddress,
          email_template_id: null,
          send_days: [],
          send_hour: 1,
          time_zone: "UTC",
          active: true,
          exclude_subscriber_sources: []
        }
      }).errors
    expect(get(null)).toEqual([])
    expect(get("a@b.c")).toEqual([])
    const create = kitEmails.contract?.validateResponse("POST", "/v4/sequences/1/emails", 201, {
      email: {
        id: 1,
        sequence_id: 1,
        subject: "s",
        preview_text: null,
        email_address: "a@b.c",
        email_template_id: null,
        published: false,
        position: null,
        delay_value: 1,
        delay_unit: "days",
        send_days: [],
        content: null
      }
    })
    expect(create?.errors).toEqual([])
  })

  it("accepts the documents' own response examples", () => {
    const failures: Array<string> = []
    let checked = 0
    for (const c of all) {
      const file = path.join(OpenApiContract.sharedDir(), "specs", c.name)
      const text = fs.readFileSync(file, "utf8")
      const parsed: unknown = c.name.endsWith(".json") ? JSON.parse(text) : YAML.parse(text)
      for (const op of c.operations) {
        const responses = at(parsed, "paths", op.path, op.method.toLowerCase(), "responses")
        for (const [status, response] of Object.entries(isObj(responses) ? responses : {})) {
          const example = at(response, "content", "application/json", "example")
          if (example === undefined || !/^\d+$/.test(status)) continue
          const concrete = op.path.replace(/\{[^}]+\}/g, "1")
          checked++
          const v = c.validateResponse(op.method, concrete, Number(status), example)
          failures.push(...v.errors)
        }
      }
    }
    expect(checked).toBeGreaterThan(30)
    expect(failures).toEqual([])
  })
})
