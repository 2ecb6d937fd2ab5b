/**
 * The Apollo.io adapter: the neutral `Sequences` service on `ApolloClient`.
 *
 * Apollo's `PUT /sequences/{id}` replaces the step list when it carries `emailer_steps`, so:
 * - a settings-only patch sends one `PUT` without `emailer_steps`;
 * - any step edit is read + one `PUT` with the complete list, every kept step and touch with its id
 *   (core reads the sequence and computes the diff; `writeSteps` builds the list). No operation can
 *   drop a step or touch it was not asked to drop.
 *
 * Sequences are created inactive with touches `to_be_reviewed` unless asked otherwise; `remove`
 * archives (Apollo has no delete); a neutral weekly schedule is written as the team's matching
 * `emailer_schedule` (Apollo's API cannot create one).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Apollo } from "@unisequence/apollo"
 * import { Sequences } from "@unisequence/core"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const provider = Apollo.layer({ apiKey: Redacted.make(process.env.APOLLO_API_KEY ?? "") }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * const sequence = Effect.flatMap(Sequences.Sequences, (s) => s.get("66e34b81740c50074e3d1bd4"))
 * await Effect.runPromise(sequence.pipe(Effect.provide(provider)))
 * ```
 *
 * @module
 */
import type { HttpClient } from "@effect/platform"
import { Capabilities, Diff, Sequence as S, SequenceError as E, Sequences } from "@unisequence/core"
import {
  Cache,
  Chunk,
  Config,
  type ConfigError,
  Context,
  Duration,
  Effect,
  Either,
  Exit,
  Layer,
  Option,
  Ref,
  Stream
} from "effect"
import * as ApolloClient from "./ApolloClient.js"
import { isAlreadyInState, readOneSequencePath } from "./internal/errors.js"
import * as Mapping from "./internal/mapping.js"
import * as ProviderOptions from "./internal/options.js"
import * as RawFields from "./internal/rawFields.js"
import type * as W from "./internal/wire.js"

export interface Options extends ApolloClient.Options {}

export interface Apollo {
  readonly client: ApolloClient.Service
  readonly sequences: Sequences.Sequences
}

const provider = ProviderOptions.provider

/** Apollo's entry in `providerOptions`, sequence and step level. */
export const SequenceOptions = ProviderOptions.SequenceOptions
export const StepOptions = ProviderOptions.StepOptions

/** What Apollo can hold, its options and its rules, as data for core's translation and validation. */
export const capabilities: Capabilities.Capabilities = {
  provider: ProviderOptions.provider,
  displayName: "Apollo",
  delayUnits: ["minutes", "hours", "days"],
  stepTypes: [...S.StepType.literals],
  perStepSendDays: false,
  variants: true,
  threads: ["new", "reply"],
  // A weekly schedule is written as the team's matching `emailer_schedule` (Apollo cannot create one).
  weeklySchedule: false,
  namedSchedule: true,
  sender: false,
  stepSender: false,
  templates: false,
  previewText: false,
  reentry: false,
  holdAfterLastStep: false,
  exclusions: false,
  limits: true,
  ccBcc: true,
  labels: true,
  removal: "archive",
  stepsInline: true,
  readsSchedules: true,
  enrollment: { byEmail: false, byId: true, sendFrom: true },
  options: {
    sequence: ProviderOptions.SequenceOptions,
    step: ProviderOptions.StepOptions,
    readOnly: ["stats"],
    // `permissions` is no longer answered (`sharingPermission` replaced it); the label ids are read
    // for the labels, which are compared and written by name.
    notCompared: ["permissions", "labelIds"],
    sameOption: Mapping.sameSequenceOption,
    stepReadOnly: ["touchId"],
    // A step of an exact-time sequence is sent at its date and time, not after a wait.
    stepTiming: { exactDatetime: "at an exact date and time" },
    // Apollo sends at `exact_datetime` only in a sequence created `sequence_by_exact_daytime`; elsewhere
    // the step waits `wait_time` and a date left on it is ignored.
    stepTimingFlag: ["createFlags", "sequence_by_exact_daytime"]
  },
  keepsForeignOptions: false,
  // Apollo's document has no rule against a zero wait on a later step (Kit's has); no per-step send days.
  rules: { zeroDelayFirstStepOnly: false, sendDaysNeedDayDelay: false },
  // Apollo's document types these `integer` with no format (32-bit); the reply delay "maximum 1000".
  ranges: {
    delay: Capabilities.int32Max,
    maxEmailsPerDay: Capabilities.int32Max,
    sameAccountReplyDelayDays: 1000
  },
  rawFields: RawFields.rawFields
}

const invalid = (operation: string, issues: Mapping.Issues) =>
  new E.InvalidInput({ provider, operation, issues })

/** The `Sequences` service on an existing client (one schedule cache per call). */
export const fromClient = (client: ApolloClient.Service): Effect.Effect<Sequences.Sequences> =>
  Effect.gen(function* () {
    // The team's schedules, read once per adapter (a `get` costs one request after the first) and
    // again when a write looks for one they lack. Concurrent first reads share one request; a failed
    // read is not kept.
    const cache = yield* Cache.makeWith({
      capacity: 1,
      lookup: (_: "schedules") => Effect.map(client.listSchedules, ({ value }) => value),
      timeToLive: Exit.match({ onFailure: () => Duration.zero, onSuccess: () => Duration.infinity })
    })
    // A key without the schedules scope: remembered, so reads do not retry it every time.
    const deniedSchedules = yield* Ref.make(false)

    // A failure is dropped at once (its zero time to live is measured in whole milliseconds).
    const read = cache.get("schedules").pipe(Effect.tapError(() => cache.invalidate("schedules")))
    const schedules = (refresh: boolean) =>
      refresh ? Effect.zipRight(cache.invalidate("schedules"), read) : read
    /** The schedules if already read; never reads them. */
    const knownSchedules = cache.getOptionComplete("schedules")

    /** Schedules for naming a read's schedule: never fails the read. */
    const schedulesForRead = Effect.gen(function* () {
      if (yield* Ref.get(deniedSchedules)) return undefined
      return yield* schedules(false).pipe(
        Effect.catchAll((error) =>
          error._tag === "PermissionDenied"
            ? Ref.set(deniedSchedules, true).pipe(Effect.as(undefined))
            : Effect.logDebug(`Apollo schedules unavailable for naming: ${error.message}`).pipe(
                Effect.as(undefined)
              )
        )
      )
    })

    /** The `emailer_schedule_id` a neutral schedule is written as. */
    const resolveSchedule = (operation: string, schedule: S.Schedule | undefined) =>
      Effect.gen(function* () {
        if (schedule === undefined) return undefined
        if (schedule._tag === "Named") return schedule.scheduleId
        const known = yield* knownSchedules
        let list = yield* schedules(false)
        let found = Mapping.matchSchedule(schedule, list)
        // A schedule made in Apollo since the cache was filled: look once more.
        if (found === undefined && Option.isSome(known)) {
          list = yield* schedules(true)
          found = Mapping.matchSchedule(schedule, list)
        }
        if (found === undefined) {
          return yield* invalid(operation, [
            { path: "schedule", message: Mapping.noMatchingSchedule(schedule, list) }
          ])
        }
        return found.id
      })

    const toSequence =
      (operation: string, status: number) => (detail: ApolloClient.Decoded<W.SequenceDetail>) =>
        Effect.flatMap(schedulesForRead, (known) =>
          Either.match(Mapping.sequenceFromWire(detail.value, detail.raw, known), {
            onLeft: (reason) =>
              Effect.fail(
                new E.MalformedResponse({
                  provider,
                  operation,
                  status,
                  reason,
                  excerpt: E.excerpt(JSON.stringify(detail.raw))
                })
              ),
            onRight: Effect.succeed
          })
        )

    // Whether the account serves `GET /emailer_campaigns/{id}` (not in Apollo's document): learnt from
    // the first conclusive answer (a read or the preflight); once known to be missing, every operation
    // that needs it fails at once with the same `Unsupported`, without asking again.
    const unreadable = yield* Ref.make(Option.none<E.Unsupported>())
    const readable = yield* Ref.make(false)
    const isReadUnavailable = (error: E.SequenceError): error is E.Unsupported =>
      error._tag === "Unsupported" && error.feature === readOneSequencePath
    const readOne = (id: string) =>
      Effect.flatMap(Ref.get(unreadable), (known) =>
        Option.isSome(known)
          ? Effect.fail(known.value)
          : client.getSequence(id).pipe(
              Effect.tap(() => Ref.set(readable, true)),
              Effect.tapError((error) =>
                isReadUnavailable(error) ? Ref.set(unreadable, Option.some(error)) : Effect.void
              )
            )
      )

    /** Reads only: a 404 for an id that cannot exist says the endpoint is served. Answers its requests. */
    const preflight = Effect.gen(function* () {
      const known = yield* Ref.get(unreadable)
      if (Option.isSome(known)) return yield* known.value
      if (yield* Ref.get(readable)) return 0
      yield* readOne(ApolloClient.probeId).pipe(
        Effect.asVoid,
        Effect.catchAll((error) =>
          isReadUnavailable(error)
            ? Effect.fail(error)
            : // The endpoint answered (not found), or could not tell: the operations report what follows.
              error._tag === "SequenceNotFound"
              ? Ref.set(readable, true)
              : Effect.void
        )
      )
      return 1
    })

    const get = (id: string) => readOne(id).pipe(Effect.flatMap(toSequence("get", 200)))

    const list = (options: Sequences.ListOptions) => {
      const needle = options.nameContains?.toLowerCase()
      return Stream.unwrap(
        knownSchedules.pipe(
          Effect.map((known) =>
            client
              .search(options.nameContains === undefined ? {} : { nameContains: options.nameContains })
              .pipe(
                // A page at a time, one array per chunk. Apollo matches keywords; the neutral contract
                // is a case-insensitive substring.
                Stream.mapChunks((page) => {
                  const schedules = Option.getOrUndefined(known)
                  const summaries: Array<S.SequenceSummary> = []
                  for (const { value, raw } of Chunk.toReadonlyArray(page))
                    if (needle === undefined || (value.name ?? "").toLowerCase().includes(needle))
                      summaries.push(Mapping.summaryFromWire(value, raw, schedules))
                  return Chunk.unsafeFromArray(summaries)
                })
              )
          )
        )
      )
    }

    const create = (input: S.NewSequence) =>
      Effect.gen(function* () {
        const scheduleId = yield* resolveSchedule("create", input.schedule)
        const body = yield* Either.match(Mapping.createToWire(input, scheduleId), {
          onLeft: (issues) => Effect.fail(invalid("create", issues)),
          onRight: Effect.succeed
        })
        const created = yield* client.createSequence(body)
        const id = created.value.emailer_campaign.id
        const after = Mapping.afterCreatePatch(input)
        const requested = ProviderOptions.sequenceOptions(input.providerOptions)
        // A later write refused (an activation Apollo will not take, say): archive what was created.
        const sequence = yield* Effect.gen(function* () {
          if (after !== undefined) yield* client.updateSequence(id, after)
          if (input.active) yield* client.approve(id)
          return yield* toSequence("create", 200)(created)
        }).pipe(Sequences.removeOnFailure(id, remove))
        return new S.Sequence(
          {
            ...sequence,
            active: input.active,
            // Written by the update after the create (not in the create's answer).
            ...(after?.cc_emails === undefined ? {} : { cc: input.cc }),
            ...(after?.bcc_emails === undefined ? {} : { bcc: input.bcc }),
            ...(after === undefined
              ? {}
              : {
                  providerOptions: {
                    ...sequence.providerOptions,
                    [ProviderOptions.provider]: {
                      ...sequence.providerOptions?.[ProviderOptions.provider],
                      ...(requested?.creationType === undefined
                        ? {}
                        : { creationType: requested.creationType }),
                      ...(requested?.userId === undefined ? {} : { userId: requested.userId }),
                      ...(requested?.sharingPermission === undefined
                        ? {}
                        : { sharingPermission: requested.sharingPermission })
                    }
                  }
                })
          },
          true
        )
      })

    const update = (id: string, patch: S.SequencePatch) =>
      Effect.gen(function* () {
        const scheduleId = yield* resolveSchedule("update", patch.schedule)
        const body = yield* Either.match(Mapping.patchToWire(patch, scheduleId), {
          onLeft: (issues) => Effect.fail(invalid("update", issues)),
          onRight: Effect.succeed
        })
        // Only read-only or other providers' options named: nothing to send.
        if (Object.keys(body).length === 0) return
        yield* client.updateSequence(id, body)
      })

    // Fields only create documents (a thread, a step note) are refused, never sent to be ignored; a
    // plan asks the same question first, so it blocks what this write would refuse.
    const stepWriteRefusals = (current: Sequences.StepList, diff: Diff.StepDiff) =>
      Either.match(Mapping.planSteps(current, diff, Diff.applyStepPatch), {
        onLeft: (reason) => [{ path: "steps", message: reason }],
        onRight: Mapping.unwritableOnUpdate
      })

    // Create-only settings (the flags) are refused on update, never sent to be ignored; a plan asks
    // the same question first.
    const settingsWriteRefusals = (_current: S.Sequence, patch: S.SequencePatch) =>
      Either.match(Mapping.patchToWire(patch, undefined), { onLeft: (issues) => issues, onRight: () => [] })

    const writeSteps = (current: Sequences.StepList, diff: Diff.StepDiff) =>
      Effect.gen(function* () {
        const planned = yield* Either.match(Mapping.planSteps(current, diff, Diff.applyStepPatch), {
          onLeft: (reason) => Effect.fail(invalid("writeSteps", [{ path: "steps", message: reason }])),
          onRight: Effect.succeed
        })
        const unwritable = Mapping.unwritableOnUpdate(planned)
        if (unwritable.length > 0) {
          return yield* new E.Unsupported({
            provider,
            operation: "writeSteps",
            feature: unwritable.map((issue) => issue.path).join(", "),
            detail: unwritable.map((issue) => issue.message).join("; ")
          })
        }
        const sent = Mapping.plannedToWire(planned)
        const { value } = yield* client.updateSequence(current.id, { emailer_steps: sent })
        // `emailer_steps` names every step by position; `steps[]` (fuller) only those listed by id.
        const answered = [...(value.emailer_steps ?? []), ...(value.steps ?? [])]
        const steps = Mapping.stepsAfterWrite(planned, sent, {
          steps: answered,
          touches: value.emailer_touches ?? []
        })
        // The document's answer names the steps but not which step a touch belongs to: when it does not
        // name every new step and touch, one read gives their ids (never an empty id).
        if (Mapping.namesEveryChild(steps, sent)) return steps
        return (yield* get(current.id)).steps
      })

    const setActive = (id: string, active: boolean) =>
      (active ? client.approve(id) : client.abort(id)).pipe(
        Effect.asVoid,
        // Apollo answers 422 "already active/inactive": the state asked for holds, so it is a success.
        Effect.catchIf(isAlreadyInState, () => Effect.void)
      )

    const remove = (id: string) => client.archive(id).pipe(Effect.asVoid)

    const enroll = (id: string, who: S.Enrollment) =>
      Effect.gen(function* () {
        const ids = who.ids ?? []
        let sendFrom = who.sendFrom
        if (sendFrom === undefined) {
          const { value: accounts } = yield* client.listEmailAccounts
          const first = accounts.find((account) => account.active !== false)
          if (first === undefined) {
            return yield* invalid("enroll", [
              {
                path: "sendFrom",
                message: "the team has no active mailbox to send from: link one in Apollo or pass sendFrom"
              }
            ])
          }
          sendFrom = first.id
        }
        const { value } = yield* client.addContactIds(id, {
          contactIds: ids,
          sendEmailFromEmailAccountId: sendFrom
        })
        return Mapping.enrollmentFromWire(ids, value)
      })

    return Sequences.make({
      provider,
      baseUrl: client.baseUrl,
      capabilities,
      list,
      get,
      create,
      update,
      writeSteps,
      stepWriteRefusals,
      settingsWriteRefusals,
      setActive,
      remove,
      enroll,
      verify: verifyOn(client),
      preflight,
      // What a plan shows: the team schedule a weekly one is written as, or why there is none.
      scheduleFor: (schedule) =>
        Effect.gen(function* () {
          const id = yield* resolveSchedule("plan", schedule)
          if (schedule._tag === "Named" || id === undefined) return schedule
          return Mapping.namedSchedule(id, yield* schedules(false))
        })
    })
  })

/** Apollo's per-scope probes in the neutral shape: `ok` when no probed endpoint refused the key. */
const verifyOn = (client: ApolloClient.Service): Effect.Effect<Sequences.Verification> =>
  client.verify().pipe(
    Effect.match({
      onFailure: (error): Sequences.Verification => ({
        ok: false,
        detail: error.message,
        probes: [],
        error
      }),
      onSuccess: ({ keyKind, probes }): Sequences.Verification => {
        // A denied probe is a key without that scope; a failed one could not tell (reported, not fatal).
        const denied = probes.filter((p) => p.status === "denied")
        const unclear = probes.filter((p) => p.status === "failed")
        const scopes = denied.map((p) => p.scope).join(", ")
        const readsOne = !probes.some((p) => p.operation === "getSequence" && p.status === "unavailable")
        return {
          ok: denied.length === 0,
          credential: `${keyKind} key`,
          detail: `${keyKind} key: ${
            denied.length === 0
              ? "every probed sequence endpoint is reachable"
              : `${denied.length} sequence endpoint(s) refused: ${scopes}`
          }${unclear.length === 0 ? "" : `; ${unclear.length} probe(s) inconclusive`}${
            readsOne
              ? ""
              : "; this account does not serve GET /emailer_campaigns/{id} (not in Apollo's document), so sequences cannot be read"
          }`,
          probes,
          ...(denied.length === 0
            ? {}
            : {
                error: new E.PermissionDenied({
                  provider,
                  operation: "verify",
                  reason: `the key cannot reach ${scopes}; use a master key or add these scopes`
                })
              })
        }
      }
    })
  )

/** The client and the `Sequences` service, without layers (a migration needs two providers). */
export const make = (options: Options): Effect.Effect<Apollo, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = yield* ApolloClient.make(options)
    const sequences = yield* fromClient(client)
    return { client, sequences }
  })

export const layer = (
  options: Options
): Layer.Layer<ApolloClient.ApolloClient | Sequences.Sequences, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(make(options), ({ client, sequences }) =>
      Context.make(ApolloClient.ApolloClient, client).pipe(Context.add(Sequences.Sequences, sequences))
    )
  )

/**
 * Like `layer`, with every option from configuration (`Config.Config.Wrap<Options>`, as
 * `@effect/sql-pg` takes): e.g. `{ apiKey: Config.redacted("APOLLO_API_KEY"), pageSize: Config.succeed(50) }`.
 * By default reads `APOLLO_API_KEY` (redacted) and the optional `APOLLO_BASE_URL`.
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options> = ApolloClient.config
): Layer.Layer<
  ApolloClient.ApolloClient | Sequences.Sequences,
  ConfigError.ConfigError,
  HttpClient.HttpClient
> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
