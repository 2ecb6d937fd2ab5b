/**
 * Builds the `Sequences` service of a provider from its settings, with its credential check in one
 * shape for every provider (`verify`), counting the HTTP requests each provider is sent so that
 * long commands can report them. This is the one module of the command that knows each provider.
 */
import { HttpClient } from "@effect/platform"
import { Apollo, type ApolloClient } from "@unisequence/apollo"
import type { SequenceError, Sequences } from "@unisequence/core"
import { Kit, type KitClient } from "@unisequence/kit"
import { Cause, Effect, Option } from "effect"
import { ExitCode, type MissingCredentials, renderCause } from "./errors.js"
import { type ProviderName, requireCredentials, type Settings } from "./settings.js"

/** HTTP requests sent per provider during this run. */
export interface CallCounter {
  readonly counts: { kit: number; apollo: number }
}

export const makeCounter = (): CallCounter => ({ counts: { kit: 0, apollo: 0 } })

/** One endpoint family checked by `verify`, and what came back. */
export interface Probe {
  readonly operation: string
  readonly scope: string
  readonly status: "reachable" | "denied" | "unprobed" | "failed"
  readonly detail: string
}

/** What `verify` found for one provider, the same shape for every provider. */
export interface Verification {
  readonly ok: boolean
  /** One line: what was accepted, or why not. */
  readonly detail: string
  readonly keyKind?: "master" | "scoped" | undefined
  readonly probes?: ReadonlyArray<Probe> | undefined
  /** Why it is not ok, as the command reports a failure. */
  readonly error?: { readonly _tag: string; readonly message: string; readonly exitCode: number } | undefined
}

export interface Connected {
  readonly provider: ProviderName
  readonly settings: Settings
  readonly sequences: Sequences.Sequences
  /** Checks the credential and what it reaches; writes nothing. */
  readonly verify: Effect.Effect<Verification, SequenceError.SequenceError>
}

const rendered = (error: unknown) => {
  const r = renderCause(Cause.fail(error))
  return { _tag: r.tag, message: r.message, exitCode: r.code }
}

const kitVerification = (client: KitClient.Service, settings: Settings) =>
  Effect.map(
    client.verify,
    (verification): Verification =>
      verification.ok
        ? {
            ok: true,
            detail: `${settings.provider === "kit" && Option.isSome(settings.oauthToken) ? "OAuth token" : "API key"} accepted; sequences readable`
          }
        : { ok: false, detail: verification.reason, error: rendered(verification.error) }
  )

const apolloVerification = (client: ApolloClient.Service) =>
  Effect.map(client.verify(), (verification): Verification => {
    // A denied probe is a key without that scope; a failed one could not tell (reported, not fatal).
    const denied = verification.probes.filter((p) => p.status === "denied")
    const unclear = verification.probes.filter((p) => p.status === "failed")
    return {
      ok: denied.length === 0,
      keyKind: verification.keyKind,
      detail: `${verification.keyKind} key: ${
        denied.length === 0
          ? "every probed sequence endpoint is reachable"
          : `${denied.length} sequence endpoint(s) refused: ${denied.map((p) => p.scope).join(", ")}`
      }${unclear.length === 0 ? "" : `; ${unclear.length} probe(s) inconclusive`}`,
      probes: verification.probes.map((p) => ({
        operation: p.operation,
        scope: p.scope,
        status: p.status,
        detail: p.detail
      })),
      ...(denied.length === 0
        ? {}
        : {
            error: {
              _tag: "PermissionDenied",
              message: `apollo: the key cannot reach ${denied.map((p) => p.scope).join(", ")}; use a master key or add these scopes`,
              exitCode: ExitCode.auth
            }
          })
    }
  })

const counting =
  (counter: CallCounter, provider: "kit" | "apollo") =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.tapRequest(client, () =>
      Effect.sync(() => {
        counter.counts[provider]++
      })
    )

/** Connects to a provider; fails with `MissingCredentials` when its keys are not set. */
export const connect = (
  settings: Settings,
  counter: CallCounter
): Effect.Effect<Connected, MissingCredentials, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    yield* requireCredentials(settings)
    if (settings.provider === "kit") {
      const credential = Option.isSome(settings.oauthToken)
        ? { oauthToken: settings.oauthToken.value }
        : { apiKey: Option.getOrThrow(settings.apiKey) }
      const made = yield* Kit.make({
        ...credential,
        baseUrl: settings.baseUrl,
        transformClient: counting(counter, "kit")
      })
      return {
        provider: "kit",
        settings,
        sequences: made.sequences,
        verify: kitVerification(made.client, settings)
      } satisfies Connected as Connected
    }
    const made = yield* Apollo.make({
      apiKey: Option.getOrThrow(settings.apiKey),
      baseUrl: settings.baseUrl,
      transformClient: counting(counter, "apollo")
    })
    return {
      provider: "apollo",
      settings,
      sequences: made.sequences,
      verify: apolloVerification(made.client)
    } satisfies Connected as Connected
  })
