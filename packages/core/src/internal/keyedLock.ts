import { Effect, GlobalValue, RcMap, Scope } from "effect"

/**
 * Semaphores of one permit by key, process-wide: step edits of the same sequence run one after
 * another, so two read-modify-writes issued at once cannot overwrite each other, even when they come
 * from two services on the same account. Different keys run in parallel. An `RcMap` keeps a key's
 * semaphore while an edit holds or awaits it and drops it after, so a long migration does not keep
 * one per sequence. Across processes there is no lock (a documented limit).
 */
const semaphores = GlobalValue.globalValue(Symbol.for("@unisequence/core/internal/keyedLock"), () =>
  Effect.runSync(
    Effect.flatMap(Scope.make(), (scope) =>
      RcMap.make({ lookup: (_key: string) => Effect.makeSemaphore(1) }).pipe(Scope.extend(scope))
    )
  )
)

export const withLock =
  (key: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.scoped(Effect.flatMap(RcMap.get(semaphores, key), (semaphore) => semaphore.withPermits(1)(effect)))

/** The key of one sequence of one account: provider, where its data lives, and the sequence's id. */
export const sequenceKey = (provider: string, account: string, id: string): string =>
  JSON.stringify([provider, account, id])

/** How many keys hold a semaphore now (tests check that idle keys are dropped). */
export const size: Effect.Effect<number> = Effect.map(RcMap.keys(semaphores), (keys) => keys.length)
