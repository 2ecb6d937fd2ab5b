/**
 * A stateful simulator of Kit's v4 sequence API, served over real HTTP on 127.0.0.1. It keeps state,
 * enforces the documented rules (partial updates, positions, 422 messages, cursors, per-credential
 * rate limits) and can inject deterministic faults. It shares no code with the Kit adapter.
 *
 * @example
 * ```ts
 * import { KitSimulator } from "@unisequence/testing"
 *
 * const kit = await KitSimulator.startAsync({ seed: { sequences: [{ name: "Welcome" }] } })
 * await fetch(`${kit.url}/v4/sequences`, { headers: { "X-Kit-Api-Key": "kit_test_key" } })
 * console.log(kit.requests.length) // 1
 * await kit.close()
 * ```
 *
 * @module
 */
import { Effect, type Scope } from "effect"
import { startServer } from "./internal/kit/server.js"
import type { KitSimulator, Options } from "./internal/kit/types.js"

export { DAYS, FAULT_KINDS, OPERATIONS } from "./internal/kit/types.js"
export type {
  Account,
  AuthKind,
  Day,
  DelayUnit,
  EmailState,
  ExcludeSource,
  FaultCounts,
  FaultKind,
  FaultOptions,
  FaultSpec,
  KitSimulator,
  LoggedRequest,
  LoggedResponse,
  MalformedKind,
  Membership,
  Operation,
  Options,
  Profile,
  QuirkOptions,
  RateLimitOptions,
  Seed,
  SeedEmail,
  SeedSequence,
  SeedSubscriber,
  SequenceSnapshot,
  SequenceState,
  Snapshot,
  SourceType,
  SubscriberRecord,
  SubscriberStatus
} from "./internal/kit/types.js"

/** Starts a simulator for plain async code; call `close()` when done. */
export const startAsync = (options?: Options): Promise<KitSimulator> => startServer(options)

/** Starts a simulator that closes when the scope ends. */
export const start = (options?: Options): Effect.Effect<KitSimulator, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startServer(options)),
    (sim) => Effect.promise(() => sim.close())
  )
