/**
 * The journal of a migration or an apply: one entry per completed operation, so that a run killed
 * at any point and started again with the same journal finishes the work with no duplicate and
 * nothing lost, and a rerun after success writes nothing.
 *
 * `Journal` is a service: the engine takes it from the context. `layerFile` keeps it in a
 * JSON-lines file (through `@effect/platform`'s `FileSystem`), `layerMemory` in memory; another
 * backend implements the same three members. In the file, each line is appended with one write;
 * a crash can leave at most the last line cut short, which `read` skips (the operation it
 * described is then reconciled against the target).
 */
import { FileSystem, Path } from "@effect/platform"
import { Context, Effect, Layer, Option, Ref, Schema } from "effect"
import * as FileLease from "./internal/fileLease.js"
import { line, parse, stamp } from "./internal/journalLines.js"
import * as JournalLease from "./JournalLease.js"

export const State = Schema.Literal(
  /** About to create the target; `token` marks it so a crash right after can be reconciled. */
  "creating",
  /** The target exists with every step. */
  "created",
  /** The target carries its final settings (name included). */
  "settled",
  /** The target was activated, as asked. */
  "activated",
  /** Read back and found equal to the plan. */
  "verified",
  /** Read back and found different from the plan. */
  "differs",
  /** Removed (sequences-as-code `--prune`). */
  "removed"
)
export type State = typeof State.Type

export const Entry = Schema.Struct({
  v: Schema.Literal(1),
  /** What the entry is about: the source sequence id (migration) or the file key (apply). */
  key: Schema.String,
  state: State,
  targetId: Schema.optional(Schema.String),
  token: Schema.optional(Schema.String),
  stepIds: Schema.optional(Schema.Array(Schema.String)),
  /** Fingerprint of the planned target: a changed source is planned again. */
  fingerprint: Schema.optional(Schema.String),
  at: Schema.String
})
export type Entry = typeof Entry.Type

/** An entry as the engine appends it; the journal adds the version and the time. */
export type NewEntry = Omit<Entry, "v" | "at">

export class JournalError extends Schema.TaggedError<JournalError>()("JournalError", {
  /** The journal's `location`. */
  location: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `journal ${this.location}: ${this.reason}`
  }
}

export interface Journal {
  /** Where it is kept, for messages (a file path, a database URL without its password). */
  readonly location: string
  /** Every complete entry, in the order appended; entries cut short by a crash are skipped. */
  readonly read: Effect.Effect<ReadonlyArray<Entry>, JournalError>
  /**
   * Appends one entry. When it returns, the entry is stored; a `creating` entry is also durable
   * (synced to disk), since losing it would mean a second create after a power loss.
   */
  readonly append: (entry: NewEntry) => Effect.Effect<void, JournalError>
}

export const Journal: Context.Tag<Journal, Journal> = Context.GenericTag<Journal>("@unisequence/core/Journal")

/** The latest entry per key: where each sequence stands. */
export const latest = (entries: ReadonlyArray<Entry>): ReadonlyMap<string, Entry> => {
  const byKey = new Map<string, Entry>()
  for (const entry of entries) {
    const previous = byKey.get(entry.key)
    // Keep what earlier entries learnt (target id, token) when a later one omits it.
    byKey.set(entry.key, {
      ...entry,
      ...(entry.targetId === undefined && previous?.targetId !== undefined
        ? { targetId: previous.targetId }
        : {}),
      ...(entry.token === undefined && previous?.token !== undefined ? { token: previous.token } : {}),
      ...(entry.stepIds === undefined && previous?.stepIds !== undefined
        ? { stepIds: previous.stepIds }
        : {}),
      ...(entry.fingerprint === undefined && previous?.fingerprint !== undefined
        ? { fingerprint: previous.fingerprint }
        : {})
    })
  }
  return byKey
}

/** Where each key stands in the journal: what planning and applying start from. */
export const readLatest: Effect.Effect<ReadonlyMap<string, Entry>, JournalError, Journal> = Effect.flatMap(
  Journal,
  (journal) => Effect.map(journal.read, latest)
)

const encoder = new TextEncoder()

/** A journal in a JSON-lines file at `file`, created (with its directory) on first append. */
export const makeFile = (file: string): Effect.Effect<Journal, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const fail = (error: { readonly message: string }) =>
      new JournalError({ location: file, reason: error.message })
    const read = Effect.gen(function* () {
      if (!(yield* fs.exists(file))) return []
      const text = yield* fs.readFileString(file)
      // A line cut short by a crash must not glue itself to the next entry we write.
      if (text.length > 0 && !text.endsWith("\n")) yield* fs.writeFileString(file, "\n", { flag: "a" })
      const { entries, skipped } = parse(text)
      if (skipped > 0)
        yield* Effect.logWarning(`journal ${file}: skipped ${skipped} incomplete line(s) left by a crash`)
      return entries
    }).pipe(Effect.mapError(fail))
    const append = (entry: NewEntry) =>
      Effect.gen(function* () {
        const text = line(yield* stamp(entry))
        yield* fs.makeDirectory(path.dirname(file), { recursive: true })
        const handle = yield* fs.open(file, { flag: "a" })
        yield* handle.writeAll(encoder.encode(text))
        if (entry.state === "creating") yield* handle.sync
      }).pipe(Effect.scoped, Effect.mapError(fail))
    return { location: file, read, append } satisfies Journal
  })

/** A journal kept in memory, with its text as a file would hold it: for tests and dry runs. */
export interface MemoryJournal extends Journal {
  readonly text: Effect.Effect<string>
}

/** A journal in memory, starting from `initial` (JSON-lines text, possibly cut short). */
export const makeMemory = (initial = ""): Effect.Effect<MemoryJournal> =>
  Effect.map(Ref.make(initial), (ref) => ({
    location: "memory",
    text: Ref.get(ref),
    read: Effect.map(Ref.get(ref), (text) => parse(text).entries),
    append: (entry) =>
      Effect.flatMap(stamp(entry), (full) =>
        // As in a file: a line cut short must not glue itself to the next entry.
        Ref.update(ref, (text) => `${text === "" || text.endsWith("\n") ? text : `${text}\n`}${line(full)}`)
      )
  }))

/**
 * The `Journal` service in a JSON-lines file, held by this run alone for the layer's lifetime: a
 * lock file beside it (`FILE.lock`) says which run holds it until when (`JournalLease`), is renewed
 * while the run goes on and removed at its end. A second run fails with `JournalBusy` (or waits,
 * with `wait`); a lock left by a killed run is taken over once expired, or at once when the
 * `identity` shows its process gone from this host. A run that finds its lease taken over (it
 * stalled past the expiry) stops before its next append.
 */
export const layerFile = (
  file: string,
  options: JournalLease.Options = {}
): Layer.Layer<Journal, JournalError | JournalLease.JournalBusy, FileSystem.FileSystem | Path.Path> =>
  Layer.scoped(
    Journal,
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const fail = (error: { readonly message: string }) =>
        new JournalError({ location: file, reason: error.message })
      // The lock file sits beside the journal, whose directory may not exist yet.
      yield* fs.makeDirectory(path.dirname(file), { recursive: true }).pipe(Effect.mapError(fail))
      const store = yield* FileLease.make(`${file}.lock`)
      const lease = yield* JournalLease.hold(file, store, options).pipe(
        Effect.catchIf(
          (error) => error._tag !== "JournalBusy",
          (error) => Effect.fail(fail(error))
        )
      )
      const journal = yield* makeFile(file)
      // Every append looks at the lock first: a run that lost it writes nothing more.
      const stillHeld = Effect.gen(function* () {
        yield* lease.check
        const current = yield* store.read
        if (Option.isNone(current) || current.value.owner !== lease.holder.owner)
          return yield* new JournalLease.LeaseLost(
            Option.isSome(current) ? { journal: file, holder: current.value } : { journal: file }
          )
      }).pipe(Effect.mapError(fail))
      return {
        ...journal,
        append: (entry) => Effect.zipRight(stillHeld, journal.append(entry))
      } satisfies Journal
    })
  )

/** The `Journal` service in memory, empty: each build of the layer starts a new journal. */
export const layerMemory: Layer.Layer<Journal> = Layer.effect(Journal, makeMemory())
