/**
 * The Promise API from plain JavaScript: no Effect to learn. A Kit client creates and lists
 * sequences, errors are caught by class, and a migration to Apollo reports its progress and can be
 * stopped with an AbortSignal.
 *
 *   node promise-api.mjs                  (with KIT_API_KEY and APOLLO_API_KEY: the real accounts)
 *
 * Without keys it starts the Kit and Apollo simulators on 127.0.0.1.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { apollo, kit, migrate, SequenceNotFound } from "@unisequence/client"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"

const env = (name) => (process.env[name]?.trim() ? process.env[name] : undefined)

// Simulators only when there are no keys (the testing package is a dev dependency in a real app).
const kitSim = env("KIT_API_KEY") ? undefined : await KitSimulator.startAsync()
// adapter not yet right against the documented profile
const apolloSim = env("APOLLO_API_KEY")
  ? undefined
  : await ApolloSimulator.startAsync({ profile: "observed" })
const from = kitSim
  ? kit({ apiKey: "kit_test_key", baseUrl: kitSim.url })
  : kit({ apiKey: env("KIT_API_KEY") })
const to = apolloSim
  ? apollo({ apiKey: ApolloSimulator.defaultMasterKey, baseUrl: apolloSim.url })
  : apollo({ apiKey: env("APOLLO_API_KEY") })
const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-promise-"))

try {
  const welcome = await from.create({
    name: "Welcome (promise example)",
    schedule: {
      _tag: "Weekly",
      days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      hour: 9,
      timeZone: "America/New_York"
    },
    steps: [
      { delay: { value: 0, unit: "days" }, email: { subject: "Welcome!", html: "<p>Hi!</p>" } },
      { delay: { value: 2, unit: "days" }, email: { subject: "Getting started", html: "<p>Tips</p>" } }
    ]
  })
  console.log(`created "${welcome.name}" with ${welcome.steps.length} steps`)

  for await (const summary of from.list({ nameContains: "promise example" })) {
    console.log(`listed: ${summary.name}`)
  }

  try {
    await from.get("987654321")
  } catch (error) {
    if (error instanceof SequenceNotFound)
      console.log(`caught ${error._tag}: no sequence ${error.sequenceId}`)
    else throw error
  }

  const controller = new AbortController()
  const result = await migrate({
    from,
    to,
    select: { nameContains: "promise example" },
    journal: NodePath.join(dir, "kit-to-apollo.jsonl"),
    signal: controller.signal,
    onProgress: (event) => {
      if (event._tag === "Finished")
        console.log(`migrated "${event.name}": ${event.outcome}, ${event.verification}`)
    }
  })
  console.log(`done: ${result.outcomes.length} migrated, ${result.blocked.length} blocked`)
} finally {
  await from.close()
  await to.close()
  await kitSim?.close()
  await apolloSim?.close()
  NodeFs.rmSync(dir, { recursive: true, force: true })
}
