import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ApolloSimulator } from "@unisequence/testing"
import { Sequences } from "@unisequence/core"
import { Chunk, Config, ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import * as Apollo from "../src/Apollo.js"
import * as ApolloClient from "../src/ApolloClient.js"

const client = (sim: ApolloSimulator.ApolloSimulator, key: string) =>
  ApolloClient.make({ apiKey: Redacted.make(key), baseUrl: `${sim.url}/api/v1/`, retry: false }).pipe(
    Effect.provide(FetchHttpClient.layer)
  )

describe("ApolloClient", () => {
  it.scoped("Apollo.layerConfig reads APOLLO_API_KEY by default, or takes every option as a Config", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false, seed: { sequences: [{ name: "S" }] } })
      const names = (
        layer: Layer.Layer<Sequences.Sequences, unknown, HttpClient.HttpClient>,
        env: ReadonlyArray<[string, string]>
      ) =>
        Effect.flatMap(Sequences.Sequences, (sequences) => Stream.runCollect(sequences.list())).pipe(
          Effect.map((all) => Chunk.toReadonlyArray(all).map((s) => s.name)),
          Effect.provide(Layer.provide(layer, FetchHttpClient.layer)),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env)))
        )
      const byDefault = yield* names(Apollo.layerConfig(), [
        ["APOLLO_API_KEY", ApolloSimulator.defaultMasterKey],
        ["APOLLO_BASE_URL", sim.url]
      ])
      expect(byDefault).toEqual(["S"])
      const wrapped = yield* names(
        Apollo.layerConfig({
          apiKey: Config.redacted("MY_APOLLO_KEY"),
          baseUrl: Config.string("MY_APOLLO_URL"),
          pageSize: Config.integer("MY_PAGE_SIZE")
        }),
        [
          ["MY_APOLLO_KEY", ApolloSimulator.defaultMasterKey],
          ["MY_APOLLO_URL", sim.url],
          ["MY_PAGE_SIZE", "7"]
        ]
      )
      expect(wrapped).toEqual(["S"])
      expect(sim.requests.at(-1)?.query?.per_page).toBe("7")
    })
  )

  it.scoped("sends x-api-key and a real User-Agent, never a bearer header", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false })
      const seen: Array<Record<string, string>> = []
      const c = yield* ApolloClient.make({
        apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
        baseUrl: sim.url,
        transformClient: HttpClient.tapRequest((request) =>
          Effect.sync(() => seen.push({ ...request.headers }))
        )
      }).pipe(Effect.provide(FetchHttpClient.layer))
      yield* c.listEmailAccounts
      expect(seen[0]!["x-api-key"]).toBe(ApolloSimulator.defaultMasterKey)
      expect(seen[0]!["user-agent"]).toMatch(/^unisequence\//)
      expect(seen[0]!.authorization).toBeUndefined()
      expect(sim.requests[0]!.keyKind).toBe("master")
    })
  )

  it.scoped("add_contact_ids puts every parameter in the query, each named as the document names it", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false, seed: { sequences: [{ name: "S" }] } })
      const id = sim.state().sequences[0]!.id
      const contacts = sim.state().contacts.map((c) => c.id)
      const c = yield* client(sim, ApolloSimulator.defaultMasterKey)
      const { value } = yield* c.addContactIds(id, {
        contactIds: [contacts[0]!, contacts[1]!],
        sendEmailFromEmailAccountId: ["6633baaece5fbd01c791d7ca"],
        sequenceUnverifiedEmail: true,
        status: "paused"
      })
      expect(sim.requests[0]!.query).toEqual({
        emailer_campaign_id: id,
        "contact_ids[]": [contacts[0], contacts[1]],
        // `contact_ids[]` is the document's own name; the mailboxes' is `send_email_from_email_account_id`
        // (string or array, repeated in the query), never `…[]`.
        send_email_from_email_account_id: "6633baaece5fbd01c791d7ca",
        sequence_unverified_email: "true",
        status: "paused"
      })
      expect(sim.requests[0]!.body).toBeNull()
      expect(value.contacts?.map((x) => x.id).sort()).toEqual([contacts[0], contacts[1]].sort())
      yield* c.removeOrStopContactIds({ sequenceIds: [id], contactIds: [contacts[0]!], mode: "remove" })
      expect(sim.requests[1]!.query).toEqual({
        "emailer_campaign_ids[]": [id],
        "contact_ids[]": [contacts[0]],
        mode: "remove"
      })
    })
  )

  it.scoped("search pages with q_name, page, per_page", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        rateLimit: false,
        seed: { sequences: ["Outbound A", "Outbound B", "Other", "Outbound C"].map((name) => ({ name })) }
      })
      const c = yield* client(sim, ApolloSimulator.defaultMasterKey)
      const found = yield* Stream.runCollect(c.search({ nameContains: "Outbound", pageSize: 2 }))
      expect(Chunk.toReadonlyArray(found).map((x) => x.value.name)).toEqual([
        "Outbound A",
        "Outbound B",
        "Outbound C"
      ])
      expect(sim.requests.map((r) => r.query)).toEqual([
        { q_name: "Outbound", page: "1", per_page: "2" },
        { q_name: "Outbound", page: "2", per_page: "2" }
      ])
    })
  )

  it.scoped("verify: a documented account without the single-sequence read reports it unavailable", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({ rateLimit: false, seed: { sequences: [{ name: "S" }] } })
      const c = yield* client(sim, ApolloSimulator.defaultMasterKey)
      const result = yield* c.verify()
      expect(
        result.probes.filter((p) => p.status !== "reachable").map((p) => [p.operation, p.status])
      ).toEqual([
        ["getSequence", "unavailable"],
        ["createSequence", "unprobed"]
      ])
      // An endpoint the account does not serve says nothing about the key.
      expect(result.keyKind).toBe("master")
      const { sequences } = yield* Apollo.make({
        apiKey: Redacted.make(ApolloSimulator.defaultMasterKey),
        baseUrl: sim.url,
        retry: false
      }).pipe(Effect.provide(FetchHttpClient.layer))
      const neutral = yield* sequences.verify
      expect(neutral.ok).toBe(true)
      expect(neutral.detail).toContain("does not serve GET /emailer_campaigns/{id}")
      const read = yield* Effect.flip(sequences.get(sim.state().sequences[0]!.id))
      expect(read._tag).toBe("Unsupported")
      expect(read.message).toContain("GET /api/v1/emailer_campaigns/{id}")
    })
  )

  it.scoped("verify: a master key reaches every endpoint and writes nothing", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        rateLimit: false,
        quirks: { readOneSequence: true },
        seed: { sequences: [{ name: "S" }] }
      })
      const before = sim.state()
      const c = yield* client(sim, ApolloSimulator.defaultMasterKey)
      const result = yield* c.verify()
      expect(result.probes.filter((p) => p.status !== "reachable").map((p) => p.detail)).toEqual([
        "POST /sequences has no request Apollo is documented to refuse before writing"
      ])
      expect(result.keyKind).toBe("master")
      expect(result.probes.filter((p) => p.status === "reachable")).toHaveLength(10)
      expect(result.probes.find((p) => p.operation === "createSequence")!.status).toBe("unprobed")
      expect(sim.state()).toEqual(before)
      expect(sim.requests.some((r) => r.method === "POST" && r.path === "/api/v1/sequences")).toBe(false)
    })
  )

  it.scoped("verify: a scoped key is reported with the scopes it lacks; a bad key fails", () =>
    Effect.gen(function* () {
      const sim = yield* ApolloSimulator.start({
        rateLimit: false,
        scopedKeys: { scoped: ["api/v1/emailer_campaigns/search", "api/v1/sequences/update"] }
      })
      const c = yield* client(sim, "scoped")
      const result = yield* c.verify()
      expect(result.keyKind).toBe("scoped")
      const status = Object.fromEntries(result.probes.map((p) => [p.operation, p.status]))
      expect(status.searchSequences).toBe("reachable")
      expect(status.updateSequence).toBe("reachable")
      expect(status.approve).toBe("denied")
      expect(status.listSchedules).toBe("denied")
      const bad = yield* client(sim, "nope")
      const error = yield* Effect.flip(bad.verify())
      expect(error._tag).toBe("AuthenticationFailed")
    })
  )
})
