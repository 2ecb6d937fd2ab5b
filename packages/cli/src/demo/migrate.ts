/**
 * The migration demo (`unisequence demo`): `unisequence migrate --from kit --to apollo`, start to
 * finish. The `demo` command imports this module only when it runs, so that the simulators are
 * loaded on this path alone.
 *
 * With no keys in the environment it starts the Kit and Apollo simulators in this process, seeds
 * Kit with realistic sequences, and runs the command against them: the plan with its warnings, the
 * apply with progress and verification, then a second run that finds nothing to do. With
 * `KIT_API_KEY` (or `KIT_OAUTH_TOKEN`) and `APOLLO_API_KEY` set, it runs against the real providers,
 * and the command asks for confirmation after showing the plan.
 */
import { Journal } from "@unisequence/core"
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { ConfigProvider, Effect, Option } from "effect"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { run } from "../Cli.js"
import { out, RunContext } from "../internal/context.js"
import { makeCounter } from "../internal/context.js"
import { hasCredentials, settingsFor } from "../internal/settings.js"
import { kitSeed } from "./seed.js"

const say = (...lines: ReadonlyArray<string>) => out(lines.join("\n"))
const rule = (title: string) => say("", `── ${title} ${"─".repeat(Math.max(0, 72 - title.length))}`, "")

/** Runs `unisequence …` in this process, on the same output, echoing the command line first. */
const unisequence = (args: ReadonlyArray<string>, counter = makeCounter()) =>
  Effect.gen(function* () {
    const context = yield* RunContext
    yield* say(`$ unisequence ${args.join(" ")}`, "")
    const code = yield* run(args, { ...context, counter })
    if (code !== 0) yield* say(`(exit code ${code})`)
    return code
  })

interface Tally {
  readonly requests: ReadonlyArray<{ readonly method: string; readonly path: string }>
}
const callsIn = (sim: Tally, from: number) => sim.requests.length - from
const writesIn = (sim: Tally, from: number) =>
  sim.requests.slice(from).filter((r) => r.method !== "GET" && !r.path.endsWith("/search")).length

/** Where each source sequence ended, from the journal the migration kept. */
const journalSummary = (path: string) =>
  Effect.gen(function* () {
    const entries = Journal.latest(yield* Journal.makeFile(path).pipe(Effect.flatMap((j) => j.read)))
    const states = [...entries.values()]
    return {
      migrated: states.filter((e) => e.targetId !== undefined).length,
      verified: states.filter((e) => e.state === "verified").length,
      differs: states.filter((e) => e.state === "differs").length
    }
  })

const withSimulators = Effect.scoped(
  Effect.gen(function* () {
    yield* say(
      "unisequence migration demo",
      "",
      "No KIT_API_KEY / APOLLO_API_KEY in the environment: starting the Kit and Apollo simulators on",
      "127.0.0.1 (real HTTP servers that behave as the providers document) and seeding Kit with four",
      "sequences: day and hour delays, per-email send days, drafts, an evergreen one, a repeating one."
    )
    const kit = yield* KitSimulator.start({ seed: kitSeed })
    const apollo = yield* ApolloSimulator.start({ quirks: { readOneSequence: true } })
    const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-demo-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true })))
    const journal = NodePath.join(dir, "kit-to-apollo.jsonl")
    const env = new Map([
      ["KIT_BASE_URL", kit.url],
      ["APOLLO_BASE_URL", apollo.url],
      ["KIT_API_KEY", "kit_test_key"],
      ["APOLLO_API_KEY", ApolloSimulator.defaultMasterKey]
    ])
    yield* say(`  Kit simulator:    ${kit.url}`, `  Apollo simulator: ${apollo.url}`)

    const phases: Array<{ name: string; kit: number; apollo: number; apolloWrites: number; code: number }> =
      []
    const phase = (name: string, args: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const k = kit.requests.length
        const a = apollo.requests.length
        const code = yield* unisequence(args)
        phases.push({
          name,
          kit: callsIn(kit, k),
          apollo: callsIn(apollo, a),
          apolloWrites: writesIn(apollo, a),
          code
        })
        return code
      }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(env)))

    yield* rule("1. What Kit has")
    yield* phase("list", ["list", "--provider", "kit"])
    yield* rule("2. The plan (dry run: reads only)")
    yield* phase("dry run", ["migrate", "--from", "kit", "--to", "apollo", "--dry-run", "--journal", journal])
    yield* rule("3. The migration (simulated accounts, so --yes)")
    const code = yield* phase("migrate", [
      "migrate",
      "--from",
      "kit",
      "--to",
      "apollo",
      "--yes",
      "--journal",
      journal
    ])
    yield* rule("4. Run it again: the journal and the target agree, nothing to do")
    yield* phase("rerun", ["migrate", "--from", "kit", "--to", "apollo", "--yes", "--journal", journal])
    yield* rule("5. What Apollo has now")
    yield* phase("list", ["list", "--provider", "apollo"])

    const summary = yield* journalSummary(journal)
    const at = (name: string) => phases.find((p) => p.name === name)
    const migrate = at("migrate")
    const rerun = at("rerun")
    const dry = at("dry run")
    const campaigns = apollo.state().sequences
    yield* rule("Summary")
    yield* say(
      `  sequences migrated:  ${summary.migrated} (Apollo now holds ${campaigns.length}, all inactive: ${campaigns.every((c) => !c.active) ? "yes" : "no"})`,
      `  verified:            ${summary.verified}${summary.differs > 0 ? `, ${summary.differs} differ` : ""}`,
      "  HTTP calls, from the simulators' request logs:",
      `    dry run:    Kit ${dry?.kit ?? 0}, Apollo ${dry?.apollo ?? 0} (Apollo writes: ${dry?.apolloWrites ?? 0})`,
      `    migration:  Kit ${migrate?.kit ?? 0}, Apollo ${migrate?.apollo ?? 0} (Apollo writes: ${migrate?.apolloWrites ?? 0})`,
      `    second run: Kit ${rerun?.kit ?? 0}, Apollo ${rerun?.apollo ?? 0} (Apollo writes: ${rerun?.apolloWrites ?? 0})`,
      `    whole demo: Kit ${kit.requests.length}, Apollo ${apollo.requests.length}`
    )
    return code === 0 && (rerun?.apolloWrites ?? 1) === 0 && summary.verified === summary.migrated ? 0 : 1
  })
)

const withRealProviders = Effect.gen(function* () {
  yield* say(
    "unisequence migration demo: against the REAL Kit and Apollo accounts of the keys in the environment.",
    "The command shows the plan first and asks before writing anything (answer no to stop there);",
    "sequences are created in Apollo inactive, their emails unreviewed."
  )
  const journal = NodePath.join(".unisequence", "demo-kit-to-apollo.jsonl")
  const counter = makeCounter()
  yield* rule("1. The migration: plan, confirmation, apply, verification")
  const code = yield* unisequence(
    ["migrate", "--from", "kit", "--to", "apollo", "--journal", journal],
    counter
  )
  if (code !== 0) return code
  yield* rule("2. Run it again: nothing to do")
  yield* unisequence(["migrate", "--from", "kit", "--to", "apollo", "--journal", journal], counter)
  const summary = yield* journalSummary(journal)
  yield* rule("Summary")
  yield* say(
    `  sequences migrated:  ${summary.migrated}`,
    `  verified:            ${summary.verified}${summary.differs > 0 ? `, ${summary.differs} differ` : ""}`,
    `  HTTP calls made:     Kit ${counter.counts.kit}, Apollo ${counter.counts.apollo}`,
    `  journal:             ${journal} (keep it: a rerun resumes from it)`
  )
  return 0
})

/** With both providers' credentials in the environment the demo runs on them, else on simulators. */
const real = Effect.gen(function* () {
  const none = { kitUrl: Option.none(), apolloUrl: Option.none() }
  const kit = yield* settingsFor("kit", none)
  const apollo = yield* settingsFor("apollo", none)
  return hasCredentials(kit) && hasCredentials(apollo)
})

/** The whole demo; its exit code is 0 when the migration and the rerun went as they should. */
export const demo = real.pipe(
  Effect.flatMap((onReal) => (onReal ? withRealProviders : withSimulators)),
  Effect.catchAll((error) => say(`error: ${error.message}`).pipe(Effect.as(1)))
)
