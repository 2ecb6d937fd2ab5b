/** `unisequence verify`: checks credentials and which endpoints they reach (writes nothing). */
import type { Sequences } from "@unisequence/core"
import { Cause, Effect, Option } from "effect"
import { err, type Handler, out, outJson, RunContext } from "../internal/context.js"
import { NoCredentials, renderCause, Reported } from "../internal/errors.js"
import type { ArgsOf, verifyConfig } from "../internal/definitions.js"
import { connect } from "../internal/providers.js"
import {
  hasCredentials,
  type ProviderName,
  providerNames,
  type Settings,
  settingsFor
} from "../internal/settings.js"

/** One provider's line of the report: the service's `Verification`, its error as the command reports one. */
interface Check extends Omit<Sequences.Verification, "error" | "probes"> {
  readonly provider: ProviderName
  readonly baseUrl: string
  readonly probes?: ReadonlyArray<Sequences.Probe>
  readonly error?: { readonly _tag: string; readonly message: string; readonly exitCode: number } | undefined
}

const reported = (error: unknown) => {
  const rendered = renderCause(Cause.fail(error))
  return { _tag: rendered.tag, message: rendered.message, exitCode: rendered.code }
}

const checkOne = (settings: Settings) =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const connected = yield* connect(settings, run.counter)
    const { error, ...verification } = yield* connected.sequences.verify
    // Provider and URL first, as the JSON document has always listed them.
    return {
      provider: settings.provider,
      baseUrl: settings.baseUrl,
      ...verification,
      ...(error === undefined ? {} : { error: reported(error) })
    } satisfies Check
  }).pipe(
    Effect.catchAll((e) => {
      if (renderCause(Cause.fail(e)).unexpected) return Effect.fail(e)
      const error = reported(e)
      return Effect.succeed<Check>({
        provider: settings.provider,
        baseUrl: settings.baseUrl,
        ok: false,
        detail: error.message,
        error
      })
    })
  )

const probeMark = (status: Sequences.Probe["status"]) =>
  status === "reachable" ? "✓" : status === "unprobed" ? "·" : status === "failed" ? "?" : "✗"

/** The text report: one line per provider, one per probe under it. */
export const checkLines = (check: Check): ReadonlyArray<string> => [
  `${check.provider}  ${check.ok ? "ok  " : "FAIL"}  ${check.baseUrl}  ${check.detail}`,
  ...(check.probes ?? []).map(
    (p) =>
      `    ${probeMark(p.status)} ${p.scope ?? p.operation}: ${p.status}${p.status === "failed" || p.status === "denied" || p.status === "unavailable" ? ` (${p.detail})` : ""}`
  )
]

export const run = (args: ArgsOf<typeof verifyConfig>): Handler =>
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
