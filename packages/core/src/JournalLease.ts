/**
 * The exclusive lease a run holds on its journal, so that two runs never write one journal at once.
 *
 * Each backend keeps one holder record per journal (a lock file, a database row) behind a `Store`;
 * the rules live here: a run takes the record when there is none, or when the one there is stale
 * (its lease expired, or its process is gone from this host); it renews it every third of the lease
 * while it runs and deletes it at the end. A second run finds the record live and fails at once with
 * `JournalBusy`, saying who holds it since when, or waits for it when asked to.
 */
import { Clock, Duration, Effect, Option, Random, Ref, Schedule, Schema, type Scope } from "effect"

/** Who holds a journal: a run, on a host, in a process, since when, until when unless renewed. */
export const Holder = Schema.Struct({
  /** The run's own random id: two runs in one process are two holders. */
  owner: Schema.String,
  host: Schema.String,
  pid: Schema.Int,
  since: Schema.String,
  expires: Schema.String
})
export type Holder = typeof Holder.Type

export class JournalBusy extends Schema.TaggedError<JournalBusy>()("JournalBusy", {
  journal: Schema.String,
  holder: Holder
}) {
  /** Who holds it since when, without the journal's name. */
  get reason() {
    return (
      `in use by another run, process ${this.holder.pid} on ${this.holder.host}, since ${this.holder.since}; ` +
      `its lease expires at ${this.holder.expires} unless that run renews it`
    )
  }
  override get message() {
    return `journal ${this.journal} is ${this.reason}`
  }
}

/**
 * Who is asking, as the platform knows it: this host and process, and whether a process of this host
 * still runs. With it a lease left by a killed run on this host is taken over at once; without it
 * (`anonymous`) only the lease's expiry frees a journal.
 */
export interface Identity {
  readonly host: string
  readonly pid: number
  readonly alive: (pid: number) => boolean
}

/** No platform knowledge: leases are judged by their expiry only. */
export const anonymous: Identity = { host: "unknown host", pid: 0, alive: () => true }

export interface Options {
  /** How long a lease lasts unless renewed (default 30 seconds); it is renewed every third of that. */
  readonly ttl?: Duration.DurationInput
  /** How long to wait for a journal another run holds (default: fail at once with `JournalBusy`). */
  readonly wait?: Duration.DurationInput
  /** Who this run is (default `anonymous`): on Node, `ProcessIdentity.identity` of `@unisequence/sql`. */
  readonly identity?: Identity
}

/**
 * Where a journal's holder record lives. Every operation is a compare-and-set on the record, so
 * that of two runs racing for it exactly one wins.
 */
export interface Store<E> {
  readonly read: Effect.Effect<Option.Option<Holder>, E>
  /** Records `holder` if there is no record; false when another run got there first. */
  readonly create: (holder: Holder) => Effect.Effect<boolean, E>
  /** Replaces `stale` with `holder` if `stale` is still the record; false when it changed. */
  readonly replace: (stale: Holder, holder: Holder) => Effect.Effect<boolean, E>
  /** Extends the record if it is still `holder`'s; false when another run took it over. */
  readonly renew: (holder: Holder, expires: string) => Effect.Effect<boolean, E>
  /** Deletes the record if it is still `holder`'s. */
  readonly release: (holder: Holder) => Effect.Effect<void, E>
}

export type Standing = "free" | "stale" | "held"

/** Whether a record can be taken: none, expired, or left by a process gone from this host. */
export const standing = (holder: Option.Option<Holder>, now: number, self: Identity): Standing => {
  if (Option.isNone(holder)) return "free"
  const expires = Date.parse(holder.value.expires)
  // An unreadable expiry cannot keep a journal held forever.
  if (Number.isNaN(expires) || expires <= now) return "stale"
  if (self !== anonymous && holder.value.host === self.host && !self.alive(holder.value.pid)) return "stale"
  return "held"
}

export interface Lease {
  readonly holder: Holder
  /** Fails when the lease was lost (another run took it over after it expired): stop writing. */
  readonly check: Effect.Effect<void, LeaseLost>
}

export class LeaseLost extends Schema.TaggedError<LeaseLost>()("LeaseLost", {
  journal: Schema.String,
  holder: Schema.optional(Holder)
}) {
  override get message() {
    return this.holder === undefined
      ? `journal ${this.journal}: this run's lease was removed; stopping before writing`
      : `journal ${this.journal}: this run's lease expired and was taken over by process ${this.holder.pid} on ${this.holder.host}; stopping before writing`
  }
}

const DEFAULT_TTL = Duration.seconds(30)
/** How often a waiting run looks again. */
const POLL = Duration.millis(100)

const iso = (millis: number) => new Date(millis).toISOString()

/** A run's own id: 16 random hex digits. */
const ownerId = Effect.map(
  Effect.all(Array.from({ length: 4 }, () => Random.nextIntBetween(0, 0x10000))),
  (parts) => parts.map((n) => n.toString(16).padStart(4, "0")).join("")
)

/**
 * Takes the lease on `journal` for the current scope: renewed in the background, released when the
 * scope closes. Fails with `JournalBusy` when another live run holds it (after `wait`, if given).
 */
export const hold = <E>(
  journal: string,
  store: Store<E>,
  options: Options = {}
): Effect.Effect<Lease, JournalBusy | E, Scope.Scope> =>
  Effect.gen(function* () {
    const ttl = Duration.decode(options.ttl ?? DEFAULT_TTL)
    const waitFor = options.wait === undefined ? undefined : Duration.toMillis(options.wait)
    const beat = Duration.millis(Duration.toMillis(ttl) / 3)
    const identity = options.identity ?? anonymous
    const self = { owner: yield* ownerId, host: identity.host, pid: identity.pid }
    const started = yield* Clock.currentTimeMillis

    const attempt: Effect.Effect<Holder, JournalBusy | E> = Effect.gen(function* () {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const holder: Holder = { ...self, since: iso(now), expires: iso(now + Duration.toMillis(ttl)) }
        const current = yield* store.read
        const state = standing(current, now, identity)
        if (state === "free" && (yield* store.create(holder))) return holder
        if (state === "stale" && Option.isSome(current) && (yield* store.replace(current.value, holder))) {
          yield* Effect.logWarning(
            `journal ${journal}: took over the lease of process ${current.value.pid} on ${current.value.host} ` +
              `(held since ${current.value.since}; ${Date.parse(current.value.expires) <= now ? "expired" : "process gone"})`
          )
          return holder
        }
        // Held by a live run, or a race lost to one: fail, unless we may wait. A race lost to a run
        // that is already gone again is simply tried once more.
        const again = yield* store.read
        if (Option.isSome(again) && standing(again, now, identity) === "held") {
          const waited = now - started
          if (waitFor === undefined || waited >= waitFor)
            return yield* new JournalBusy({ journal, holder: again.value })
        }
        yield* Effect.sleep(POLL)
      }
    })

    const holder = yield* Effect.acquireRelease(attempt, (held) =>
      store
        .release(held)
        .pipe(
          Effect.catchAll((error) =>
            Effect.logWarning(`journal ${journal}: could not release the lease: ${String(error)}`)
          )
        )
    )

    const lost = yield* Ref.make<Option.Option<LeaseLost>>(Option.none())
    const renew = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const kept = yield* store.renew(holder, iso(now + Duration.toMillis(ttl)))
      if (!kept) {
        const taker = yield* store.read
        yield* Ref.set(
          lost,
          Option.some(new LeaseLost(Option.isSome(taker) ? { journal, holder: taker.value } : { journal }))
        )
      }
      return kept
    }).pipe(
      // A failed renewal is tried again at the next beat; the lease lasts three beats.
      Effect.catchAll((error) =>
        Effect.logWarning(`journal ${journal}: could not renew the lease: ${String(error)}`).pipe(
          Effect.as(true)
        )
      )
    )
    yield* Effect.forkScoped(
      Effect.repeat(renew, {
        schedule: Schedule.spaced(beat),
        while: (kept) => kept
      }).pipe(Effect.delay(beat))
    )
    return {
      holder,
      check: Effect.flatMap(Ref.get(lost), Option.match({ onNone: () => Effect.void, onSome: Effect.fail }))
    }
  })
