/**
 * A client of one provider whose methods return Promises: every operation of the `Sequences`
 * service of `@unisequence/core`, for apps that do not use Effect.
 *
 * The provider's layers are built once per client, on the first call (one `ManagedRuntime`), and
 * released by `close()` or `await using`. Keys are taken as plain strings and wrapped in `Redacted`
 * at once: they are never printed, logged, traced or put in an error.
 *
 * @example
 * ```ts
 * import { kit } from "@unisequence/client"
 *
 * await using client = kit({ apiKey: process.env.KIT_API_KEY ?? "" })
 * for await (const summary of client.list()) console.log(summary.id, summary.name)
 * ```
 *
 * @module
 */
import Undici from "@effect/platform-node/Undici"
import { Apollo } from "@unisequence/apollo"
import type { Sequence as Model, Sequences as Core } from "@unisequence/core"
import {
  type Capabilities,
  DispatcherHttpClient,
  Memory,
  SequenceError as CoreError,
  Sequences
} from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import {
  Cause,
  Chunk,
  Duration,
  Effect,
  Exit,
  Layer,
  ManagedRuntime,
  Option,
  Redacted,
  Scope,
  Stream
} from "effect"
import { ClientClosed, fromEffectError } from "./Errors.js"
import { register } from "./internal/registry.js"
import { runPromise } from "./internal/run.js"

/**
 * A sequence with its settings and every step.
 *
 * @example
 * ```ts
 * import { memory, type Sequence } from "@unisequence/client"
 *
 * await using client = memory()
 * const sequence: Sequence = await client.create({ name: "Welcome", steps: [] })
 * console.log(sequence.id, sequence.name, sequence.active)
 * ```
 */
export type Sequence = Model.Sequence
/**
 * What `list` yields for each sequence: id, name, state, no steps.
 *
 * @example
 * ```ts
 * import { memory, type SequenceSummary } from "@unisequence/client"
 *
 * await using client = memory()
 * const summaries: Array<SequenceSummary> = []
 * for await (const summary of client.list()) summaries.push(summary)
 * ```
 */
export type SequenceSummary = Model.SequenceSummary
/**
 * One step of a sequence: its id, delay and email.
 *
 * @example
 * ```ts
 * import type { Step } from "@unisequence/client"
 *
 * const describe = (step: Step) => `${step.delay.value} ${step.delay.unit}: ${step.email?.subject ?? "(no email)"}`
 * ```
 */
export type Step = Model.Step
/**
 * The input of `create`.
 *
 * @example
 * ```ts
 * import type { NewSequenceInput } from "@unisequence/client"
 *
 * const input: NewSequenceInput = {
 *   name: "Welcome",
 *   steps: [{ delay: { value: 0, unit: "days" }, email: { subject: "Hello", html: "<p>Hi</p>" } }]
 * }
 * ```
 */
export type NewSequenceInput = Model.NewSequenceInput
/**
 * The input of `addStep`.
 *
 * @example
 * ```ts
 * import type { NewStepInput } from "@unisequence/client"
 *
 * const step: NewStepInput = { delay: { value: 2, unit: "days" }, email: { subject: "Tips", html: "<p>…</p>" } }
 * ```
 */
export type NewStepInput = Model.NewStepInput
/**
 * One entry of `replaceSteps`: with the `id` of an existing step it keeps that step.
 *
 * @example
 * ```ts
 * import type { DesiredStepInput } from "@unisequence/client"
 *
 * const steps: Array<DesiredStepInput> = [
 *   { id: "12", delay: { value: 0, unit: "days" }, email: { subject: "Hello", html: "<p>Hi</p>" } },
 *   { delay: { value: 3, unit: "days" }, email: { subject: "New", html: "<p>New</p>" } }
 * ]
 * ```
 */
export type DesiredStepInput = Model.DesiredStepInput
/**
 * The input of `update`: only the settings it names change.
 *
 * @example
 * ```ts
 * import type { SequencePatch } from "@unisequence/client"
 *
 * const patch: SequencePatch = { name: "Welcome (v2)" }
 * ```
 */
export type SequencePatch = typeof Model.SequencePatch.Encoded
/**
 * The input of `updateStep`: only what it names changes.
 *
 * @example
 * ```ts
 * import type { StepPatch } from "@unisequence/client"
 *
 * const patch: StepPatch = { email: { subject: "New subject" } }
 * ```
 */
export type StepPatch = typeof Model.StepPatch.Encoded
/**
 * Who `enroll` adds: emails (Kit) or ids (Kit subscribers, Apollo contacts).
 *
 * @example
 * ```ts
 * import type { Enrollment } from "@unisequence/client"
 *
 * const who: Enrollment = { emails: ["ada@example.com"] }
 * ```
 */
export type Enrollment = typeof Model.Enrollment.Encoded
/**
 * What `enroll` did.
 *
 * @example
 * ```ts
 * import { memory, type EnrollmentResult } from "@unisequence/client"
 *
 * await using client = memory()
 * const { id } = await client.create({ name: "Newsletter", steps: [] })
 * const result: EnrollmentResult = await client.enroll(id, { emails: ["ada@example.com"] })
 * console.log(result)
 * ```
 */
export type EnrollmentResult = Model.EnrollmentResult
/**
 * Filters of `list`.
 *
 * @example
 * ```ts
 * import type { ListOptions } from "@unisequence/client"
 *
 * const options: ListOptions = { nameContains: "onboarding" }
 * ```
 */
export type ListOptions = Core.ListOptions

/**
 * Options every provider's client shares.
 *
 * @example
 * ```ts
 * import { kit, type CommonOptions } from "@unisequence/client"
 *
 * const common: CommonOptions = { timeout: 10_000, retry: false }
 * const client = kit({ apiKey: "…", ...common })
 * await client.close()
 * ```
 */
export interface CommonOptions {
  /** Per request, answer body included, in milliseconds (default 30,000). */
  readonly timeout?: number
  /** `false` turns off the retries of safe requests (on by default). */
  readonly retry?: boolean
}

/**
 * Kit (API v4): an API key or an OAuth token, not both.
 *
 * @example
 * ```ts
 * import type { KitOptions } from "@unisequence/client"
 *
 * const withKey: KitOptions = { apiKey: process.env.KIT_API_KEY ?? "" }
 * const withToken: KitOptions = { oauthToken: process.env.KIT_OAUTH_TOKEN ?? "", baseUrl: "https://api.kit.com" }
 * ```
 */
export type KitOptions = CommonOptions & {
  /** Default `https://api.kit.com`. */
  readonly baseUrl?: string
  /** Page size of `list` (default and maximum 1,000). */
  readonly pageSize?: number
} & (
    | { readonly apiKey: string; readonly oauthToken?: undefined }
    | { readonly oauthToken: string; readonly apiKey?: undefined }
  )

/**
 * Apollo.io: a master API key, or one with the sequence scopes.
 *
 * @example
 * ```ts
 * import type { ApolloOptions } from "@unisequence/client"
 *
 * const options: ApolloOptions = { apiKey: process.env.APOLLO_API_KEY ?? "", pageSize: 50 }
 * ```
 */
export interface ApolloOptions extends CommonOptions {
  readonly apiKey: string
  /** Default `https://api.apollo.io`. */
  readonly baseUrl?: string
  /** Page size of `list` (default 100). */
  readonly pageSize?: number
}

/**
 * The in-memory provider: for tests, demos and apps without an account.
 *
 * @example
 * ```ts
 * import { memory, type MemoryOptions } from "@unisequence/client"
 *
 * const options: MemoryOptions = { pageSize: 2 }
 * await using client = memory(options)
 * ```
 */
export interface MemoryOptions {
  /** Page size of `list` (default 100), to exercise paging. */
  readonly pageSize?: number
}

/**
 * One provider's sequences. Every method returns a Promise that rejects with one of this package's
 * `Error` subclasses; `list` is an async iterable that reads the provider's pages as it is consumed.
 *
 * @example
 * ```ts
 * import { memory } from "@unisequence/client"
 *
 * const client = memory()
 * const welcome = await client.create({
 *   name: "Welcome",
 *   steps: [{ delay: { value: 0, unit: "days" }, email: { subject: "Hello", html: "<p>Hi!</p>" } }]
 * })
 * await client.update(welcome.id, { name: "Welcome (v2)" })
 * console.log((await client.get(welcome.id)).name) // Welcome (v2)
 * await client.close()
 * ```
 */
export interface Client extends AsyncDisposable {
  /** `"kit"`, `"apollo"` or `"memory"`. */
  readonly provider: string
  /** What the provider can hold (fields, units, limits), without any request. */
  readonly capabilities: Capabilities.Capabilities
  /** Every sequence once, page by page as the loop asks for more; `break` stops reading. */
  list(options?: ListOptions): AsyncIterable<SequenceSummary>
  /** A sequence with all its steps and their content. */
  get(id: string): Promise<Sequence>
  /** Creates a sequence (inactive, emails unpublished, unless the input says otherwise). */
  create(input: NewSequenceInput): Promise<Sequence>
  /** Changes only the settings the patch names; an empty patch sends nothing. */
  update(id: string, patch: SequencePatch): Promise<void>
  /** Adds a step at `index` (zero-based; the end when absent). */
  addStep(id: string, step: NewStepInput, options?: { readonly index?: number }): Promise<Step>
  updateStep(id: string, stepId: string, patch: StepPatch): Promise<void>
  /** Removes one step, and only that step. */
  removeStep(id: string, stepId: string): Promise<void>
  /** Moves a step to `index` (zero-based). */
  moveStep(id: string, stepId: string, index: number): Promise<void>
  /** Makes the step list exactly `steps` (entries with an `id` keep that step); returns the steps as they end. */
  replaceSteps(id: string, steps: ReadonlyArray<DesiredStepInput>): Promise<ReadonlyArray<Step>>
  setActive(id: string, active: boolean): Promise<void>
  /** Deletes (Kit) or archives (Apollo) the sequence. */
  remove(id: string): Promise<void>
  /** Enrols subscribers (Kit, by email or id) or contacts (Apollo, by id). */
  enroll(id: string, who: Enrollment): Promise<EnrollmentResult>
  /** Releases the client (connections, rate limiters); later calls reject with `ClientClosed`. */
  close(): Promise<void>
}

const nonEmpty = (provider: "kit" | "apollo", field: string, value: unknown): string => {
  if (typeof value === "string" && value.trim() !== "") return value
  throw fromEffectError(
    new CoreError.InvalidInput({
      provider,
      operation: "configure",
      issues: [{ path: field, message: "must be a non-empty string" }]
    })
  )
}

/** A client on a layer providing `Sequences`; the layer is built on the first call. */
const make = (
  provider: string,
  capabilities: Capabilities.Capabilities,
  layer: Layer.Layer<Sequences.Sequences>
): Client => {
  const runtime = ManagedRuntime.make(layer)
  let closed = false

  const run = <A>(f: (sequences: Sequences.Sequences) => Effect.Effect<A, CoreError.SequenceError>) =>
    closed
      ? Promise.reject(new ClientClosed(provider))
      : runPromise(runtime, Effect.flatMap(Sequences.Sequences, f))

  const list = (options?: ListOptions): AsyncIterable<SequenceSummary> => ({
    [Symbol.asyncIterator]: () => pages(runtime, provider, () => closed, options)
  })

  const close = async () => {
    if (closed) return
    closed = true
    await runtime.dispose()
  }

  const client: Client = {
    provider,
    capabilities,
    list,
    get: (id) => run((s) => s.get(id)),
    create: (input) => run((s) => s.create(input)),
    update: (id, patch) => run((s) => s.update(id, patch)),
    addStep: (id, step, options) => run((s) => s.addStep(id, step, options)),
    updateStep: (id, stepId, patch) => run((s) => s.updateStep(id, stepId, patch)),
    removeStep: (id, stepId) => run((s) => s.removeStep(id, stepId)),
    moveStep: (id, stepId, index) => run((s) => s.moveStep(id, stepId, index)),
    replaceSteps: (id, steps) => run((s) => s.replaceSteps(id, steps)),
    setActive: (id, active) => run((s) => s.setActive(id, active)),
    remove: (id) => run((s) => s.remove(id)),
    enroll: (id, who) => run((s) => s.enroll(id, who)),
    close,
    [Symbol.asyncDispose]: close
  }
  register(client, {
    provider,
    service: () =>
      closed ? Promise.reject(new ClientClosed(provider)) : runPromise(runtime, Sequences.Sequences)
  })
  return client
}

/** The async iterator of `list`: one pull per provider page, the stream's scope closed on exit. */
async function* pages(
  runtime: ManagedRuntime.ManagedRuntime<Sequences.Sequences, never>,
  provider: string,
  isClosed: () => boolean,
  options: ListOptions | undefined
): AsyncGenerator<SequenceSummary, void, undefined> {
  if (isClosed()) throw new ClientClosed(provider)
  const scope = await runtime.runPromise(Scope.make())
  try {
    const pull = await runtime.runPromise(
      Effect.flatMap(Sequences.Sequences, (s) => Stream.toPull(s.list(options))).pipe(Scope.extend(scope))
    )
    while (true) {
      const exit = await runtime.runPromiseExit(pull)
      if (Exit.isSuccess(exit)) {
        yield* Chunk.toReadonlyArray(exit.value)
        continue
      }
      const failure = Cause.failureOption(exit.cause)
      if (Option.isSome(failure)) {
        // `None` is the end of the stream.
        if (Option.isNone(failure.value)) return
        throw fromEffectError(failure.value.value)
      }
      throw Cause.squash(exit.cause)
    }
  } finally {
    await runtime.runPromise(Scope.close(scope, Exit.void))
  }
}

// Core's client straight over an undici Agent: the cheapest that is still an `HttpClient`
// (bench/README.md, benchmark 1); built once per runtime, its sockets closed with it.
const httpLayer = DispatcherHttpClient.layer(() => {
  const agent = new Undici.Agent()
  return { request: (options) => agent.request(options), close: () => agent.close() }
})

const retryOption = (options: CommonOptions) => (options.retry === false ? { retry: false as const } : {})
const timeoutOption = (options: CommonOptions) =>
  options.timeout === undefined ? {} : { timeout: Duration.millis(options.timeout) }

/**
 * A client of Kit (API v4) with an API key or an OAuth token.
 *
 * @example
 * ```ts
 * import { kit } from "@unisequence/client"
 *
 * const client = kit({ apiKey: process.env.KIT_API_KEY ?? "" })
 * try {
 *   const sequence = await client.get("123")
 *   console.log(sequence.name, sequence.steps.length)
 * } finally {
 *   await client.close()
 * }
 * ```
 */
export const kit = (options: KitOptions): Client => {
  const credential =
    options.oauthToken !== undefined
      ? { oauthToken: Redacted.make(nonEmpty("kit", "oauthToken", options.oauthToken)) }
      : { apiKey: Redacted.make(nonEmpty("kit", "apiKey", options.apiKey)) }
  const layer = Kit.layer({
    ...credential,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...timeoutOption(options),
    ...retryOption(options)
  }).pipe(Layer.provide(httpLayer))
  return make("kit", Kit.capabilities, layer)
}

/**
 * A client of Apollo.io with an API key.
 *
 * @example
 * ```ts
 * import { apollo } from "@unisequence/client"
 *
 * await using client = apollo({ apiKey: process.env.APOLLO_API_KEY ?? "" })
 * const names: Array<string> = []
 * for await (const summary of client.list({ nameContains: "Outbound" })) names.push(summary.name)
 * console.log(names)
 * ```
 */
export const apollo = (options: ApolloOptions): Client => {
  const apiKey = Redacted.make(nonEmpty("apollo", "apiKey", options.apiKey))
  const layer = Apollo.layer({
    apiKey,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...timeoutOption(options),
    ...retryOption(options)
  }).pipe(Layer.provide(httpLayer))
  return make("apollo", Apollo.capabilities, layer)
}

/**
 * A client of the in-memory provider: the neutral semantics with nothing sent anywhere.
 *
 * @example
 * ```ts
 * import { memory } from "@unisequence/client"
 *
 * await using client = memory()
 * await client.create({ name: "Draft", steps: [] })
 * for await (const summary of client.list()) console.log(summary.name) // Draft
 * ```
 */
export const memory = (options: MemoryOptions = {}): Client =>
  make("memory", Memory.capabilities, Memory.layer(options))
