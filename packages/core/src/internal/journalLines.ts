/**
 * The JSON-lines form of journal entries, shared by the file and memory journals: one entry per
 * line; a line that does not decode (cut short by a crash) is counted and skipped.
 */
import { DateTime, Effect, Either, Schema } from "effect"
import { Entry, type NewEntry } from "../Journal.js"

// Built on use, not at load: this module and Journal.ts import each other (Effect caches the parsers).
const decodeLine = (line: string) => Schema.decodeUnknownEither(Schema.parseJson(Entry))(line)
const encodeLine = (entry: Entry) => Schema.encodeSync(Schema.parseJson(Entry))(entry)

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

/** An entry as one line, newline included. */
export const line = (entry: Entry): string => `${encodeLine(entry)}\n`

/** The complete entry: version and the time it is written. */
export const stamp = (entry: NewEntry): Effect.Effect<Entry> =>
  Effect.map(DateTime.now, (now) => ({ v: 1 as const, ...entry, at: DateTime.formatIso(now) }))
