/**
 * Nothing is dropped without a word, proven from the providers' own documents: every field of the
 * documented response schemas (Kit's sequence and email, Apollo's campaign, step, touch and
 * template), set to a non-default value in the answer the adapter reads over HTTP from the
 * simulator, is carried into what the other provider gets or named by a warning, unless the
 * adapter's reviewed list calls it meaningless (ids, timestamps, figures). The fields are walked
 * from the documents; none is listed here. A clone without `../shared` skips; CI fails.
 */
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Apollo } from "@unisequence/apollo"
import { Capabilities, type Sequences } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { ApolloSimulator, KitSimulator, OpenApiContract } from "@unisequence/testing"
import { Effect, Either, Redacted } from "effect"
import {
  answeredFields,
  documentExamples,
  documentedFields,
  type Field,
  isEmpty,
  rawFieldKind,
  valuesFor,
  valuesOfType
} from "./src/documentFields.js"

const kitSequences = OpenApiContract.loadForTest("kit-sequences.yml")
const kitEmails = OpenApiContract.loadForTest("kit-sequence-emails.yml")
const apolloDocument = OpenApiContract.loadForTest("apollo-sequences-openapi.json")
const missing = kitSequences.reason ?? kitEmails.reason ?? apolloDocument.reason

const fast = { baseDelay: "5 millis", maxDelay: "50 millis" } as const
const profiles = ["documented", "observed"] as const

type Key = string | number
const isObj = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const getAt = (value: unknown, path: ReadonlyArray<Key>): unknown =>
  path.reduce<unknown>(
    (node, key) => (isObj(node) || Array.isArray(node) ? (node as never)[key] : undefined),
    value
  )

/** A copy of `answer` with `path` set to `value` (missing objects on the way created). */
const setAt = (answer: unknown, path: ReadonlyArray<Key>, value: unknown): unknown => {
  const copy: unknown = structuredClone(answer)
  let node: unknown = copy
  for (const [i, key] of path.entries()) {
    if (!isObj(node) && !Array.isArray(node)) return copy
    const holder = node as Record<Key, unknown>
    if (i === path.length - 1) holder[key] = value
    else {
      if (!isObj(holder[key]) && !Array.isArray(holder[key])) holder[key] = {}
      node = holder[key]
    }
  }
  return copy
}

/** The one change the next reads see: `path` in the JSON answer of the GET whose path `answer` matches. */
interface Change {
  readonly answer: RegExp
  readonly path: ReadonlyArray<Key>
  readonly value: unknown
}

/** An HTTP client that applies `current.change` to the answers it names, as the provider would answer. */
const changing =
  (current: { change: Change | undefined }) =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.transformResponse(
      client,
      Effect.flatMap((response) => {
        const change = current.change
        if (change === undefined || response.request.method !== "GET") return Effect.succeed(response)
        if (!change.answer.test(new URL(response.request.url).pathname)) return Effect.succeed(response)
        return Effect.map(response.text, (text) =>
          HttpClientResponse.fromWeb(
            response.request,
            new Response(JSON.stringify(setAt(JSON.parse(text), change.path, change.value)), {
              status: response.status,
              headers: response.headers
            })
          )
        )
      })
    )

/** Where a documented part sits in the answers the adapter reads, and the raw list that covers it. */
interface Part {
  readonly answer: RegExp
  readonly at: ReadonlyArray<Key>
  readonly base: unknown
  readonly raw: Capabilities.RawFields
}

type Result = "carried" | "warned" | "meaningless" | "silent" | "unreadable"
interface Outcome {
  readonly field: string
  readonly result: Result
  readonly value?: unknown
  readonly warnings?: ReadonlyArray<string>
}

/**
 * For each field: the answer with the field set is read by the adapter and translated for `target`.
 * The translation or its warnings must change, unless the field is listed meaningless.
 */
const walk = (options: {
  readonly fields: ReadonlyArray<Field>
  readonly examples: ReadonlyMap<string, ReadonlyArray<unknown>>
  readonly source: Sequences.Sequences
  readonly target: Capabilities.Capabilities
  readonly id: string
  readonly current: { change: Change | undefined }
  readonly parts: Readonly<Record<string, Part>>
}) =>
  Effect.gen(function* () {
    const translated = Effect.gen(function* () {
      const read = yield* Effect.either(options.source.get(options.id))
      if (Either.isLeft(read)) return Either.left(read.left.message)
      const translation = yield* Effect.either(
        Capabilities.translate(read.right, options.target, { sources: [options.source.capabilities] })
      )
      // A translation refused (a call step into Kit) is said out loud too: it is part of the result.
      if (Either.isLeft(translation))
        return Either.right({ sequence: "", warnings: [`refused: ${translation.left.message}`] })
      return Either.right({
        sequence: JSON.stringify(translation.right.sequence),
        warnings: translation.right.warnings.map((w) => `${w.path} ${w.kind}: ${w.detail}`)
      })
    })
    options.current.change = undefined
    const base = yield* translated
    if (Either.isLeft(base))
      return yield* Effect.dieMessage(`the unchanged answer does not read: ${base.left}`)
    const outcomes: Array<Outcome> = []
    for (const field of options.fields) {
      const part = options.parts[field.part]!
      const name = `${field.part}.${field.path.join(".")}`
      if (rawFieldKind(part.raw, field.path) === "meaningless") {
        outcomes.push({ field: name, result: "meaningless" })
        continue
      }
      let outcome: Outcome = { field: name, result: "unreadable" }
      for (const value of valuesFor(field, getAt(part.base, [...part.at, ...field.path]), options.examples)) {
        options.current.change = { answer: part.answer, path: [...part.at, ...field.path], value }
        const after = yield* translated
        if (Either.isLeft(after)) continue
        const warned = after.right.warnings.filter((w) => !base.right.warnings.includes(w))
        if (after.right.sequence !== base.right.sequence) {
          outcome = { field: name, result: "carried", value }
          break
        }
        if (warned.length > 0) {
          outcome = { field: name, result: "warned", value, warnings: warned }
          break
        }
        outcome = { field: name, result: "silent", value }
      }
      outcomes.push(outcome)
    }
    options.current.change = undefined
    return outcomes
  })

const report = (title: string, outcomes: ReadonlyArray<Outcome>) => {
  const count = (result: Result) => outcomes.filter((o) => o.result === result).length
  console.log(
    `${title}: ${outcomes.length} fields walked: ${count("carried")} carried, ${count("warned")} warned, ${count("meaningless")} meaningless (reviewed list)`
  )
}

const getJson = (url: string, headers: Record<string, string>) =>
  Effect.promise(() => fetch(url, { headers }).then((r): Promise<unknown> => r.json()))

describe("walking the documents", () => {
  const document = {
    paths: {
      "/things/{id}": {
        get: {
          responses: {
            "200": {
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      thing: {
                        type: "object",
                        properties: {
                          id: { type: "integer" },
                          owner: { type: "object", properties: { name: { type: "string" } } },
                          tags: { type: "array", items: { type: "string" } }
                        }
                      },
                      parts: { type: "array", items: { $ref: "#/components/schemas/Part" } }
                    }
                  },
                  example: { thing: { id: 4, tags: ["a"] } }
                }
              }
            },
            "404": { content: { "application/json": { schema: { properties: { ignored: {} } } } } }
          }
        }
      }
    },
    components: { schemas: { Part: { type: "object", properties: { size: { type: "number" } } } } }
  }

  it("finds every leaf of the named objects, nested and behind $ref, in 2xx answers only", () => {
    const fields = documentedFields([document], { thing: "thing", parts: "part" })
    expect(fields.map((f) => `${f.part}.${f.path.join(".")}`)).toEqual([
      "thing.id",
      "thing.owner.name",
      "thing.tags",
      "part.size"
    ])
  })

  it("tries the documents' example values first, then values of the type, never the base or an empty one", () => {
    const examples = documentExamples([document])
    expect(examples.get("tags")).toEqual([["a"]])
    const [, , tags] = documentedFields([document], { thing: "thing" })
    expect(valuesFor(tags!, ["a"], examples)).toEqual([["changed tags"]])
    expect(valuesFor(tags!, undefined, examples)).toEqual([["a"], ["changed tags"]])
    expect(valuesOfType({ type: "integer" }, "n", 4)).toEqual([5, 7])
    expect(valuesOfType({ enum: ["x", "y"] }, "e", "x")).toEqual(["x", "y"])
    expect([null, "  ", [], { a: null }].every(isEmpty)).toBe(true)
    expect([0, false, "a", [0]].some(isEmpty)).toBe(false)
  })

  it("reads an adapter's raw list through nested objects", () => {
    const raw = {
      a: "carried",
      b: "meaningless",
      c: { d: "meaningless" },
      e: Capabilities.unlessDefault(1)
    } as const
    expect(rawFieldKind(raw, ["a"])).toBe("carried")
    expect(rawFieldKind(raw, ["b", "x"])).toBe("meaningless")
    expect(rawFieldKind(raw, ["c", "d"])).toBe("meaningless")
    expect(rawFieldKind(raw, ["c", "z"])).toBe("unlisted")
    expect(rawFieldKind(raw, ["e"])).toBe("unlessDefault")
    expect(rawFieldKind(raw, ["f"])).toBe("unlisted")
  })
})

describe.skipIf(missing !== undefined)(`every documented field is carried or warned ${missing ?? ""}`, () => {
  for (const profile of profiles)
    it.live(
      `Kit → Apollo (${profile} profile): every field of the documented sequence and email answers, and of the answers`,
      () =>
        Effect.gen(function* () {
          const documents = [kitSequences.contract!.document, kitEmails.contract!.document]
          const fields = documentedFields(documents, {
            sequence: "sequence",
            sequences: "sequence",
            email: "email",
            emails: "email"
          })
          const sim = yield* KitSimulator.start({
            profile,
            rateLimit: false,
            seed: {
              sequences: [
                {
                  id: 5,
                  name: "Course",
                  send_days: ["monday", "wednesday"],
                  send_hour: 9,
                  time_zone: "America/New_York",
                  emails: ["One", "Two", "Three"].map((subject, i) => ({
                    id: 51 + i,
                    subject,
                    content: `<p>${subject}</p>`,
                    delay_value: i,
                    delay_unit: "days" as const,
                    published: i === 0
                  }))
                }
              ]
            }
          })
          const current: { change: Change | undefined } = { change: undefined }
          const { sequences: source } = yield* Kit.make({
            apiKey: Redacted.make("kit_test_key"),
            baseUrl: sim.url,
            rateLimit: false,
            retry: fast,
            transformClient: changing(current)
          })
          const headers = { "X-Kit-Api-Key": "kit_test_key" }
          const sequenceAnswer = yield* getJson(`${sim.url}/v4/sequences/5`, headers)
          const emailsAnswer = yield* getJson(
            `${sim.url}/v4/sequences/5/emails?include_content=true`,
            headers
          )
          // What the simulator answers beyond the documents (the observed profile's extras), and fields
          // Kit may add one day: kept by decoding, and warned about.
          const answered = [
            ...answeredFields("sequence", getAt(sequenceAnswer, ["sequence"]), fields),
            ...answeredFields("email", getAt(emailsAnswer, ["emails", 1]), fields)
          ]
          const undocumented: ReadonlyArray<Field> = [
            { part: "sequence", path: ["undocumented_setting"], schema: { type: "string" } },
            { part: "email", path: ["undocumented_setting"], schema: { type: "string" } }
          ]
          const outcomes = yield* walk({
            fields: [...fields, ...answered, ...undocumented],
            examples: documentExamples(documents),
            source,
            target: Apollo.capabilities,
            id: "5",
            current,
            parts: {
              sequence: {
                answer: /^\/v4\/sequences\/5$/,
                at: ["sequence"],
                base: sequenceAnswer,
                raw: Kit.capabilities.rawFields!
              },
              // The adapter reads a sequence's emails from the list, contents included.
              email: {
                answer: /^\/v4\/sequences\/5\/emails$/,
                at: ["emails", 1],
                base: emailsAnswer,
                raw: Kit.capabilities.stepRawFields!
              }
            }
          })
          report(
            `Kit → Apollo (${profile}; ${answered.length} answered beyond the documents, 2 made up)`,
            outcomes
          )
          expect(fields.length).toBeGreaterThanOrEqual(25)
          expect(outcomes.slice(-2).map((o) => [o.field, o.result, o.warnings])).toEqual([
            [
              "sequence.undocumented_setting",
              "warned",
              [
                "raw.undocumented_setting dropped: Kit's undocumented_setting is set, and Apollo has no place for it"
              ]
            ],
            [
              "email.undocumented_setting",
              "warned",
              [
                "steps[1].raw.undocumented_setting dropped: Kit's undocumented_setting on step 2 is set, and Apollo has no place for it"
              ]
            ]
          ])
          expect(outcomes.filter((o) => o.result === "silent" || o.result === "unreadable")).toEqual([])
          expect(outcomes.filter((o) => o.result === "carried").length).toBeGreaterThan(10)
        }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
    )

  for (const profile of profiles)
    it.live(
      `Apollo → Kit (${profile} profile): every field of the documented campaign, step, touch and template answers, and of the answers`,
      () =>
        Effect.gen(function* () {
          const document = apolloDocument.contract!.document
          const fields = documentedFields([document], {
            emailer_campaign: "campaign",
            emailer_campaigns: "campaign",
            emailer_steps: "step",
            steps: "step",
            emailer_touches: "touch",
            emailer_templates: "template"
          })
          const touch = (subject: string, status: "approved" | "to_be_reviewed") => ({
            type: "new_thread" as const,
            status,
            emailer_template: { subject, body_html: `<p>${subject}</p>` }
          })
          const sim = yield* ApolloSimulator.start({
            profile,
            quirks: { readOneSequence: true },
            rateLimit: false,
            seed: {
              sequences: [
                {
                  id: "65f000000000000000000001",
                  name: "Outbound",
                  emailer_steps: [
                    {
                      type: "auto_email",
                      wait_time: 0,
                      wait_mode: "day",
                      emailer_touches: [touch("One", "approved"), touch("One, B", "to_be_reviewed")]
                    },
                    {
                      type: "auto_email",
                      wait_time: 2,
                      wait_mode: "day",
                      emailer_touches: [touch("Two", "approved")]
                    }
                  ]
                }
              ]
            }
          })
          const id = "65f000000000000000000001"
          const current: { change: Change | undefined } = { change: undefined }
          const { sequences: source } = yield* Apollo.make({
            apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
            baseUrl: sim.url,
            retry: fast,
            transformClient: changing(current)
          })
          const answer = new RegExp(`^/api/v1/emailer_campaigns/${id}$`)
          const base = yield* getJson(`${sim.url}/api/v1/emailer_campaigns/${id}`, {
            "x-api-key": ApolloSimulator.defaultMasterKey
          })
          const raw = Apollo.capabilities.rawFields!
          const part = (key: string, at: ReadonlyArray<Key>): Part => {
            const fields = raw[key]
            if (typeof fields !== "object" || fields._tag === "RawDefault")
              throw new Error(`no raw list for ${key}`)
            return { answer, at, base, raw: fields as Capabilities.RawFields }
          }
          const places = {
            campaign: ["emailer_campaign"],
            step: ["emailer_steps", 1],
            touch: ["emailer_touches", 0],
            template: ["emailer_templates", 0]
          } as const
          // What the simulator answers beyond the document (the observed profile's extras).
          const answered = Object.entries(places).flatMap(([name, at]) =>
            answeredFields(name, getAt(base, at), fields)
          )
          const outcomes = yield* walk({
            fields: [...fields, ...answered],
            examples: documentExamples([document]),
            source,
            target: Kit.capabilities,
            id,
            current,
            parts: {
              campaign: part("emailer_campaign", places.campaign),
              step: part("emailer_steps", places.step),
              touch: part("emailer_touches", places.touch),
              template: part("emailer_templates", places.template)
            }
          })
          report(`Apollo → Kit (${profile}; ${answered.length} answered beyond the document)`, outcomes)
          expect(fields.length).toBeGreaterThanOrEqual(80)
          if (profile === "observed") expect(answered.length).toBeGreaterThan(0)
          expect(outcomes.filter((o) => o.result === "silent" || o.result === "unreadable")).toEqual([])
          expect(outcomes.filter((o) => o.result === "warned").length).toBeGreaterThan(10)
        }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
    )
})
