/**
 * Targets left by creates whose answer was lost: each create is marked with a run token in its
 * name until it is settled, so a crash before the journal learns its id is reconciled by finding
 * the token, and a lost create that lands late is removed as a stray.
 */
import { Chunk, Effect, Random, Stream } from "effect"
import type { Sequences } from "../Sequences.js"

/** The name a target carries while it is being created. */
export const markedName = (name: string, token: string) => `${name} [unisequence ${token}]`

/** 12 random hex digits: enough that two runs' marks never meet. */
export const newToken: Effect.Effect<string> = Effect.map(
  Effect.all(Array.from({ length: 3 }, () => Random.nextIntBetween(0, 0x10000))),
  (parts) => parts.map((n) => n.toString(16).padStart(4, "0")).join("")
)

const marked = (target: Sequences, token: string) =>
  target.list({ nameContains: token }).pipe(Stream.filter((summary) => summary.name.includes(token)))

/** The target marked with `token`, if a create carrying it landed. */
export const findByToken = (target: Sequences, token: string) =>
  marked(target, token).pipe(Stream.runCollect, Effect.map(Chunk.head))

const remove = (target: Sequences) => (stray: { readonly id: string }) =>
  Effect.logWarning(`removing ${stray.id}, a duplicate left by a create whose answer was lost`).pipe(
    Effect.zipRight(target.remove(stray.id)),
    Effect.catchTag("SequenceNotFound", () => Effect.void)
  )

/** Removes every target sequence marked with `token` except `keep`: the strays of lost creates. */
export const sweep = (target: Sequences, token: string, keep: string) =>
  marked(target, token).pipe(
    Stream.filter((summary) => summary.id !== keep && summary.archived !== true),
    Stream.runForEach(remove(target))
  )

/** The run tokens a name is marked with (`markedName`). */
export const tokensOf = (name: string): ReadonlyArray<string> =>
  Array.from(name.matchAll(/\[unisequence ([0-9a-f]+)\]/g), (match) => match[1] ?? "")

/**
 * `sweep` for many tokens at once (token → the id to keep), with one listing of the target instead of
 * one per token: a run that lost many creates looks for their strays in a single pass.
 */
export const sweepAll = (target: Sequences, keep: ReadonlyMap<string, string>) =>
  keep.size === 1
    ? Effect.forEach(keep, ([token, id]) => sweep(target, token, id), { discard: true })
    : target.list().pipe(
        Stream.filter(
          (summary) =>
            summary.archived !== true &&
            tokensOf(summary.name).some((token) => keep.has(token) && keep.get(token) !== summary.id)
        ),
        Stream.runForEach(remove(target))
      )
