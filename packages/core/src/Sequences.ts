/**
 * The `Sequences` service: one API to read and write email sequences, whatever the provider.
 *
 * Adapters hand `make` a narrow set of primitives; `make` adds what is shared by every provider:
 * decoding and validation of every input before any request, refusal of what the provider cannot
 * hold, one span per operation, the step diff, and serialisation of step edits per sequence.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Memory, Sequences } from "@unisequence/core"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const sequences = yield* Sequences.Sequences
 *   const created = yield* sequences.create({ name: "Welcome", steps: [] })
 *   yield* sequences.update(created.id, { name: "Welcome (v2)" })
 *   return yield* Stream.runCollect(sequences.list())
 * })
 * await Effect.runPromise(program.pipe(Effect.provide(Memory.layer()), Effect.provide(FetchHttpClient.layer)))
 * ```
 *
 * @module
 */
import { Context, Effect, Option, Schema, Stream } from "effect"
import type { Capabilities } from "./Capabilities.js"
import {
  DesiredStep,
  type DesiredStepInput,
  Enrollment,
  type EnrollmentResult,
  isEmptyPatch,
  NewSequence,
  type NewSequenceInput,
  NewStep,
  type NewStepInput,
  type ProviderId,
  type ProviderOptions,
  type Schedule,
  type Sequence,
  SequencePatch,
  type SequenceSummary,
  type Step,
  StepPatch
} from "./Sequence.js"
import {
  InvalidInput,
  type Issue,
  leavingBehind,
  type SequenceError,
  StepNotFound,
  Unsupported
} from "./SequenceError.js"
import { applyStepPatch, asDesired, isNoop, type StepDiff, steps as diffSteps } from "./Diff.js"
import {
  unsupportedInPatch,
  unsupportedInSequence,
  unsupportedInStepPatch,
  unsupportedInSteps
} from "./internal/support.js"
import * as KeyedLock from "./internal/keyedLock.js"
import {
  issuesOf,
  sequenceRangeIssues,
  settingsRangeIssues,
  stepRangeIssues,
  validateStep,
  validateStepPatch,
  validateStepPatchAgainst,
  validateSteps
} from "./internal/validation.js"

export interface ListOptions {
  /** Only sequences whose name contains this text (case-insensitive). */
  readonly nameContains?: string
}

/** How one operation answered a harmless probe: past the credential check, refused, or unknown. */
export interface Probe {
  readonly operation: string
  /** `unavailable`: the account does not serve that endpoint at all (not a matter of permission). */
  readonly status: "reachable" | "denied" | "unprobed" | "failed" | "unavailable"
  /** How it was probed and what came back. */
  readonly detail: string
  /** The permission the operation needs, when the provider names one. */
  readonly scope?: string | undefined
}

/** The answer of `verify`, the same for every provider. */
export interface Verification {
  /** The credentials were accepted and no probed operation was refused. */
  readonly ok: boolean
  /** One line for a person: what was checked and what came back. */
  readonly detail: string
  /** What kind of credential answered (`API key`, `OAuth token`, `master key`, …), when known. */
  readonly credential?: string | undefined
  readonly probes: ReadonlyArray<Probe>
  /** Why it is not `ok`. */
  readonly error?: SequenceError | undefined
}

export interface Sequences {
  readonly provider: ProviderId
  readonly capabilities: Capabilities
  /**
   * The schedule a write of `schedule` would use, where the provider keeps schedules by id (Apollo):
   * the team schedule it matches, named, or `InvalidInput` when none does. Reads only; absent where
   * a schedule is written as it is.
   */
  readonly scheduleFor?: (schedule: Schedule) => Effect.Effect<Schedule, SequenceError>
  /**
   * What writing `diff` onto `current` (as read) would refuse, found without a request: fields the
   * provider's update cannot write (Apollo's update documents no step date, priority or note, no touch
   * thread). A plan blocks such an update with these reasons instead of promising it; the write
   * refuses the same list. Absent: every step write the model allows can be made.
   */
  readonly stepWriteRefusals?: (current: StepList, diff: StepDiff) => ReadonlyArray<Issue>
  /**
   * What `update(current.id, patch)` would refuse, found without a request: a setting the provider
   * takes only when a sequence is created (Apollo's create flags). A plan blocks such an update with
   * these reasons; the write refuses the same. Absent: every settings patch can be written.
   */
  readonly settingsWriteRefusals?: (current: Sequence, patch: SequencePatch) => ReadonlyArray<Issue>
  /** Checks the credentials with harmless reads (and refused writes); writes nothing, never fails. */
  readonly verify: Effect.Effect<Verification>
  /**
   * Whether the account offers what writing a sequence and reading it back needs, found with reads
   * only: a plan and `apply` check it before any write, so a run that could not verify what it
   * wrote fails at once instead of after creating something. Succeeds where nothing is missing or
   * the provider has nothing to check; fails with the reason otherwise (e.g. `Unsupported` naming
   * an endpoint the account does not serve). Succeeds with the number of requests it made, which a
   * plan counts in its reads.
   */
  readonly preflight?: Effect.Effect<number, SequenceError>
  /** Every sequence, once, following the provider's pages lazily. */
  readonly list: (options?: ListOptions) => Stream.Stream<SequenceSummary, SequenceError>
  /** A sequence with all its steps and their content. */
  readonly get: (id: string) => Effect.Effect<Sequence, SequenceError>
  /** Creates a sequence (inactive, steps unpublished, unless the input says otherwise). */
  readonly create: (input: NewSequenceInput) => Effect.Effect<Sequence, SequenceError>
  /** Changes only the settings the patch names; an empty patch sends nothing. */
  readonly update: (id: string, patch: typeof SequencePatch.Encoded) => Effect.Effect<void, SequenceError>
  /** Adds a step at `index` (zero-based; the end when absent). */
  readonly addStep: (
    id: string,
    step: NewStepInput,
    options?: { readonly index?: number }
  ) => Effect.Effect<Step, SequenceError>
  readonly updateStep: (
    id: string,
    stepId: string,
    patch: typeof StepPatch.Encoded
  ) => Effect.Effect<void, SequenceError>
  /** Removes one step, and only that step. */
  readonly removeStep: (id: string, stepId: string) => Effect.Effect<void, SequenceError>
  /** Moves a step to `index` (zero-based) in the order. */
  readonly moveStep: (id: string, stepId: string, index: number) => Effect.Effect<void, SequenceError>
  /**
   * Makes the step list exactly `steps`: entries with the `id` of an existing step keep it (changed
   * only where they differ), entries without create a step, and existing steps not listed are
   * removed. Returns the steps as they end.
   */
  readonly replaceSteps: (
    id: string,
    steps: ReadonlyArray<DesiredStepInput>
  ) => Effect.Effect<ReadonlyArray<Step>, SequenceError>
  readonly setActive: (id: string, active: boolean) => Effect.Effect<void, SequenceError>
  /** Deletes (Kit) or archives (Apollo) the sequence. */
  readonly remove: (id: string) => Effect.Effect<void, SequenceError>
  /** Enrols subscribers (Kit, by email or id) or contacts (Apollo, by id). */
  readonly enroll: (
    id: string,
    who: typeof Enrollment.Encoded
  ) => Effect.Effect<EnrollmentResult, SequenceError>
}

export const Sequences: Context.Tag<Sequences, Sequences> = Context.GenericTag<Sequences>(
  "@unisequence/core/Sequences"
)

/** A sequence's id and steps: all a step write needs to know. */
export interface StepList {
  readonly id: string
  readonly steps: ReadonlyArray<Step>
}

/** What an adapter provides; inputs arrive decoded and validated. */
export interface Primitives {
  readonly provider: ProviderId
  /**
   * Where the provider's data lives (its base URL). Services on the same one share per-sequence
   * serialisation of step edits; without it, each service serialises its own edits only.
   */
  readonly baseUrl?: string
  readonly capabilities: Capabilities
  readonly list: (options: ListOptions) => Stream.Stream<SequenceSummary, SequenceError>
  readonly get: (id: string) => Effect.Effect<Sequence, SequenceError>
  readonly create: (input: NewSequence) => Effect.Effect<Sequence, SequenceError>
  /** A non-empty settings patch. */
  readonly update: (id: string, patch: SequencePatch) => Effect.Effect<void, SequenceError>
  /**
   * Carries out a step diff against `current`, the sequence as just read. A replace-semantics
   * provider (Apollo) writes the whole list once; a partial-update provider (Kit) plans the
   * fewest requests. Returns the steps in their final order.
   */
  readonly writeSteps: (
    current: StepList,
    diff: StepDiff
  ) => Effect.Effect<ReadonlyArray<Step>, SequenceError>
  /** The steps alone, where that is cheaper than `get` (Kit: one request instead of two). */
  readonly readSteps?: (id: string) => Effect.Effect<StepList, SequenceError>
  readonly setActive: (id: string, active: boolean) => Effect.Effect<void, SequenceError>
  readonly remove: (id: string) => Effect.Effect<void, SequenceError>
  readonly enroll: (id: string, who: Enrollment) => Effect.Effect<EnrollmentResult, SequenceError>
  /** A finer check than reading one page of `list` (the default), e.g. per-scope probes. */
  readonly verify?: Effect.Effect<Verification>
  /** See `Sequences.preflight`; absent: nothing to check. */
  readonly preflight?: Effect.Effect<number, SequenceError>
  /** See `Sequences.stepWriteRefusals`. */
  readonly stepWriteRefusals?: (current: StepList, diff: StepDiff) => ReadonlyArray<Issue>
  /** See `Sequences.settingsWriteRefusals`. */
  readonly settingsWriteRefusals?: (current: Sequence, patch: SequencePatch) => ReadonlyArray<Issue>
  /** See `Sequences.scheduleFor`. */
  readonly scheduleFor?: (schedule: Schedule) => Effect.Effect<Schedule, SequenceError>
  /**
   * Optional fast paths for providers that edit one step in place (Kit). Without them, a step edit
   * reads the sequence and goes through `writeSteps`.
   */
  readonly addStep?: (
    id: string,
    step: NewStep,
    index: number | undefined
  ) => Effect.Effect<Step, SequenceError>
  readonly updateStep?: (id: string, stepId: string, patch: StepPatch) => Effect.Effect<void, SequenceError>
  readonly removeStep?: (id: string, stepId: string) => Effect.Effect<void, SequenceError>
}

/**
 * For the writes of a create after its first one: on failure, removes the sequence it created, so
 * that a failed create leaves nothing behind; when the removal fails too, the error names the
 * sequence left (`leftBehind`). The original error is the one reported either way.
 */
export const removeOnFailure =
  (sequenceId: string, remove: (id: string) => Effect.Effect<void, SequenceError>) =>
  <A>(effect: Effect.Effect<A, SequenceError>): Effect.Effect<A, SequenceError> =>
    Effect.catchAll(effect, (error) =>
      remove(sequenceId).pipe(
        Effect.matchEffect({
          onSuccess: () => Effect.fail(error),
          onFailure: () => Effect.fail(leavingBehind(error, sequenceId))
        })
      )
    )

/** Whether a step patch can only be checked against the step it edits (its place, its delay). */
const needsCurrentStep = (patch: StepPatch, rules: Capabilities["rules"]): boolean =>
  (rules.zeroDelayFirstStepOnly && patch.delay?.value === 0) ||
  (rules.sendDaysNeedDayDelay &&
    ((patch.delay !== undefined && patch.delay.unit !== "days" && patch.sendDays === undefined) ||
      (patch.delay === undefined && patch.sendDays != null)))

const withoutRaw = (entry: unknown): unknown => {
  if (typeof entry !== "object" || entry === null || !("raw" in entry)) return entry
  const { raw: _raw, ...rest } = entry
  return rest
}

/** Numbers services without a `baseUrl`, so their locks stay their own. */
let instances = 0

export const make = (primitives: Primitives): Sequences => {
  const { provider, capabilities } = primitives
  const { rules, ranges, displayName } = capabilities
  const account = primitives.baseUrl ?? `instance ${++instances}`
  const lock = (id: string) => KeyedLock.withLock(KeyedLock.sequenceKey(provider, account, id))

  const invalid = (operation: string, issues: ReadonlyArray<Issue>) =>
    new InvalidInput({ provider, operation, issues })

  /**
   * Decodes an input of unknown shape, or fails with every issue at its path. The field rules are in
   * the schema; the rules between fields (`across`) need a decoded value, so when a field rule fails
   * the input is read once more by its shape alone (`encodedSchema`, which has no refinements) and
   * `across` is reported beside the schema's issues: every violation at once.
   */
  const decode =
    <A, I>(
      schema: Schema.Schema<A, I>,
      operation: string,
      prefix = "",
      across: (shape: I) => ReadonlyArray<Issue> = () => []
    ) =>
    (input: unknown): Effect.Effect<A, InvalidInput> =>
      // A misspelt or unknown field is refused, not dropped: `{ nmae }` must not succeed doing nothing.
      Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })(input).pipe(
        Effect.mapError((error) => {
          const shape = Schema.decodeUnknownOption(Schema.encodedSchema(schema), {
            errors: "all",
            onExcessProperty: "error"
          })(input)
          return invalid(operation, [
            ...issuesOf(error, prefix),
            ...Option.match(shape, { onNone: () => [], onSome: across })
          ])
        })
      )

  const check = (operation: string, issues: ReadonlyArray<Issue>): Effect.Effect<void, InvalidInput> =>
    issues.length === 0 ? Effect.void : Effect.fail(invalid(operation, issues))

  const support = (
    operation: string,
    found: ReadonlyArray<{ readonly path: string; readonly detail: string }>
  ): Effect.Effect<void, Unsupported> =>
    found.length === 0
      ? Effect.void
      : Effect.fail(
          new Unsupported({
            provider,
            operation,
            feature: found.map((f) => f.path).join(", "),
            detail: `${found.map((f) => f.detail).join("; ")} (translate the sequence first to convert it with warnings)`
          })
        )

  /** The provider's own `providerOptions` entry checked against the schema its adapter supplies. */
  const optionIssues = (
    options: ProviderOptions | undefined,
    schema: Schema.Schema.AnyNoContext | undefined,
    path: string
  ): ReadonlyArray<Issue> => {
    const own = options?.[provider]
    if (own === undefined || schema === undefined) return []
    const result = Schema.validateEither(schema, { errors: "all", onExcessProperty: "error" })(own)
    return result._tag === "Right" ? [] : issuesOf(result.left, `${path}.${provider}`)
  }

  const requireId = (operation: string, value: string, field: string): Effect.Effect<void, InvalidInput> =>
    typeof value === "string" && value.trim() !== ""
      ? Effect.void
      : Effect.fail(invalid(operation, [{ path: field, message: "must be a non-empty string" }]))

  const span =
    (operation: string, attributes: Record<string, unknown> = {}) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.withSpan(effect, `Sequences.${operation}`, {
        attributes: { "unisequence.provider": provider, "unisequence.operation": operation, ...attributes },
        kind: "client",
        // The trace would point here, the same line for every call; capturing it costs a stack walk.
        captureStackTrace: false
      })

  const findStep = (
    sequence: StepList,
    stepId: string,
    operation: string
  ): Effect.Effect<number, StepNotFound> => {
    const index = sequence.steps.findIndex((step) => step.id === stepId)
    return index < 0
      ? Effect.fail(new StepNotFound({ provider, operation, sequenceId: sequence.id, stepId }))
      : Effect.succeed(index)
  }

  /** Read-modify-write of the step list through the diff, serialised per sequence. */
  const editSteps = (
    id: string,
    operation: string,
    edit: (current: StepList) => Effect.Effect<ReadonlyArray<DesiredStep>, SequenceError>
  ): Effect.Effect<ReadonlyArray<Step>, SequenceError> =>
    Effect.gen(function* () {
      const current = yield* (primitives.readSteps ?? primitives.get)(id)
      const desired = yield* edit(current)
      yield* check(operation, validateSteps(desired, "steps", rules))
      yield* support(operation, unsupportedInSteps(desired, capabilities))
      const result = diffSteps(current.steps, desired)
      if (result._tag === "UnknownSteps") {
        return yield* new StepNotFound({ provider, operation, sequenceId: id, stepId: result.ids[0]! })
      }
      if (isNoop(result.diff)) return current.steps
      return yield* primitives.writeSteps(current, result.diff)
    })

  const list = (options: ListOptions = {}) =>
    primitives.list(options).pipe(
      Stream.withSpan("Sequences.list", {
        attributes: { "unisequence.provider": provider, "unisequence.operation": "list" },
        kind: "client",
        captureStackTrace: false
      })
    )

  const get = (id: string) =>
    requireId("get", id, "id").pipe(
      Effect.zipRight(primitives.get(id)),
      span("get", { "unisequence.sequence_id": id })
    )

  const create = (input: NewSequenceInput) =>
    Effect.gen(function* () {
      const decoded = yield* decode(NewSequence, "create", "", (shape) =>
        validateSteps(shape.steps ?? [], "steps", rules)
      )(input)
      yield* check("create", [
        ...validateSteps(decoded.steps, "steps", rules),
        ...sequenceRangeIssues(decoded, ranges, displayName),
        ...optionIssues(decoded.providerOptions, capabilities.options.sequence, "providerOptions"),
        ...decoded.steps.flatMap((step, i) =>
          optionIssues(step.providerOptions, capabilities.options.step, `steps[${i}].providerOptions`)
        )
      ])
      yield* support("create", unsupportedInSequence(decoded, capabilities))
      return yield* primitives.create(decoded)
    }).pipe(span("create"))

  const update = (id: string, input: typeof SequencePatch.Encoded) =>
    Effect.gen(function* () {
      yield* requireId("update", id, "id")
      const patch = yield* decode(SequencePatch, "update")(input)
      yield* check("update", [
        ...settingsRangeIssues(patch, ranges, displayName),
        ...optionIssues(patch.providerOptions, capabilities.options.sequence, "providerOptions")
      ])
      yield* support("update", unsupportedInPatch(patch, capabilities))
      if (isEmptyPatch(patch)) return
      yield* primitives.update(id, patch)
    }).pipe(span("update", { "unisequence.sequence_id": id }))

  const addStep = (id: string, input: NewStepInput, options: { readonly index?: number } = {}) =>
    Effect.gen(function* () {
      yield* requireId("addStep", id, "id")
      const step = yield* decode(NewStep, "addStep", "step", (shape) =>
        validateStep(shape, options.index ?? 0, "step", rules)
      )(input)
      const index = options.index
      const indexIssues: ReadonlyArray<Issue> =
        index !== undefined && (!Number.isInteger(index) || index < 0)
          ? [{ path: "index", message: `must be a non-negative integer, got ${index}` }]
          : []
      // Where the step lands is only known once the list is read, unless an index is given.
      yield* check("addStep", [
        ...indexIssues,
        ...validateStep(step, index ?? 0, "step", rules),
        ...stepRangeIssues(step, ranges, displayName, "step"),
        ...optionIssues(step.providerOptions, capabilities.options.step, "step.providerOptions")
      ])
      yield* support("addStep", unsupportedInSteps([step], capabilities, "step"))
      if (primitives.addStep !== undefined) return yield* primitives.addStep(id, step, index)
      let at = 0
      const steps = yield* editSteps(id, "addStep", (current) => {
        const desired = asDesired(current.steps)
        at = Math.min(index ?? desired.length, desired.length)
        desired.splice(at, 0, step)
        return check(
          "addStep",
          rules.zeroDelayFirstStepOnly && at > 0 && step.delay.value === 0
            ? [{ path: "step.delay", message: "only the first step may have a zero delay" }]
            : []
        ).pipe(Effect.as(desired))
      })
      return steps[at]!
    }).pipe(lock(id), span("addStep", { "unisequence.sequence_id": id }))

  const updateStep = (id: string, stepId: string, input: typeof StepPatch.Encoded) =>
    Effect.gen(function* () {
      yield* requireId("updateStep", id, "id")
      yield* requireId("updateStep", stepId, "stepId")
      const patch = yield* decode(StepPatch, "updateStep", "patch", (shape) =>
        validateStepPatch(shape, "patch", rules)
      )(input)
      yield* check("updateStep", [
        ...validateStepPatch(patch, "patch", rules),
        ...stepRangeIssues(patch, ranges, displayName, "patch"),
        ...optionIssues(patch.providerOptions, capabilities.options.step, "patch.providerOptions")
      ])
      yield* support("updateStep", unsupportedInStepPatch(patch, capabilities))
      if (isEmptyPatch(patch)) return
      if (primitives.updateStep !== undefined) {
        // The fast path obeys the same rules as the diff: those that depend on where the step sits or
        // on its current delay are checked against the step as read (one read, only when needed).
        if (needsCurrentStep(patch, rules)) {
          const current = yield* (primitives.readSteps ?? primitives.get)(id)
          const index = yield* findStep(current, stepId, "updateStep")
          yield* check("updateStep", validateStepPatchAgainst(patch, current.steps[index]!, index, rules))
        }
        return yield* primitives.updateStep(id, stepId, patch)
      }
      yield* editSteps(id, "updateStep", (current) =>
        findStep(current, stepId, "updateStep").pipe(
          Effect.flatMap((index) => {
            const step = current.steps[index]!
            return check("updateStep", validateStepPatchAgainst(patch, step, index, rules)).pipe(
              Effect.as(asDesired(current.steps).map((d) => (d.id === stepId ? applyStepPatch(d, patch) : d)))
            )
          })
        )
      )
    }).pipe(lock(id), span("updateStep", { "unisequence.sequence_id": id, "unisequence.step_id": stepId }))

  const removeStep = (id: string, stepId: string) =>
    Effect.gen(function* () {
      yield* requireId("removeStep", id, "id")
      yield* requireId("removeStep", stepId, "stepId")
      if (primitives.removeStep !== undefined) return yield* primitives.removeStep(id, stepId)
      yield* editSteps(id, "removeStep", (current) =>
        findStep(current, stepId, "removeStep").pipe(
          Effect.as(asDesired(current.steps).filter((d) => d.id !== stepId))
        )
      )
    }).pipe(lock(id), span("removeStep", { "unisequence.sequence_id": id, "unisequence.step_id": stepId }))

  const moveStep = (id: string, stepId: string, index: number) =>
    Effect.gen(function* () {
      yield* requireId("moveStep", id, "id")
      yield* requireId("moveStep", stepId, "stepId")
      if (!Number.isInteger(index) || index < 0) {
        return yield* invalid("moveStep", [
          { path: "index", message: `must be a non-negative integer, got ${index}` }
        ])
      }
      yield* editSteps(id, "moveStep", (current) =>
        findStep(current, stepId, "moveStep").pipe(
          Effect.flatMap((from) => {
            if (index >= current.steps.length) {
              return Effect.fail(
                invalid("moveStep", [
                  {
                    path: "index",
                    message: `must be below the step count (${current.steps.length}), got ${index}`
                  }
                ])
              )
            }
            const desired = asDesired(current.steps)
            const [moved] = desired.splice(from, 1)
            desired.splice(index, 0, moved!)
            return Effect.succeed(desired)
          })
        )
      )
    }).pipe(lock(id), span("moveStep", { "unisequence.sequence_id": id, "unisequence.step_id": stepId }))

  const replaceSteps = (id: string, input: ReadonlyArray<DesiredStepInput>) =>
    Effect.gen(function* () {
      yield* requireId("replaceSteps", id, "id")
      // A step as read carries the provider's payload (`raw`, read-only): it may be handed back as is.
      const steps = yield* decode(Schema.Array(DesiredStep), "replaceSteps", "steps", (shape) =>
        validateSteps(shape, "steps", rules)
      )(input.map(withoutRaw))
      yield* check("replaceSteps", [
        ...validateSteps(steps, "steps", rules),
        ...steps.flatMap((step, i) => stepRangeIssues(step, ranges, displayName, `steps[${i}]`)),
        ...steps.flatMap((step, i) =>
          optionIssues(step.providerOptions, capabilities.options.step, `steps[${i}].providerOptions`)
        )
      ])
      yield* support("replaceSteps", unsupportedInSteps(steps, capabilities))
      return yield* editSteps(id, "replaceSteps", () => Effect.succeed(steps))
    }).pipe(lock(id), span("replaceSteps", { "unisequence.sequence_id": id }))

  const setActive = (id: string, active: boolean) =>
    requireId("setActive", id, "id").pipe(
      Effect.zipRight(
        typeof active === "boolean"
          ? primitives.setActive(id, active)
          : Effect.fail(invalid("setActive", [{ path: "active", message: "must be a boolean" }]))
      ),
      span("setActive", { "unisequence.sequence_id": id, "unisequence.active": active })
    )

  const remove = (id: string) =>
    requireId("remove", id, "id").pipe(
      Effect.zipRight(primitives.remove(id)),
      span("remove", { "unisequence.sequence_id": id })
    )

  const enroll = (id: string, input: typeof Enrollment.Encoded) =>
    Effect.gen(function* () {
      yield* requireId("enroll", id, "id")
      const who = yield* decode(Enrollment, "enroll")(input)
      const issues: Array<Issue> = []
      if ((who.emails?.length ?? 0) + (who.ids?.length ?? 0) === 0) {
        issues.push({ path: "", message: "name at least one email or id to enrol" })
      }
      yield* check("enroll", issues)
      const unsupported: Array<{ path: string; detail: string }> = []
      if ((who.emails?.length ?? 0) > 0 && !capabilities.enrollment.byEmail) {
        unsupported.push({ path: "emails", detail: "this provider enrols by contact id only" })
      }
      if ((who.ids?.length ?? 0) > 0 && !capabilities.enrollment.byId) {
        unsupported.push({ path: "ids", detail: "this provider enrols by email only" })
      }
      yield* support("enroll", unsupported)
      return yield* primitives.enroll(id, who)
    }).pipe(span("enroll", { "unisequence.sequence_id": id }))

  const verify = (
    primitives.verify ??
    primitives.list({}).pipe(
      Stream.take(1),
      Stream.runDrain,
      Effect.match({
        onSuccess: (): Verification => ({
          ok: true,
          detail: "credentials accepted; sequences readable",
          probes: [{ operation: "list", status: "reachable", detail: "one page of sequences: answered" }]
        }),
        onFailure: (error): Verification => ({
          ok: false,
          detail: error.message,
          probes: [
            {
              operation: "list",
              status: error._tag === "PermissionDenied" ? "denied" : "failed",
              detail: `one page of sequences: ${error.message}`
            }
          ],
          error
        })
      })
    )
  ).pipe(span("verify"))

  return {
    provider,
    capabilities,
    verify,
    list,
    get,
    create,
    update,
    addStep,
    updateStep,
    removeStep,
    moveStep,
    replaceSteps,
    setActive,
    remove,
    enroll,
    preflight: (primitives.preflight ?? Effect.succeed(0)).pipe(span("preflight")),
    ...(primitives.scheduleFor === undefined ? {} : { scheduleFor: primitives.scheduleFor }),
    ...(primitives.stepWriteRefusals === undefined
      ? {}
      : { stepWriteRefusals: primitives.stepWriteRefusals }),
    ...(primitives.settingsWriteRefusals === undefined
      ? {}
      : { settingsWriteRefusals: primitives.settingsWriteRefusals })
  }
}
