/**
 * Sequences as code: the desired state of a provider's sequences in a YAML or JSON file, planned
 * against what the provider has and applied with the migration engine's journal and safety rules.
 *
 * Format, version 1:
 *
 * ```yaml
 * version: 1
 * sequences:
 *   - name: Welcome                 # matched to the provider's sequence of this name…
 *     id: "123"                     # …or, when given, to this id
 *     key: welcome                  # optional journal key (defaults to the name)
 *     active: false
 *     schedule: { days: [monday, wednesday], hour: 9, timeZone: Europe/Paris }   # or { scheduleId: "…" }
 *     steps:
 *       - delay: 0 days             # or { value: 0, unit: days }; units minutes, hours, days
 *         email: { subject: Hello, html: "<p>Hi</p>" }
 *         published: false
 * ```
 *
 * Every other field of `NewSequence` (sender, reentry, holdAfterLastStep, exclusions, limits, cc,
 * bcc, labels, providerOptions, and per step sendDays, type, variants, providerOptions) may be given
 * as in the neutral model. Steps are matched to the provider's steps by their place in the list.
 *
 * @example
 * ```ts
 * import { Journal, Memory, SequenceFile } from "@unisequence/core"
 * import { Effect, Either } from "effect"
 *
 * const file = SequenceFile.parse("version: 1\nsequences:\n  - name: Welcome\n", "sequences.yaml")
 * if (Either.isRight(file)) {
 *   const plan = await Effect.runPromise(
 *     Effect.flatMap(Memory.make(), (target) => SequenceFile.plan({ file: file.right, target })).pipe(
 *       Effect.provide(Journal.layerMemory)
 *     )
 *   )
 *   console.log(plan.sequences.map((s) => `${s.action} ${s.name}`)) // [ 'create Welcome' ]
 * }
 * ```
 *
 * @module
 */
import { FileSystem } from "@effect/platform"
import { Chunk, Effect, Either, ParseResult, Schema, Stream } from "effect"
import { LineCounter, parseDocument, stringify as toYaml } from "yaml"
import { type Capabilities, translateEither, type Warning } from "./Capabilities.js"
import { collapse } from "./internal/issues.js"
import * as Journal from "./Journal.js"
import type * as Plan from "./Plan.js"
import {
  DelayInput,
  DelayUnit,
  Named,
  NewSequence,
  NewStep,
  type Sequence,
  type SequenceSummary,
  Weekly
} from "./Sequence.js"
import { Conflict, InvalidInput, type SequenceError } from "./SequenceError.js"
import type { Sequences } from "./Sequences.js"
import {
  callsOf,
  planSequence,
  refusals,
  removal,
  scheduleWarnings,
  totalCalls
} from "./internal/planning.js"
import { validateNewSequence } from "./internal/validation.js"
import { safeDefaults } from "./internal/safeDefaults.js"

/** `"2 days"` or `{ value: 2, unit: days }`. */
const FileDelay = Schema.Union(
  DelayInput,
  Schema.transformOrFail(Schema.String, DelayInput, {
    strict: true,
    decode: (text, _, ast) => {
      const match = /^\s*(\d+)\s*(minutes?|hours?|days?)\s*$/.exec(text)
      if (match === null) {
        return ParseResult.fail(
          new ParseResult.Type(ast, text, `expected a delay such as "2 days" or "3 hours", got "${text}"`)
        )
      }
      const unit = match[2]!.endsWith("s") ? match[2]! : `${match[2]}s`
      return Schema.is(DelayUnit)(unit)
        ? ParseResult.succeed({ value: Number(match[1]), unit })
        : ParseResult.fail(new ParseResult.Type(ast, text, `unknown delay unit in "${text}"`))
    },
    encode: (delay) => ParseResult.succeed(`${delay.value} ${delay.unit}`)
  })
)

const FileSchedule = Schema.Union(
  // The schedule classes' own field rules, so that a bad hour is reported at its line.
  Schema.Struct({ days: Weekly.fields.days, hour: Weekly.fields.hour, timeZone: Weekly.fields.timeZone }),
  Schema.Struct({ scheduleId: Named.fields.scheduleId, name: Named.fields.name })
)

const FileStep = Schema.Struct({
  ...NewStep.fields,
  id: Schema.optional(Schema.String),
  delay: FileDelay
})

export const FileSequence = Schema.Struct({
  ...NewSequence.fields,
  key: Schema.optional(Schema.String),
  id: Schema.optional(Schema.String),
  schedule: Schema.optional(FileSchedule),
  steps: Schema.optionalWith(Schema.Array(FileStep), { default: () => [] })
})
export type FileSequence = typeof FileSequence.Type

export const SequenceFile = Schema.Struct({
  version: Schema.Literal(1),
  sequences: Schema.Array(FileSequence)
})
export type SequenceFile = typeof SequenceFile.Type

export interface FileIssue {
  readonly path: string
  readonly line?: number | undefined
  readonly column?: number | undefined
  readonly message: string
}

export class SequenceFileError extends Schema.TaggedError<SequenceFileError>()("SequenceFileError", {
  file: Schema.String,
  issues: Schema.Array(
    Schema.Struct({
      path: Schema.String,
      line: Schema.optional(Schema.Number),
      column: Schema.optional(Schema.Number),
      message: Schema.String
    })
  )
}) {
  override get message() {
    const list = this.issues
      .map(
        (i) =>
          `${this.file}${i.line === undefined ? "" : `:${i.line}:${i.column ?? 1}`} ${i.path === "" ? "" : `${i.path}: `}${i.message}`
      )
      .join("\n")
    return `invalid sequence file:\n${list}`
  }
}

const pathText = (path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>(
    (acc, key) =>
      typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    ""
  )

const decodeFile = Schema.decodeUnknownEither(SequenceFile, { errors: "all", onExcessProperty: "error" })

/** Parses YAML or JSON text (JSON is YAML) into a sequence file, with line numbers on every issue. */
export const parse = (text: string, file = "<input>"): Either.Either<SequenceFile, SequenceFileError> => {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false })
  if (document.errors.length > 0) {
    return Either.left(
      new SequenceFileError({
        file,
        issues: document.errors.map((error) => {
          const position = lineCounter.linePos(error.pos[0])
          return {
            path: "",
            line: position.line,
            column: position.col,
            message: error.message.split("\n")[0] ?? error.message
          }
        })
      })
    )
  }
  // Nested aliases can expand a short file to millions of nodes: past the limit it is refused.
  let data: unknown
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (error) {
    return Either.left(
      new SequenceFileError({
        file,
        issues: [
          {
            path: "",
            message:
              error instanceof ReferenceError
                ? `too many aliases (more than ${MAX_ALIASES} expansions): the file would expand without bound`
                : String(error)
          }
        ]
      })
    )
  }
  const decoded = decodeFile(data)
  if (Either.isRight(decoded)) {
    const duplicates = keysOf(decoded.right).filter((key, i, all) => all.indexOf(key) !== i)
    if (duplicates.length > 0) {
      return Either.left(
        new SequenceFileError({
          file,
          issues: duplicates.map((key) => ({
            path: "sequences",
            message: `two sequences share the key "${key}": give one a distinct name or key`
          }))
        })
      )
    }
    const locate = locator(document, lineCounter)
    locators.set(decoded.right, locate)
    // The rules every provider applies (blank name, delays, hours, zones), found before any request.
    const issues = decoded.right.sequences.flatMap((entry, i) =>
      validateNewSequence(toNewSequence(entry), permissive).map((issue) =>
        locate(`sequences[${i}].${issue.path}`, issue.message)
      )
    )
    if (issues.length > 0) return Either.left(new SequenceFileError({ file, issues }))
    return Either.right(decoded.right)
  }
  // One issue per real problem: a union's alternatives and "Expected undefined" are not problems.
  const raw = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) => ({
    keys: issue.path,
    path: pathText(issue.path),
    message: issue.message
  }))
  const locate = locator(document, lineCounter)
  const issues = collapse(raw).map(({ path, message }): FileIssue => locate(path, message))
  return Either.left(new SequenceFileError({ file, issues }))
}

const MAX_ALIASES = 100

/** Rules that hold for every provider; a target's own rules are checked by `plan`. */
const permissive = { zeroDelayFirstStepOnly: false, sendDaysNeedDayDelay: false } as const

/** `steps[2].delay.value` as document keys: `["steps", 2, "delay", "value"]`. */
const keysOfPath = (path: string): ReadonlyArray<string | number> =>
  [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? m[1]! : Number(m[2])))

type Locate = (path: string, message: string) => FileIssue

/** Points an issue at the deepest node of its path that exists in the document. */
const locator =
  (document: ReturnType<typeof parseDocument>, lineCounter: LineCounter): Locate =>
  (path, message) => {
    const keys = keysOfPath(path)
    let node: unknown
    for (let depth = keys.length; depth >= 0 && node === undefined; depth--) {
      node = document.getIn(keys.slice(0, depth), true)
    }
    const range = hasRange(node) ? node.range : undefined
    const position = range === undefined ? undefined : lineCounter.linePos(range[0])
    return { path, line: position?.line, column: position?.col, message }
  }

/** Where each parsed file's paths are in its text, so `plan` can point at what the target refuses. */
const locators = new WeakMap<SequenceFile, Locate>()

const hasRange = (node: unknown): node is { readonly range: readonly [number, number, number] } =>
  typeof node === "object" && node !== null && "range" in node && Array.isArray(node.range)

/** Reads and parses the file at `path`. */
export const load = (path: string): Effect.Effect<SequenceFile, SequenceFileError, FileSystem.FileSystem> =>
  FileSystem.FileSystem.pipe(
    Effect.flatMap((fs) => fs.readFileString(path)),
    Effect.mapError(
      (error) => new SequenceFileError({ file: path, issues: [{ path: "", message: error.message }] })
    ),
    Effect.flatMap((text) =>
      Either.match(parse(text, path), { onLeft: Effect.fail, onRight: Effect.succeed })
    )
  )

/** The journal key of a file entry. */
export const keyOf = (entry: FileSequence): string => `file:${entry.key ?? entry.id ?? entry.name}`
const keysOf = (file: SequenceFile) => file.sequences.map(keyOf)

/** A file entry as the neutral create input. */
export const toNewSequence = (entry: FileSequence): NewSequence => {
  const { key: _key, id: _id, schedule, steps, ...settings } = entry
  return {
    ...settings,
    ...(schedule === undefined
      ? {}
      : { schedule: "scheduleId" in schedule ? new Named(schedule) : new Weekly(schedule) }),
    steps: steps.map(({ id: _stepId, ...step }) => step)
  }
}

/**
 * Writes a provider's sequences as a file (what `export` produces). With `ids: false` the file names
 * no provider id, so it can be planned against another provider or account (matched by name).
 */
export const fromSequences = (
  sequences: ReadonlyArray<Sequence>,
  options: { readonly ids?: boolean } = {}
): SequenceFile => ({
  version: 1,
  sequences: sequences.map((sequence): FileSequence => {
    const {
      id,
      schedule,
      steps,
      raw: _raw,
      createdAt: _c,
      updatedAt: _u,
      archived: _a,
      ...settings
    } = sequence
    const withIds = options.ids ?? true
    return {
      ...settings,
      ...(withIds ? { id } : {}),
      ...(schedule === undefined
        ? {}
        : {
            schedule:
              schedule._tag === "Weekly"
                ? { days: schedule.days, hour: schedule.hour, timeZone: schedule.timeZone }
                : {
                    scheduleId: schedule.scheduleId,
                    ...(schedule.name === undefined ? {} : { name: schedule.name })
                  }
          }),
      steps: steps.map(({ raw: _stepRaw, id: stepId, ...step }) => (withIds ? { ...step, id: stepId } : step))
    }
  })
})

export const stringify = (file: SequenceFile, format: "yaml" | "json"): string => {
  const encoded = Schema.encodeSync(SequenceFile)(file)
  return format === "json" ? `${JSON.stringify(encoded, null, 2)}\n` : toYaml(encoded)
}

export interface PlanOptions {
  readonly file: SequenceFile
  readonly target: Sequences
  /** Remove the target's sequences the file does not name (default: leave them alone). */
  readonly prune?: boolean
  /**
   * Write the file's active and published flags as they are, off as well as on (default: what the
   * run creates is inactive and unpublished; what exists keeps its live state).
   */
  readonly activate?: boolean
  /** The file's name in errors (default `<input>`). */
  readonly fileName?: string
  /**
   * The providers whose `providerOptions` the file may carry, as a migration's source: a step timed
   * by one's own option (an exact date and time) is blocked for another target, not dropped with a
   * warning, and their names word the warnings. The target's own options need no entry.
   */
  readonly sources?: ReadonlyArray<Capabilities>
}

/**
 * Compares the file with what the provider has. Reads only. What the target would refuse (its own
 * rules, such as a zero delay after the first step) fails with a `SequenceFileError` at the file's
 * line before any request; a sequence the target cannot hold at all (`Unsupported`) is blocked.
 */
export const plan = (
  options: PlanOptions
): Effect.Effect<Plan.Plan, SequenceError | SequenceFileError | Journal.JournalError, Journal.Journal> =>
  Effect.gen(function* () {
    const { file, target } = options
    const capabilities = target.capabilities
    const activate = options.activate ?? false
    const fileName = options.fileName ?? "<input>"

    // 1. Without a request: what the target can hold, and what its rules refuse.
    const translations = file.sequences.map((entry) =>
      translateEither(toNewSequence(entry), capabilities, { sources: options.sources ?? [] })
    )
    const locate = locators.get(file) ?? ((path: string, message: string): FileIssue => ({ path, message }))
    const refused = translations.flatMap((translation, i) =>
      Either.isLeft(translation)
        ? []
        : refusals(translation.right.sequence, capabilities).map((issue) =>
            locate(`sequences[${i}].${issue.path}`, `${issue.message} (${capabilities.displayName})`)
          )
    )
    if (refused.length > 0) return yield* new SequenceFileError({ file: fileName, issues: refused })

    // 2. The target as it is: the truth each entry is compared with. First, whether the account can
    // read back what apply writes (a failure here is the plan's, before any write).
    const preflightReads = yield* target.preflight ?? Effect.succeed(0)
    const journal = yield* Journal.readLatest
    const listed = Chunk.toReadonlyArray(yield* Stream.runCollect(target.list()))
    let reads = 1 + preflightReads
    let schedulesRead = false
    const archived = new Map(listed.filter((s) => s.archived === true).map((s) => [s.id, s]))
    const existing = listed.filter((s) => s.archived !== true)
    const byId = new Map(existing.map((s) => [s.id, s]))
    const byName = new Map<string, Array<SequenceSummary>>()
    for (const summary of existing) byName.set(summary.name, [...(byName.get(summary.name) ?? []), summary])

    const matched = new Set<string>()
    const sequences: Array<Plan.SequencePlan> = []
    const blocked: Array<Plan.Blocked> = []
    for (const [index, entry] of file.sequences.entries()) {
      const key = keyOf(entry)
      const notices: Array<Warning> = []
      const journalled = journal.get(key)
      const pinned = entry.id ?? journalled?.targetId
      const gone = archived.get(pinned ?? "")
      if (pinned !== undefined && gone !== undefined) {
        blocked.push({
          key,
          name: entry.name,
          error: new Conflict({
            provider: target.provider,
            operation: "plan",
            reason: `${gone.id} ("${gone.name}") is archived in ${capabilities.displayName}: nothing is written to it; unarchive it to update it`
          })
        })
        continue
      }
      if (
        entry.id === undefined &&
        journalled?.targetId !== undefined &&
        journalled.state !== "removed" &&
        !byId.has(journalled.targetId)
      )
        notices.push({
          path: "",
          kind: "notice",
          detail: `${journalled.targetId}, written by an earlier run, is no longer in ${capabilities.displayName}: it is created again`
        })
      const candidates =
        entry.id !== undefined
          ? [entry.id]
          : journalled?.targetId !== undefined && byId.has(journalled.targetId)
            ? [journalled.targetId]
            : (byName.get(entry.name) ?? []).map((s) => s.id)
      if (candidates.length > 1) {
        return yield* new InvalidInput({
          provider: target.provider,
          operation: "plan",
          issues: [
            {
              path: `sequences[${index}].name`,
              message: `${candidates.length} sequences are named "${entry.name}": give this entry the id of the one it manages`
            }
          ]
        })
      }
      const targetId = candidates[0]
      if (entry.id !== undefined && !byId.has(entry.id)) {
        return yield* new InvalidInput({
          provider: target.provider,
          operation: "plan",
          issues: [{ path: `sequences[${index}].id`, message: `the provider has no sequence ${entry.id}` }]
        })
      }
      if (targetId !== undefined) matched.add(targetId)
      if (targetId !== undefined) reads += callsOf(capabilities).get
      const actual = targetId === undefined ? undefined : yield* target.get(targetId)
      const translation = translations[index]!
      if (Either.isLeft(translation)) {
        blocked.push({ key, name: entry.name, error: translation.left })
        continue
      }
      const translated = translation.right.sequence
      if (translated.schedule?._tag === "Weekly" && target.scheduleFor !== undefined && !schedulesRead) {
        schedulesRead = true
        reads += 1
      }
      const warnings = yield* Effect.either(scheduleWarnings(target, translated, translation.right.warnings))
      if (Either.isLeft(warnings)) {
        if (warnings.left._tag !== "InvalidInput") return yield* warnings.left
        blocked.push({ key, name: entry.name, error: warnings.left })
        continue
      }
      const planned = yield* Effect.either(
        planSequence({
          key,
          translated,
          target: safeDefaults(translated, actual, activate),
          warnings: [...warnings.right, ...notices],
          to: target,
          activate,
          // The journal only says whether a write was left part-way; the target says the rest.
          entry: actual === undefined ? undefined : journalled,
          actual
        })
      )
      // An update the target would refuse (a field its update cannot write) is blocked, with the reason.
      if (Either.isLeft(planned)) {
        blocked.push({ key, name: entry.name, error: planned.left })
        continue
      }
      sequences.push(planned.right)
    }
    if (options.prune === true) {
      for (const summary of existing) {
        if (matched.has(summary.id)) continue
        sequences.push({
          key: `prune:${summary.id}`,
          name: summary.name,
          action: "remove",
          targetId: summary.id,
          translated: { name: summary.name, active: false, steps: [] },
          target: { name: summary.name, active: false, steps: [] },
          warnings: [],
          operations: [removal(capabilities)],
          calls: removal(capabilities).calls,
          fingerprint: "removed"
        })
      }
    }
    return {
      kind: "apply" as const,
      source: "file" as const,
      target: target.provider,
      activate,
      sequences,
      blocked,
      calls: totalCalls(sequences, capabilities),
      reads
    }
  }).pipe(
    Effect.withSpan("SequenceFile.plan", { attributes: { "unisequence.target": options.target.provider } })
  )
