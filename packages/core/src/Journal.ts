/**
 * The journal of a migration or an apply: one JSON line per completed operation, so that a run
 * killed at any point and started again with the same journal finishes the work with no duplicate
 * and nothing lost, and a rerun after success writes nothing.
 *
 * Lines are appended with one `write` each; a crash can leave at most the last line cut short,
 * which `read` skips (the operation it described is then reconciled against the target).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Effect, Either, Schema } from "effect"

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

export class JournalError extends Schema.TaggedError<JournalError>()("JournalError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `journal ${this.path}: ${this.reason}`
  }
}

export interface Journal {
  /** Where it is kept, for messages. */
  readonly location: string
  /** Every complete entry, in order; lines cut short by a crash are skipped. */
  readonly read: Effect.Effect<ReadonlyArray<Entry>, JournalError>
  readonly append: (entry: Omit<Entry, "v" | "at">) => Effect.Effect<void, JournalError>
}

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

/** Where each key stands in `journal` (an empty map without one): what planning and applying start from. */
export const readLatest = (
  journal: Journal | undefined
): Effect.Effect<ReadonlyMap<string, Entry>, JournalError> =>
  journal === undefined ? Effect.succeed(new Map()) : Effect.map(journal.read, latest)

const decodeLine = Schema.decodeUnknownEither(Schema.parseJson(Entry))

/** Parses journal text; returns the entries and how many lines were unreadable (cut short). */
export const parse = (text: string): { readonly entries: ReadonlyArray<Entry>; readonly skipped: number } => {
  const entries: Array<Entry> = []
  let skipped = 0
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    const decoded = decodeLine(line)
    if (Either.isRight(decoded)) entries.push(decoded.right)
    else skipped++
  }
  return { entries, skipped }
}

const line = (entry: Omit<Entry, "v" | "at">): string =>
  `${JSON.stringify({ v: 1, ...entry, at: new Date().toISOString() })}\n`

/** A journal in a JSON-lines file, created on first append. */
export const file = (path: string): Journal => {
  const fail = (reason: unknown) =>
    new JournalError({ path, reason: reason instanceof Error ? reason.message : String(reason) })
  return {
    location: path,
    read: Effect.try({
      try: () => {
        if (!NodeFs.existsSync(path)) return { entries: [], skipped: 0 }
        const text = NodeFs.readFileSync(path, "utf8")
        // A line cut short by a crash must not glue itself to the next entry we write.
        if (text.length > 0 && !text.endsWith("\n")) NodeFs.appendFileSync(path, "\n")
        return parse(text)
      },
      catch: fail
    }).pipe(
      Effect.tap(({ skipped }) =>
        skipped > 0
          ? Effect.logWarning(`journal ${path}: skipped ${skipped} incomplete line(s) left by a crash`)
          : Effect.void
      ),
      Effect.map(({ entries }) => entries)
    ),
    append: (entry) =>
      Effect.try({
        try: () => {
          NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true })
          const fd = NodeFs.openSync(path, "a")
          try {
            NodeFs.writeSync(fd, line(entry))
            // A lost `creating` line would mean a second create after a power loss: that one is synced.
            if (entry.state === "creating") NodeFs.fsyncSync(fd)
          } finally {
            NodeFs.closeSync(fd)
          }
        },
        catch: fail
      })
  }
}

/** A journal kept in memory: for tests and dry runs. */
export const memory = (initial = ""): Journal & { readonly text: () => string } => {
  let text = initial
  return {
    location: "memory",
    text: () => text,
    read: Effect.sync(() => parse(text).entries),
    append: (entry) =>
      Effect.sync(() => {
        text += line(entry)
      })
  }
}
