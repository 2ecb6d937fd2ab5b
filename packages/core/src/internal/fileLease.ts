/**
 * The lease record of a file journal: a lock file beside it (`FILE.lock`) holding the holder as
 * JSON. It appears whole or not at all (written aside, then hard-linked into place, which fails if
 * one is there), and is replaced whole (renamed over). Taking over a stale one is serialised by a
 * second lock file (`FILE.lock.takeover`), so that of two runs taking it over at once one wins.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Either, Option, Random, Schema } from "effect"
import { Holder, type Store } from "../JournalLease.js"

const decodeHolder = Schema.decodeUnknownEither(Schema.parseJson(Holder))

/** A lock file that does not decode (a disk fault): stale, so it cannot hold a journal forever. */
const unreadable: Holder = { owner: "unreadable", host: "", pid: 0, since: "unknown", expires: "" }

/** Ignores "not found": the file was removed between two steps, as another run may. */
const absentIsNone = <A>(
  effect: Effect.Effect<A, PlatformError>
): Effect.Effect<Option.Option<A>, PlatformError> =>
  effect.pipe(
    Effect.map(Option.some),
    Effect.catchIf(
      (error) => error._tag === "SystemError" && error.reason === "NotFound",
      () => Effect.succeedNone
    )
  )

export const make = (lockFile: string): Effect.Effect<Store<PlatformError>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const takeoverFile = `${lockFile}.takeover`

    const readHolder = (file: string) =>
      absentIsNone(fs.readFileString(file)).pipe(
        Effect.map(Option.map((text) => Either.getOrElse(decodeHolder(text), () => unreadable)))
      )
    const aside = (holder: Holder) =>
      Effect.gen(function* () {
        const tmp = `${lockFile}.${holder.owner}.${yield* Random.nextIntBetween(0, 1_000_000_000)}.tmp`
        yield* fs.writeFileString(tmp, `${JSON.stringify(holder)}\n`)
        return tmp
      })
    /** Puts `holder` at `file` if there is nothing there; false when there is. */
    const place = (file: string, holder: Holder) =>
      Effect.acquireUseRelease(
        aside(holder),
        (tmp) =>
          fs.link(tmp, file).pipe(
            Effect.as(true),
            Effect.catchIf(
              (error) => error._tag === "SystemError" && error.reason === "AlreadyExists",
              () => Effect.succeed(false)
            )
          ),
        (tmp) => Effect.ignore(fs.remove(tmp))
      )
    /** Replaces the record whole. */
    const overwrite = (holder: Holder) => Effect.flatMap(aside(holder), (tmp) => fs.rename(tmp, lockFile))
    const same = (a: Holder, b: Holder) => a.owner === b.owner && a.expires === b.expires

    const read = readHolder(lockFile)
    return {
      read,
      create: (holder) => place(lockFile, holder),
      replace: (stale, holder) =>
        Effect.gen(function* () {
          if (!(yield* place(takeoverFile, holder))) {
            // Another run is taking over; a takeover left by a killed run must not block forever.
            const other = yield* readHolder(takeoverFile)
            const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            if (Option.isSome(other) && !(Date.parse(other.value.expires) > now))
              yield* Effect.ignore(fs.remove(takeoverFile))
            return false
          }
          return yield* Effect.gen(function* () {
            const current = yield* read
            if (Option.isNone(current) || !same(current.value, stale)) return false
            yield* overwrite(holder)
            return true
          }).pipe(Effect.ensuring(Effect.ignore(fs.remove(takeoverFile))))
        }),
      renew: (holder, expires) =>
        Effect.gen(function* () {
          const current = yield* read
          if (Option.isNone(current) || current.value.owner !== holder.owner) return false
          yield* overwrite({ ...current.value, expires })
          return true
        }),
      release: (holder) =>
        Effect.gen(function* () {
          const current = yield* read
          if (Option.isSome(current) && current.value.owner === holder.owner)
            yield* Effect.ignore(fs.remove(lockFile))
        })
    } satisfies Store<PlatformError>
  })
