import { Effect } from "effect"

/**
 * One permit per key: step edits of the same sequence run one after another, so two
 * read-modify-writes issued at once cannot overwrite each other. Different keys run in parallel.
 */
export class KeyedLock {
  private readonly semaphores = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()

  withLock =
    (key: string) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          const entry = this.semaphores.get(key) ?? { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
          entry.users++
          this.semaphores.set(key, entry)
          return entry
        }),
        (entry) => entry.semaphore.withPermits(1)(effect),
        (entry) =>
          Effect.sync(() => {
            // Forget idle keys so a long migration does not keep one semaphore per sequence.
            if (--entry.users === 0) this.semaphores.delete(key)
          })
      )
}
