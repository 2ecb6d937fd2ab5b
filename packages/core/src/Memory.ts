/**
 * A complete in-memory `Sequences` provider with the neutral semantics: for tests, examples, demos
 * and apps that want to run without a provider account.
 *
 * @example
 * ```ts
 * import { Memory } from "@unisequence/core"
 * import { Effect } from "effect"
 *
 * const writes = Effect.gen(function* () {
 *   const memory = yield* Memory.make({ pageSize: 2 })
 *   yield* memory.create({ name: "Draft", steps: [] })
 *   return yield* memory.writeCount
 * })
 * console.log(await Effect.runPromise(writes)) // 1
 * ```
 *
 * @module
 */
import { Chunk, Effect, Layer, Option, Ref, Stream } from "effect"
import * as Capabilities from "./Capabilities.js"
import {
  type Enrollment,
  type NewSequence,
  type NewStep,
  Sequence,
  type SequencePatch,
  Step,
  StepType,
  summarize
} from "./Sequence.js"
import { StepNotFound } from "./SequenceError.js"
import * as Sequences from "./Sequences.js"
import { applyStepPatch, type StepDiff } from "./Diff.js"
import { orNotFound } from "./internal/support.js"

/** The in-memory provider holds everything the neutral model can say, other providers' options included. */
export const capabilities: Capabilities.Capabilities = {
  provider: "memory",
  displayName: "memory",
  delayUnits: ["minutes", "hours", "days"],
  stepTypes: [...StepType.literals],
  perStepSendDays: true,
  variants: true,
  threads: ["new", "reply"],
  weeklySchedule: true,
  namedSchedule: true,
  sender: true,
  stepSender: true,
  templates: true,
  previewText: true,
  reentry: true,
  holdAfterLastStep: true,
  exclusions: true,
  limits: true,
  ccBcc: true,
  labels: true,
  removal: "delete",
  stepsInline: true,
  readsSchedules: false,
  enrollment: { byEmail: true, byId: true, sendFrom: true },
  options: {},
  keepsForeignOptions: true,
  rules: Capabilities.defaultRules
}

export interface Options {
  /** Page size of `list`, to exercise paging (default 100). */
  readonly pageSize?: number
}

export interface MemorySequences extends Sequences.Sequences {
  /** How many writes reached the store: to prove that refused input wrote nothing. */
  readonly writeCount: Effect.Effect<number>
}

interface State {
  readonly sequences: ReadonlyMap<string, Sequence>
  readonly enrolled: ReadonlyMap<string, ReadonlySet<string>>
  readonly nextId: number
  readonly writes: number
}

const timestamp = () => new Date().toISOString()

const newStep = (id: string, step: NewStep): Step => new Step({ id, ...step })

// Decoded patches omit absent fields, so a spread changes exactly what the patch names.
const applyPatch = (sequence: Sequence, patch: SequencePatch): Sequence => {
  const { name = sequence.name, active = sequence.active, limits, providerOptions, ...rest } = patch
  return new Sequence({
    ...sequence,
    ...rest,
    name,
    active,
    ...(limits === undefined ? {} : { limits: { ...sequence.limits, ...limits } }),
    // A patch names the option fields it changes: the others, and other providers' entries, stay.
    ...(providerOptions === undefined
      ? {}
      : {
          providerOptions: {
            ...sequence.providerOptions,
            ...Object.fromEntries(
              Object.entries(providerOptions).map(([provider, fields]) => [
                provider,
                { ...sequence.providerOptions?.[provider], ...fields }
              ])
            )
          }
        }),
    updatedAt: timestamp()
  })
}

export const make = (options: Options = {}): Effect.Effect<MemorySequences> =>
  Effect.gen(function* () {
    const pageSize = Math.max(1, options.pageSize ?? 100)
    const state = yield* Ref.make<State>({ sequences: new Map(), enrolled: new Map(), nextId: 1, writes: 0 })
    const provider = capabilities.provider

    const lookup = (id: string, operation: string) =>
      Ref.get(state).pipe(
        Effect.map((s) => Option.fromNullable(s.sequences.get(id))),
        Effect.flatMap(orNotFound(provider, operation, id))
      )

    /** Writes one sequence back, counting the write. */
    const save = (sequence: Sequence, extra: Partial<Pick<State, "nextId">> = {}) =>
      Ref.update(state, (s) => ({
        ...s,
        ...extra,
        sequences: new Map(s.sequences).set(sequence.id, sequence),
        writes: s.writes + 1
      }))

    const ids = (count: number) =>
      Ref.modify(state, (s) => [
        Array.from({ length: count }, (_, i) => `m${s.nextId + i}`),
        { ...s, nextId: s.nextId + count }
      ])

    const primitives: Sequences.Primitives = {
      provider,
      capabilities,
      list: (listOptions) =>
        Stream.paginateChunkEffect(0, (offset) =>
          Ref.get(state).pipe(
            Effect.map((s) => {
              const needle = listOptions.nameContains?.toLowerCase()
              const all = [...s.sequences.values()].filter(
                (q) => needle === undefined || q.name.toLowerCase().includes(needle)
              )
              const page = all.slice(offset, offset + pageSize).map(summarize)
              const next = offset + pageSize < all.length ? Option.some(offset + pageSize) : Option.none()
              return [Chunk.fromIterable(page), next] as const
            })
          )
        ),
      get: (id) => lookup(id, "get"),
      create: (input: NewSequence) =>
        Effect.gen(function* () {
          const [id, ...stepIds] = yield* ids(1 + input.steps.length)
          const now = timestamp()
          const sequence = new Sequence({
            ...input,
            id: id!,
            createdAt: now,
            updatedAt: now,
            steps: input.steps.map((step, i) => newStep(stepIds[i]!, step))
          })
          yield* save(sequence)
          return sequence
        }),
      update: (id, patch) =>
        lookup(id, "update").pipe(Effect.flatMap((sequence) => save(applyPatch(sequence, patch)))),
      writeSteps: (current: Sequences.StepList, diff: StepDiff) =>
        Effect.gen(function* () {
          const latest = yield* lookup(current.id, "writeSteps")
          const created = yield* ids(diff.creates.length)
          const byId = new Map(latest.steps.map((step) => [step.id, step]))
          for (const { id, patch } of diff.updates) {
            const step = byId.get(id)
            if (step === undefined) {
              return yield* new StepNotFound({
                provider,
                operation: "writeSteps",
                sequenceId: current.id,
                stepId: id
              })
            }
            byId.set(id, applyStepPatch(step, patch))
          }
          const steps = diff.order.map((ref) =>
            ref._tag === "Existing"
              ? byId.get(ref.id)!
              : newStep(created[ref.index]!, diff.creates[ref.index]!)
          )
          yield* save(new Sequence({ ...latest, steps, updatedAt: timestamp() }))
          return steps
        }),
      setActive: (id, active) =>
        lookup(id, "setActive").pipe(
          Effect.flatMap((sequence) =>
            sequence.active === active ? Effect.void : save(new Sequence({ ...sequence, active }))
          )
        ),
      remove: (id) =>
        lookup(id, "remove").pipe(
          Effect.zipRight(
            Ref.update(state, (s) => {
              const sequences = new Map(s.sequences)
              sequences.delete(id)
              return { ...s, sequences, writes: s.writes + 1 }
            })
          )
        ),
      enroll: (id, who: Enrollment) =>
        lookup(id, "enroll").pipe(
          Effect.zipRight(
            Ref.modify(state, (s) => {
              const members = new Set(s.enrolled.get(id) ?? [])
              let added = 0
              for (const key of [
                ...(who.emails ?? []).map((e) => `email:${e}`),
                ...(who.ids ?? []).map((i) => `id:${i}`)
              ]) {
                if (!members.has(key)) added++
                members.add(key)
              }
              const total = (who.emails?.length ?? 0) + (who.ids?.length ?? 0)
              return [
                { added, alreadyEnrolled: total - added },
                { ...s, enrolled: new Map(s.enrolled).set(id, members), writes: s.writes + 1 }
              ]
            })
          )
        )
    }

    return { ...Sequences.make(primitives), writeCount: Ref.get(state).pipe(Effect.map((s) => s.writes)) }
  })

/** A `Sequences` layer backed by memory; each build starts empty. */
export const layer = (options: Options = {}): Layer.Layer<Sequences.Sequences> =>
  Layer.effect(Sequences.Sequences, make(options))
