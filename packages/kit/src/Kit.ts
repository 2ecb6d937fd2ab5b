/**
 * The Kit (API v4) provider of `Sequences`: primitives over `KitClient`, handed to core's
 * `Sequences.make`.
 *
 * Kit updates partially, so every write sends only what changes: a settings patch is one `PUT` with
 * the named fields, a step edit one request on that email, and a reorder is planned so that no
 * request lands on a taken position (`internal/positions.ts`).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Sequences } from "@unisequence/core"
 * import { Kit } from "@unisequence/kit"
 * import { Effect, Layer, Stream } from "effect"
 *
 * // Reads KIT_API_KEY (or KIT_OAUTH_TOKEN) and the optional KIT_BASE_URL.
 * const provider = Kit.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const names = Effect.flatMap(Sequences.Sequences, (s) => Stream.runCollect(s.list()))
 * await Effect.runPromise(names.pipe(Effect.provide(provider)))
 * ```
 *
 * @module
 */
import type { HttpClient } from "@effect/platform"
import { Capabilities, type Diff, Sequence as Model, SequenceError, Sequences } from "@unisequence/core"
import { Chunk, Config, type ConfigError, Context, Effect, Either, Layer, Stream } from "effect"
import * as KitClient from "./KitClient.js"
import * as Mapping from "./internal/mapping.js"
import * as ProviderOptions from "./internal/options.js"
import * as Positions from "./internal/positions.js"
import * as RawFields from "./internal/rawFields.js"
import type * as Wire from "./internal/wire.js"

export type Options = KitClient.Options

/** Kit's entry in `providerOptions` (read-only figures), sequence and step level. */
export const SequenceOptions = ProviderOptions.SequenceOptions
export const StepOptions = ProviderOptions.StepOptions

/** What Kit can hold, its options and its rules, as data for core's translation and validation. */
export const capabilities: Capabilities.Capabilities = {
  provider: ProviderOptions.provider,
  displayName: "Kit",
  delayUnits: ["hours", "days"],
  stepTypes: ["email"],
  perStepSendDays: true,
  variants: false,
  threads: ["new"],
  weeklySchedule: true,
  namedSchedule: false,
  sender: true,
  stepSender: false,
  templates: true,
  previewText: true,
  reentry: true,
  holdAfterLastStep: true,
  exclusions: true,
  limits: false,
  ccBcc: false,
  labels: false,
  removal: "delete",
  stepsInline: false,
  readsSchedules: false,
  enrollment: { byEmail: true, byId: true, sendFrom: false },
  options: {
    sequence: ProviderOptions.SequenceOptions,
    step: ProviderOptions.StepOptions,
    readOnly: ["emailCount", "subscriberCount", "stats"],
    stepReadOnly: ["position"]
  },
  keepsForeignOptions: false,
  // Kit refuses a zero delay after the first email, and send days on an hour-based email.
  rules: { zeroDelayFirstStepOnly: true, sendDaysNeedDayDelay: true },
  // Kit's document types delays and ids `integer` with no format: 32-bit, as its servers store them.
  ranges: { delay: Capabilities.int32Max, numericIds: Capabilities.int32Max },
  rawFields: RawFields.rawFields,
  stepRawFields: RawFields.stepRawFields
}

type Error = SequenceError.SequenceError
const provider = ProviderOptions.provider

/** `Left` refusals of the pure mapping, as the neutral error of `operation`. */
const orRefuse =
  (operation: string) =>
  <A>(result: Either.Either<A, Mapping.Refusal>): Effect.Effect<A, Error> =>
    Either.match(result, {
      onLeft: (refusal) => Effect.fail(Mapping.refusalError(operation, refusal)),
      onRight: Effect.succeed
    })

const isImmediate = (delay: Model.Delay) => delay.value === 0 && delay.unit === "days"

/** The `Sequences` primitives of Kit on a client. */
export const primitives = (client: KitClient.Service): Sequences.Primitives => {
  /** A 404 on an email path says nothing of which id is missing: ask for the sequence (errors only). */
  const whichNotFound = <A>(sequenceId: string, effect: Effect.Effect<A, Error>): Effect.Effect<A, Error> =>
    Effect.catchTag(effect, "StepNotFound", (notFound) =>
      client.getSequence(sequenceId).pipe(
        Effect.matchEffect({
          onFailure: (error) => Effect.fail(error._tag === "SequenceNotFound" ? error : notFound),
          onSuccess: () => Effect.fail(notFound)
        })
      )
    )

  /** All emails of a sequence: one page holds up to 1,000, so cursors are followed only past that. */
  const readEmails = (id: string, includeContent: boolean) =>
    Effect.gen(function* () {
      let page = yield* client.listEmailsPage(id, { pageSize: client.pageSize, includeContent })
      const emails = [...page.emails]
      while (page.pagination.has_next_page && page.pagination.end_cursor !== null) {
        const after = page.pagination.end_cursor
        page = yield* client.listEmailsPage(id, { after, pageSize: client.pageSize, includeContent })
        emails.push(...page.emails)
      }
      return emails
    })

  const get = (id: string) =>
    Effect.gen(function* () {
      const sequence = yield* client.getSequence(id)
      const emails = yield* readEmails(id, true)
      return Mapping.toSequence(sequence, emails)
    })

  const create = (input: Model.NewSequence) =>
    Effect.gen(function* () {
      const body = yield* orRefuse("create")(Mapping.createSequenceBody(input))
      // Every step body is checked before the first request: a refused step writes nothing.
      const steps = yield* Effect.forEach(input.steps, (step, i) =>
        orRefuse("create")(
          Either.mapLeft(Mapping.createEmailBody(step, i), (refusal) => prefixRefusal(refusal, `steps[${i}]`))
        )
      )
      const sequence = yield* client.createSequence(body)
      // An email Kit refuses after the sequence exists: the sequence goes, not a part of it.
      return yield* Effect.forEach(steps, (step) => client.createEmail(sequence.id, step)).pipe(
        Effect.map((emails) =>
          Mapping.toSequence(
            sequence,
            emails.map((email, i) => ({ ...email, position: email.position ?? i }))
          )
        ),
        Sequences.removeOnFailure(String(sequence.id), (id) => client.deleteSequence(id))
      )
    })

  const update = (id: string, patch: Model.SequencePatch) =>
    Effect.gen(function* () {
      const body = yield* orRefuse("update")(Mapping.sequenceBody(patch))
      // Only read-only bookkeeping was named: nothing to send.
      if (Object.keys(body).length === 0) return
      yield* client.updateSequence(id, body)
    })

  const writeSteps = (current: Sequences.StepList, diff: Diff.StepDiff) =>
    Effect.gen(function* () {
      const sequenceId = current.id
      const byId = new Map(current.steps.map((step, i) => [step.id, { step, index: i }]))
      const positionOf = (id: string) => {
        const entry = byId.get(id)!
        return ProviderOptions.stepOptions(entry.step.providerOptions).position ?? entry.index
      }
      const patches = new Map(diff.updates.map((u) => [u.id, u.patch]))
      const bodies = new Map<string, Wire.EmailBody>()
      for (const { id, patch } of diff.updates) {
        bodies.set(id, yield* orRefuse("writeSteps")(Mapping.emailBody(patch)))
      }
      const creates = yield* Effect.forEach(diff.creates, (step, i) =>
        orRefuse("writeSteps")(
          Either.mapLeft(Mapping.createEmailBody(step), (refusal) => prefixRefusal(refusal, `creates[${i}]`))
        )
      )
      const first = diff.order[0]
      const firstDelay =
        first === undefined
          ? undefined
          : first._tag === "New"
            ? diff.creates[first.index]?.delay
            : (patches.get(first.id)?.delay ?? byId.get(first.id)?.step.delay)
      const plan = Positions.plan({
        current: current.steps.map((step) => ({ id: step.id, position: positionOf(step.id) })),
        order: diff.order,
        pinFirst: firstDelay !== undefined && isImmediate(firstDelay)
      })

      const written = new Map<string, Wire.Email>()
      const createdByIndex = new Map<number, Wire.Email>()
      const kept = new Set(plan.kept)
      let updatesSent = false
      const sendKeptUpdates = Effect.suspend(() => {
        if (updatesSent) return Effect.void
        updatesSent = true
        return Effect.forEach(
          [...bodies].filter(([id, body]) => kept.has(id) && Object.keys(body).length > 0),
          ([id, body]) =>
            client.updateEmail(sequenceId, id, body).pipe(Effect.map((email) => written.set(id, email))),
          { discard: true }
        )
      })
      const patched = new Set<string>()
      for (const operation of plan.operations) {
        switch (operation._tag) {
          case "Delete":
            yield* client.deleteEmail(sequenceId, operation.id)
            break
          case "Move": {
            yield* sendKeptUpdates
            // The email's own changes ride on its first move: one request per moved email.
            const body = patched.has(operation.id) ? {} : (bodies.get(operation.id) ?? {})
            patched.add(operation.id)
            const email = yield* client.updateEmail(sequenceId, operation.id, {
              ...body,
              position: operation.position
            })
            written.set(operation.id, email)
            break
          }
          case "Create": {
            yield* sendKeptUpdates
            const email = yield* client.createEmail(sequenceId, {
              ...creates[operation.index]!,
              position: operation.position
            })
            createdByIndex.set(operation.index, email)
            break
          }
        }
      }
      yield* sendKeptUpdates

      return diff.order.map((ref, i) => {
        const position = plan.positions[i]!
        if (ref._tag === "New") return Mapping.toStep(createdByIndex.get(ref.index)!, position)
        const email = written.get(ref.id)
        if (email !== undefined) return Mapping.toStep({ ...email, position }, position)
        const step = byId.get(ref.id)!.step
        return new Model.Step(
          { ...step, providerOptions: { ...step.providerOptions, [ProviderOptions.provider]: { position } } },
          true
        )
      })
    }).pipe(
      (effect) => whichNotFound(current.id, effect),
      Effect.withSpan("Kit.writeSteps", {
        attributes: { "unisequence.provider": provider, "unisequence.sequence_id": current.id }
      })
    )

  const setActive = (id: string, active: boolean) => Effect.asVoid(client.updateSequence(id, { active }))

  const remove = (id: string) => client.deleteSequence(id)

  const enroll = (id: string, who: Model.Enrollment) =>
    Effect.gen(function* () {
      const ids = yield* Effect.forEach(who.ids ?? [], (raw, i) =>
        orRefuse("enroll")(Mapping.toKitId(raw, `ids[${i}]`))
      )
      let added = 0
      let alreadyEnrolled = 0
      const count = (result: KitClient.AddedSubscriber) => {
        if (result.added) added++
        else alreadyEnrolled++
      }
      /** Kit's 404 on an add is the sequence or the subscriber: tell which. */
      const missingSubscriber = (path: string, what: string) => (error: Error) =>
        error._tag !== "SequenceNotFound"
          ? Effect.fail(error)
          : client.getSequence(id).pipe(
              Effect.matchEffect({
                onFailure: (cause) => Effect.fail(cause._tag === "SequenceNotFound" ? error : cause),
                onSuccess: () =>
                  Effect.fail(
                    new SequenceError.InvalidInput({
                      provider,
                      operation: "enroll",
                      issues: [{ path, message: `no Kit subscriber ${what}: create the subscriber first` }]
                    })
                  )
              })
            )
      for (const [i, email] of (who.emails ?? []).entries()) {
        count(
          yield* client
            .addSubscriberByEmail(id, email)
            .pipe(Effect.catchAll(missingSubscriber(`emails[${i}]`, `with address ${email}`)))
        )
      }
      for (const [i, subscriberId] of ids.entries()) {
        count(
          yield* client
            .addSubscriberById(id, subscriberId)
            .pipe(Effect.catchAll(missingSubscriber(`ids[${i}]`, `with id ${subscriberId}`)))
        )
      }
      return { added, alreadyEnrolled }
    })

  /** Append = one POST; an insertion reads the emails, shifts the later ones up if needed, then POSTs. */
  const addStep = (id: string, step: Model.NewStep, index: number | undefined) =>
    Effect.gen(function* () {
      const body = yield* orRefuse("addStep")(
        Either.mapLeft(Mapping.createEmailBody(step), (refusal) => prefixRefusal(refusal, "step"))
      )
      if (index === undefined) return Mapping.toStep(yield* client.createEmail(id, body))
      const emails = yield* readEmails(id, false)
      const at = Math.min(index, emails.length)
      if (at === emails.length) {
        if (at > 0 && isImmediate(step.delay)) {
          return yield* new SequenceError.InvalidInput({
            provider,
            operation: "addStep",
            issues: [{ path: "step.delay", message: "only the first step may have a zero delay" }]
          })
        }
        return Mapping.toStep(yield* client.createEmail(id, body))
      }
      const next = emails[at]!
      if (at === 0 && isImmediate({ value: next.delay_value, unit: next.delay_unit })) {
        return yield* new SequenceError.InvalidInput({
          provider,
          operation: "addStep",
          issues: [
            {
              path: "index",
              message:
                "the first step sends immediately (0 days) and cannot become the second; give it a delay first"
            }
          ]
        })
      }
      const position = at === 0 ? 0 : (emails[at - 1]!.position ?? at - 1) + 1
      // The run of emails packed right after the new position moves up by one, highest first.
      const run: Array<Wire.Email> = []
      for (let k = at, p = position; k < emails.length && emails[k]!.position === p; k++, p++)
        run.push(emails[k]!)
      for (const email of run.reverse()) {
        yield* client.updateEmail(id, email.id, { position: (email.position ?? 0) + 1 })
      }
      const created = yield* client.createEmail(id, { ...body, position })
      return Mapping.toStep(created, position)
    })

  const updateStep = (id: string, stepId: string, patch: Model.StepPatch) =>
    Effect.gen(function* () {
      const body = { ...(yield* orRefuse("updateStep")(Mapping.emailBody(patch))) }
      // Reverting send days on an hour-based email has nothing to revert (Kit keeps none on it):
      // nothing is sent for it. The unit comes from the patch, else from one read of the email.
      if (body.send_days === null) {
        const unit = patch.delay?.unit ?? (yield* client.getEmail(id, stepId)).delay_unit
        if (unit === "hours") delete body.send_days
      }
      if (Object.keys(body).length === 0) return
      // Rules that depend on where the step sits (a zero delay, send days on an hour-based email)
      // are checked by core against the step as read, before this is called.
      yield* client.updateEmail(id, stepId, body)
    }).pipe((effect) => whichNotFound(id, effect))

  const removeStep = (id: string, stepId: string) => whichNotFound(id, client.deleteEmail(id, stepId))

  return {
    provider,
    baseUrl: client.baseUrl,
    capabilities,
    list: (options) => {
      const needle = options.nameContains?.toLowerCase()
      // A page at a time: one array of summaries per chunk, filtered only when a name is asked for.
      const summaries = Stream.mapChunks(client.listSequences(), (page) =>
        Chunk.unsafeFromArray(Chunk.toReadonlyArray(page).map(Mapping.toSummary))
      )
      return needle === undefined
        ? summaries
        : Stream.filter(summaries, (summary) => summary.name.toLowerCase().includes(needle))
    },
    get,
    create,
    update,
    writeSteps,
    // A step edit needs the emails only: one request, where `get` takes two.
    readSteps: (id: string) =>
      Effect.map(readEmails(id, true), (emails) => ({
        id,
        steps: [...emails]
          .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
          .map((email) => Mapping.toStep(email))
      })),
    setActive,
    remove,
    enroll,
    verify: Effect.map(
      client.verify,
      (verification): Sequences.Verification =>
        verification.ok
          ? {
              ok: true,
              detail: `${client.credentialKind} accepted; sequences readable`,
              credential: client.credentialKind,
              probes: [
                { operation: "list", status: "reachable", detail: "GET /v4/sequences?per_page=1: answered" }
              ]
            }
          : {
              ok: false,
              detail: verification.reason,
              credential: client.credentialKind,
              probes: [
                {
                  operation: "list",
                  status: verification.error._tag === "PermissionDenied" ? "denied" : "failed",
                  detail: `GET /v4/sequences?per_page=1: ${verification.reason}`
                }
              ],
              error: verification.error
            }
    ),
    addStep,
    updateStep,
    removeStep
  }
}

const prefixRefusal = (refusal: Mapping.Refusal, prefix: string): Mapping.Refusal =>
  refusal._tag === "Invalid"
    ? {
        ...refusal,
        issues: refusal.issues.map((i) => ({ ...i, path: i.path === "" ? prefix : `${prefix}.${i.path}` }))
      }
    : { ...refusal, feature: `${prefix}.${refusal.feature}` }

/** The `Sequences` service of Kit on a client. */
export const fromClient = (client: KitClient.Service): Effect.Effect<Sequences.Sequences> =>
  Effect.sync(() => Sequences.make(primitives(client)))

/** The client and the `Sequences` service of one Kit account. */
export interface Kit {
  readonly client: KitClient.Service
  readonly sequences: Sequences.Sequences
}

/**
 * The client and the `Sequences` service as plain values, for code that needs two providers at once
 * (a migration) without layers.
 */
export const make = (options: Options): Effect.Effect<Kit, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = yield* KitClient.make(options)
    const sequences = yield* fromClient(client)
    return { client, sequences }
  })

const layerFrom = <E, R>(
  made: Effect.Effect<Kit, E, R>
): Layer.Layer<KitClient.KitClient | Sequences.Sequences, E, R> =>
  Layer.effectContext(
    Effect.map(made, ({ client, sequences }) =>
      Context.make(KitClient.KitClient, client).pipe(Context.add(Sequences.Sequences, sequences))
    )
  )

/** Provides `KitClient | Sequences`; requires an `HttpClient` (fetch, undici, or a test client). */
export const layer = (
  options: Options
): Layer.Layer<KitClient.KitClient | Sequences.Sequences, never, HttpClient.HttpClient> =>
  layerFrom(make(options))

/**
 * Like `layer`, with every option from configuration (`Config.Config.Wrap<Options>`, as
 * `@effect/sql-pg` takes): e.g. `{ apiKey: Config.redacted("KIT_API_KEY"), pageSize: Config.succeed(100) }`.
 * By default reads `KIT_API_KEY` (or `KIT_OAUTH_TOKEN`) and optional `KIT_BASE_URL`.
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options> = KitClient.config
): Layer.Layer<KitClient.KitClient | Sequences.Sequences, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFrom(Effect.flatMap(Config.unwrap(config), make))
