/**
 * Shared wiring of the reliability tests: seeds of many sequences, both adapters on simulators over
 * real HTTP, a logger that keeps everything it is given (the tracer is `RecordingTracer` of
 * `@unisequence/testing`), and the retry counter.
 */
import Undici from "@effect/platform-node/Undici"
import { DispatcherHttpClient, type Sequences } from "@unisequence/core"
import { Apollo } from "@unisequence/apollo"
import { Kit, type KitClient } from "@unisequence/kit"
import type { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { HttpClient } from "@effect/platform"
import {
  Cause,
  type Duration,
  Effect,
  HashMap,
  Layer,
  List,
  Logger,
  LogLevel,
  Metric,
  Redacted
} from "effect"

export const KIT_KEY = "kit_test_key"
export const APOLLO_KEY = "apollo_master_key"

/** A fixed weekday schedule both providers can hold (Apollo's default team schedule). */
export const businessHours = {
  send_days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
  send_hour: 9,
  time_zone: "America/New_York"
} as const

export const pad = (n: number) => String(n).padStart(3, "0")

/** `n` Kit sequences of `emails` emails each, every subject and body distinct. */
export const kitSeed = (n: number, emails: number): KitSimulator.Seed => ({
  sequences: Array.from({ length: n }, (_, s) => ({
    name: `Kit sequence ${pad(s)}`,
    ...businessHours,
    emails: Array.from({ length: emails }, (_, e) => ({
      subject: `K${pad(s)} email ${e}`,
      content: `<p>Kit sequence ${s}, email ${e}</p>`,
      delay_value: e === 0 ? 0 : e,
      delay_unit: e % 2 === 0 ? ("days" as const) : ("hours" as const),
      published: true
    }))
  }))
})

/** `n` Apollo sequences of `steps` email steps each, one approved touch per step. */
export const apolloSeed = (n: number, steps: number): ApolloSimulator.Seed => ({
  sequences: Array.from({ length: n }, (_, s) => ({
    name: `Apollo sequence ${pad(s)}`,
    active: false,
    emailer_steps: Array.from({ length: steps }, (_, e) => ({
      type: "auto_email" as const,
      wait_time: e === 0 ? 0 : e,
      wait_mode: e % 2 === 0 ? ("day" as const) : ("hour" as const),
      emailer_touches: [
        {
          type: e === 0 ? ("new_thread" as const) : ("reply_to_thread" as const),
          status: "approved" as const,
          emailer_template: {
            subject: `A${pad(s)} step ${e}`,
            body_html: `<p>Apollo sequence ${s}, step ${e}</p>`
          }
        }
      ]
    }))
  }))
})

export interface AdapterOptions {
  readonly key?: string
  readonly timeout?: Duration.DurationInput
  readonly retry?: Kit.Options["retry"]
  readonly rateLimit?: Kit.Options["rateLimit"]
  readonly transformClient?: Kit.Options["transformClient"]
}

const fastRetry = { baseDelay: "10 millis", maxDelay: "200 millis", maxAttempts: 8 } as const

export interface Adapter<C> {
  readonly client: C
  readonly sequences: Sequences.Sequences
}

/**
 * The HTTP client users get by default (the CLI's and the Promise API's): core's `DispatcherHttpClient`
 * over an undici `Agent`, which honours the adapters' timeout itself (no timer fiber per attempt). One
 * agent for the whole worker, as a process keeps one: its idle sockets are closed with the simulators.
 */
let agent: InstanceType<typeof Undici.Agent> | undefined
const http = Layer.sync(HttpClient.HttpClient, () => {
  agent ??= new Undici.Agent()
  const shared = agent
  return DispatcherHttpClient.make({ request: (options) => shared.request(options) })
})

export const kitOn = (url: string, options: AdapterOptions = {}): Effect.Effect<Adapter<KitClient.Service>> =>
  Kit.make({
    apiKey: Redacted.make(options.key ?? KIT_KEY),
    baseUrl: url,
    timeout: options.timeout ?? "2 seconds",
    retry: options.retry ?? fastRetry,
    rateLimit: options.rateLimit ?? false,
    ...(options.transformClient === undefined ? {} : { transformClient: options.transformClient })
  }).pipe(Effect.provide(http))

export const apolloOn = (
  url: string,
  options: AdapterOptions = {}
): Effect.Effect<Adapter<Apollo.Apollo["client"]>> =>
  Apollo.make({
    apiKey: Redacted.make(options.key ?? APOLLO_KEY),
    baseUrl: url,
    timeout: options.timeout ?? "2 seconds",
    retry: options.retry ?? fastRetry,
    ...(options.rateLimit === undefined || options.rateLimit === false
      ? {}
      : { rateLimit: options.rateLimit }),
    ...(options.transformClient === undefined ? {} : { transformClient: options.transformClient })
  }).pipe(Effect.provide(http))

/** The name of core's `Resilience.retries` counter (a `Metric` does not expose its key). */
const RETRIES = "unisequence_retries"

/** Every retry core's `Resilience.retry` counted, summed over providers and error tags. */
export const retriesSoFar: Effect.Effect<number> = Metric.snapshot.pipe(
  Effect.map((pairs) => {
    let total = 0
    for (const pair of pairs) {
      if (pair.metricKey.name !== RETRIES) continue
      const state: unknown = pair.metricState
      if (typeof state === "object" && state !== null && "count" in state && typeof state.count === "number")
        total += state.count
    }
    return total
  })
)

/** A logger that keeps every line from `level` up (default all) with its annotations, cause and spans, as text. */
export const captureLogs = (level: LogLevel.LogLevel = LogLevel.All) => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message, spans }) => {
    const parts = [
      logLevel.label,
      ...(Array.isArray(message) ? message : [message]).map((m) =>
        typeof m === "string" ? m : JSON.stringify(m, replacer)
      ),
      JSON.stringify([...HashMap.toEntries(annotations)], replacer),
      [...List.toArray(spans)].map((s) => s.label).join(","),
      Cause.isEmpty(cause) ? "" : Cause.pretty(cause, { renderErrorCause: true })
    ]
    lines.push(parts.join(" | "))
  })
  const layer = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(level))
  return { lines, layer }
}

/** Serialises anything a log or a span may carry, Redacted included, the way a careless exporter would. */
export const replacer = (_key: string, value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return String(value)
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Error) return { ...value, name: value.name, message: value.message }
  return value
}
