/**
 * What `migrate` and the sequence-file functions share: options in the core's terms.
 */
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { Journal, Migration as CoreMigration, type Plan } from "@unisequence/core"
import { Effect, Layer } from "effect"
import { fromEffectError } from "../Errors.js"
import type { Blocked, ProgressEvent, Selection } from "../Migration.js"

/** The core selection for a `Selection`. */
export const selection = (select: Selection | undefined): CoreMigration.Selection => {
  if (select === undefined || select === "all") return CoreMigration.all
  if ("ids" in select) return CoreMigration.ids(select.ids)
  return CoreMigration.nameContains(select.nameContains)
}

/** The blocked sequences of a plan, their errors as this package's. */
export const blockedOf = (plan: Plan.Plan): ReadonlyArray<Blocked> =>
  plan.blocked.map((b) => ({ key: b.key, name: b.name, error: fromEffectError(b.error) }))

/** The files a journal or a sequence file is read from: Node's file system. */
export const files = Layer.merge(NodeFileSystem.layer, NodePath.layer)

/** A file journal at `path` (held by this run alone: another run on it is a `JournalError`), or a new one in memory. */
export const journalAt = (path: string | undefined): Layer.Layer<Journal.Journal, Journal.JournalError> =>
  path === undefined
    ? Journal.layerMemory
    : Journal.layerFile(path).pipe(
        Layer.provide(files),
        Layer.mapError((error) =>
          error._tag === "JournalBusy"
            ? new Journal.JournalError({ location: error.journal, reason: error.reason })
            : error
        )
      )

/** Runs `onProgress` for an event; a callback that throws fails the run with that error. */
export const progress =
  (onProgress: ((event: ProgressEvent) => void) | undefined) =>
  (event: ProgressEvent): Effect.Effect<void> =>
    onProgress === undefined ? Effect.void : Effect.sync(() => onProgress(event))
