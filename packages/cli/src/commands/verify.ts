/** `unisequence verify`: checks credentials and which endpoints they reach (writes nothing). */
import { Command, Options } from "@effect/cli"
import { Cause, Effect, Option } from "effect"
import { err, type Handler, out, outJson, RunContext } from "../internal/context.js"
import { NoCredentials, renderCause, Reported } from "../internal/errors.js"
import { common } from "../internal/options.js"
import { connect, type Probe, type Verification } from "../internal/providers.js"
import {
  hasCredentials,
  type ProviderName,
  providerNames,
  type Settings,
  settingsFor
} from "../internal/settings.js"

const verifyProvider = Options.choice("provider", providerNames).pipe(
  Options.withAlias("p"),
  Options.optional,
  Options.withDescription("Only this provider (default: every provider with credentials set)")
)

interface Check extends Verification {
  readonly provider: ProviderName
  readonly baseUrl: string
}

const checkOne = (settings: Settings) =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const connected = yield* connect(settings, run.counter)
    const verification = yield* connected.verify
    // Provider and URL first, as the JSON document has always listed them.
    return { provider: settings.provider, baseUrl: settings.baseUrl, ...verification } satisfies Check
  }).pipe(
    Effect.catchAll((e) => {
      const rendered = renderCause(Cause.fail(e))
      if (rendered.unexpected) return Effect.fail(e)
      return Effect.succeed<Check>({
        provider: settings.provider,
        baseUrl: settings.baseUrl,
        ok: false,
        detail: rendered.message,
        error: { _tag: rendered.tag, message: rendered.message, exitCode: rendered.code }
      })
    })
  )

const probeMark = (status: Probe["status"]) =>
  status === "reachable" ? "✓" : status === "unprobed" ? "·" : status === "failed" ? "?" : "✗"

/** The text report: one line per provider, one per probe under it. */
export const checkLines = (check: Check): ReadonlyArray<string> => [
  `${check.provider}  ${check.ok ? "ok  " : "FAIL"}  ${check.baseUrl}  ${check.detail}`,
  ...(check.probes ?? []).map(
    (p) =>
      `    ${probeMark(p.status)} ${p.scope}: ${p.status}${p.status === "failed" || p.status === "denied" ? ` (${p.detail})` : ""}`
  )
]

export const verify = Command.make(
  "verify",
  { ...common, provider: verifyProvider },
  (args): Handler =>
    Effect.gen(function* () {
      const names = Option.match(args.provider, { onNone: () => providerNames, onSome: (p) => [p] as const })
      const all = yield* Effect.forEach(names, (name) => settingsFor(name, args))
      const configured = Option.isSome(args.provider) ? all : all.filter(hasCredentials)
      if (configured.length === 0)
        return yield* new NoCredentials({
          message: "no credentials set: export KIT_API_KEY (or KIT_OAUTH_TOKEN) and/or APOLLO_API_KEY"
        })
      const checks = yield* Effect.forEach(configured, checkOne)
      if (args.json) yield* outJson({ command: "verify", providers: checks })
      else {
        for (const check of checks) yield* out(...checkLines(check))
        for (const skipped of all.filter((s) => !configured.includes(s)))
          yield* out(`${skipped.provider}  skip  no credentials set`)
      }
      const failed = checks.find((c) => !c.ok)
      if (failed?.error !== undefined) {
        yield* err(`error: ${failed.error.message}`)
        return yield* new Reported({ code: failed.error.exitCode })
      }
    })
).pipe(Command.withDescription("Check credentials and which endpoints they reach (writes nothing)"))
