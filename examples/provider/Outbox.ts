/**
 * A fourth provider, written outside core: "Outbox", a small newsletter tool that keeps its
 * sequences in memory, in its own record shape. It shows everything an adapter brings — its
 * capabilities, the schema of its own `providerOptions` entry, its rules — and that core's
 * validation, translation, step diff and migration work for it with no line of core changed.
 *
 * Outbox's model: emails only, waits in hours or days, a weekly send window, a sending address and
 * labels on the sequence, preview text, replies in the thread; enrolment by email. Its own settings
 * are a `folder` per sequence, a read-only `revision` counter, and a `priority` per email. Unlike
 * Kit, any email may be sent immediately (a zero wait after another email is allowed).
 */
import { type Capabilities, type Diff, Sequence, SequenceError, Sequences } from "@unisequence/core"
import { Chunk, Effect, Layer, Option, Ref, Schema, Stream } from "effect"

export const provider = "outbox"

/** Outbox's entry in `providerOptions` on a sequence. */
export const SequenceOptions = Schema.Struct({
  /** The folder the sequence is filed in. */
  folder: Schema.optional(Schema.NonEmptyTrimmedString),
  /** How many times Outbox saved the sequence; read-only. */
  revision: Schema.optional(Schema.NonNegativeInt)
})
export type SequenceOptions = typeof SequenceOptions.Type

/** Outbox's entry in `providerOptions` on a step. */
export const StepOptions = Schema.Struct({
  priority: Schema.optional(Schema.Literal("low", "normal", "high"))
})
export type StepOptions = typeof StepOptions.Type

export const capabilities: Capabilities.Capabilities = {
  provider,
  displayName: "Outbox",
  delayUnits: ["hours", "days"],
  stepTypes: ["email"],
  perStepSendDays: false,
  variants: false,
  threads: ["new", "reply"],
  weeklySchedule: true,
  namedSchedule: false,
  sender: true,
  stepSender: false,
  templates: false,
  previewText: true,
  reentry: false,
  holdAfterLastStep: false,
  exclusions: false,
  limits: false,
  ccBcc: false,
  labels: true,
  removal: "delete",
  stepsInline: true,
  readsSchedules: false,
  enrollment: { byEmail: true, byId: false, sendFrom: false },
  options: { sequence: SequenceOptions, step: StepOptions, readOnly: ["revision"] },
  keepsForeignOptions: false,
  rules: { zeroDelayFirstStepOnly: false, sendDaysNeedDayDelay: true }
}

// ---- Outbox's own records (what its "API" stores) ----

interface EmailRecord {
  readonly id: string
  readonly waitAmount: number
  readonly waitUnit: "hours" | "days"
  readonly subject: string
  readonly body: string
  readonly preheader: string | null
  readonly inThread: boolean
  readonly ready: boolean
  readonly priority: StepOptions["priority"]
}

interface SequenceRecord {
  readonly id: string
  readonly title: string
  readonly live: boolean
  readonly window: {
    readonly days: ReadonlyArray<Sequence.Weekday>
    readonly hour: number
    readonly zone: string
  } | null
  readonly from: string | null
  readonly tags: ReadonlyArray<string>
  readonly folder: string | null
  readonly revision: number
  readonly emails: ReadonlyArray<EmailRecord>
  readonly members: ReadonlyArray<string>
}

const decodeSequenceOptions = Schema.decodeUnknownOption(SequenceOptions)
const decodeStepOptions = Schema.decodeUnknownOption(StepOptions)
const ownSequenceOptions = (options: Sequence.ProviderOptions | undefined): SequenceOptions =>
  Option.getOrElse(decodeSequenceOptions(options?.[provider]), () => ({}))
const ownStepOptions = (options: Sequence.StepProviderOptions | undefined): StepOptions =>
  Option.getOrElse(decodeStepOptions(options?.[provider]), () => ({}))

// ---- mapping between Outbox records and the neutral model ----

const toStep = (email: EmailRecord): Sequence.Step =>
  new Sequence.Step({
    id: email.id,
    delay: { value: email.waitAmount, unit: email.waitUnit },
    type: "email",
    published: email.ready,
    email: {
      subject: email.subject,
      html: email.body,
      ...(email.preheader === null ? {} : { previewText: email.preheader }),
      thread: email.inThread ? "reply" : "new"
    },
    ...(email.priority === undefined
      ? {}
      : { providerOptions: { [provider]: { priority: email.priority } } }),
    raw: email
  })

const settingsOf = (record: SequenceRecord) => ({
  id: record.id,
  name: record.title,
  active: record.live,
  ...(record.window === null
    ? {}
    : {
        schedule: new Sequence.Weekly({
          days: record.window.days,
          hour: record.window.hour,
          timeZone: record.window.zone
        })
      }),
  ...(record.from === null ? {} : { sender: record.from }),
  ...(record.tags.length === 0 ? {} : { labels: record.tags }),
  providerOptions: {
    [provider]: { revision: record.revision, ...(record.folder === null ? {} : { folder: record.folder }) }
  },
  raw: { ...record, emails: undefined }
})

const toSequence = (record: SequenceRecord): Sequence.Sequence =>
  new Sequence.Sequence({ ...settingsOf(record), steps: record.emails.map(toStep) })

const toSummary = (record: SequenceRecord): Sequence.SequenceSummary =>
  new Sequence.SequenceSummary({ ...settingsOf(record), stepCount: record.emails.length })

// Core has refused every unit Outbox lacks before a write reaches it; minutes cannot arrive.
const waitUnit = (unit: Sequence.DelayUnit): "hours" | "days" => (unit === "days" ? "days" : "hours")

const toEmail = (id: string, step: Sequence.NewStep): EmailRecord => ({
  id,
  waitAmount: step.delay.value,
  waitUnit: waitUnit(step.delay.unit),
  subject: step.email?.subject ?? "",
  body: step.email?.html ?? "",
  preheader: step.email?.previewText ?? null,
  inThread: step.email?.thread === "reply",
  ready: step.published,
  priority: ownStepOptions(step.providerOptions).priority
})

/** A neutral step patch on an Outbox email: only the fields the patch names change. */
const patchEmail = (email: EmailRecord, patch: Sequence.StepPatch): EmailRecord => {
  const content = patch.email
  const priority =
    patch.providerOptions === undefined ? email.priority : ownStepOptions(patch.providerOptions).priority
  return {
    ...email,
    ...(patch.delay === undefined
      ? {}
      : { waitAmount: patch.delay.value, waitUnit: waitUnit(patch.delay.unit) }),
    ...(patch.published === undefined ? {} : { ready: patch.published }),
    ...(content == null
      ? {}
      : {
          ...(content.subject === undefined ? {} : { subject: content.subject }),
          ...(content.html === undefined ? {} : { body: content.html }),
          ...(content.previewText === undefined ? {} : { preheader: content.previewText }),
          ...(content.thread === undefined ? {} : { inThread: content.thread === "reply" })
        }),
    priority
  }
}

const patchRecord = (record: SequenceRecord, patch: Sequence.SequencePatch): SequenceRecord => {
  const own = patch.providerOptions === undefined ? undefined : ownSequenceOptions(patch.providerOptions)
  const schedule = patch.schedule
  return {
    ...record,
    ...(patch.name === undefined ? {} : { title: patch.name }),
    ...(patch.active === undefined ? {} : { live: patch.active }),
    ...(schedule?._tag === "Weekly"
      ? { window: { days: schedule.days, hour: schedule.hour, zone: schedule.timeZone } }
      : {}),
    ...(patch.sender === undefined ? {} : { from: patch.sender }),
    ...(patch.labels === undefined ? {} : { tags: patch.labels }),
    ...(own?.folder === undefined ? {} : { folder: own.folder }),
    revision: record.revision + 1
  }
}

// ---- the provider ----

export interface Options {
  /** Page size of `list` (default 50). */
  readonly pageSize?: number
}

export interface Outbox {
  readonly sequences: Sequences.Sequences
  /** Writes that reached the store, to prove that refused input wrote nothing. */
  readonly writes: Effect.Effect<number>
}

export const make = (options: Options = {}): Effect.Effect<Outbox> =>
  Effect.gen(function* () {
    const pageSize = Math.max(1, options.pageSize ?? 50)
    const store = yield* Ref.make<ReadonlyMap<string, SequenceRecord>>(new Map())
    const counter = yield* Ref.make({ ids: 0, writes: 0 })
    const nextIds = (count: number) =>
      Ref.modify(counter, (c) => [
        Array.from({ length: count }, (_, i) => `ob-${c.ids + i + 1}`),
        { ...c, ids: c.ids + count }
      ])
    const save = (record: SequenceRecord) =>
      Ref.update(store, (all) => new Map(all).set(record.id, record)).pipe(
        Effect.zipRight(Ref.update(counter, (c) => ({ ...c, writes: c.writes + 1 }))),
        Effect.as(record)
      )
    const find = (id: string, operation: string) =>
      Ref.get(store).pipe(
        Effect.flatMap((all) => {
          const record = all.get(id)
          return record === undefined
            ? Effect.fail(new SequenceError.SequenceNotFound({ provider, operation, sequenceId: id }))
            : Effect.succeed(record)
        })
      )

    const primitives: Sequences.Primitives = {
      provider,
      capabilities,
      list: (listOptions) =>
        Stream.paginateChunkEffect(0, (offset) =>
          Ref.get(store).pipe(
            Effect.map((all) => {
              const needle = listOptions.nameContains?.toLowerCase()
              const matching = [...all.values()].filter(
                (r) => needle === undefined || r.title.toLowerCase().includes(needle)
              )
              const page = matching.slice(offset, offset + pageSize).map(toSummary)
              const next =
                offset + pageSize < matching.length ? Option.some(offset + pageSize) : Option.none()
              return [Chunk.fromIterable(page), next] as const
            })
          )
        ),
      get: (id) => Effect.map(find(id, "get"), toSequence),
      create: (input) =>
        Effect.gen(function* () {
          const [id, ...emailIds] = yield* nextIds(1 + input.steps.length)
          const own = ownSequenceOptions(input.providerOptions)
          const schedule = input.schedule
          const record = yield* save({
            id: id!,
            title: input.name,
            live: input.active,
            window:
              schedule?._tag === "Weekly"
                ? { days: schedule.days, hour: schedule.hour, zone: schedule.timeZone }
                : null,
            from: input.sender ?? null,
            tags: input.labels ?? [],
            folder: own.folder ?? null,
            revision: 1,
            emails: input.steps.map((step, i) => toEmail(emailIds[i]!, step)),
            members: []
          })
          return toSequence(record)
        }),
      update: (id, patch) =>
        find(id, "update").pipe(
          Effect.flatMap((record) => save(patchRecord(record, patch))),
          Effect.asVoid
        ),
      // Outbox stores the list inline: the diff's final order is written at once.
      writeSteps: (current, diff: Diff.StepDiff) =>
        Effect.gen(function* () {
          const record = yield* find(current.id, "writeSteps")
          const created = yield* nextIds(diff.creates.length)
          const byId = new Map(record.emails.map((email) => [email.id, email]))
          for (const { id, patch } of diff.updates) {
            const email = byId.get(id)
            if (email === undefined) {
              return yield* new SequenceError.StepNotFound({
                provider,
                operation: "writeSteps",
                sequenceId: current.id,
                stepId: id
              })
            }
            byId.set(id, patchEmail(email, patch))
          }
          const emails = diff.order.map((ref) =>
            ref._tag === "Existing"
              ? byId.get(ref.id)!
              : toEmail(created[ref.index]!, diff.creates[ref.index]!)
          )
          const saved = yield* save({ ...record, emails, revision: record.revision + 1 })
          return saved.emails.map(toStep)
        }),
      setActive: (id, active) =>
        find(id, "setActive").pipe(
          Effect.flatMap((record) =>
            record.live === active ? Effect.void : save({ ...record, live: active })
          ),
          Effect.asVoid
        ),
      remove: (id) =>
        find(id, "remove").pipe(
          Effect.zipRight(
            Ref.update(store, (all) => {
              const next = new Map(all)
              next.delete(id)
              return next
            })
          ),
          Effect.zipRight(Ref.update(counter, (c) => ({ ...c, writes: c.writes + 1 })))
        ),
      enroll: (id, who) =>
        Effect.gen(function* () {
          const record = yield* find(id, "enroll")
          const members = new Set(record.members)
          const emails = who.emails ?? []
          const added = emails.filter((email) => !members.has(email)).length
          for (const email of emails) members.add(email)
          yield* save({ ...record, members: [...members] })
          return { added, alreadyEnrolled: emails.length - added }
        })
    }

    return {
      sequences: Sequences.make(primitives),
      writes: Ref.get(counter).pipe(Effect.map((c) => c.writes))
    }
  })

/** A `Sequences` layer backed by a fresh Outbox. */
export const layer = (options: Options = {}): Layer.Layer<Sequences.Sequences> =>
  Layer.effect(
    Sequences.Sequences,
    Effect.map(make(options), (outbox) => outbox.sequences)
  )
