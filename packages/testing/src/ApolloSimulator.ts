/**
 * A stateful simulator of Apollo.io's sequence API (`/api/v1`), served over real HTTP on 127.0.0.1.
 *
 * It enforces what Apollo's documents say: string ids, one-based step positions, replace semantics of
 * `PUT /sequences/{id}` (steps and touches missing from `emailer_steps` are removed), `x-api-key` keys
 * (master or scoped, 403 `API_INACCESSIBLE`), plain-text 401s, 422s, per-endpoint rate limits with their
 * headers, the "already processing" 429 on overlapping writes, and deterministic fault injection.
 *
 * @example
 * ```ts
 * import { ApolloSimulator } from "@unisequence/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const sim = yield* ApolloSimulator.start({ seed: { sequences: [{ name: "Onboarding" }] } })
 *   yield* Effect.promise(() =>
 *     fetch(sim.url + "/api/v1/emailer_schedules", { headers: { "x-api-key": ApolloSimulator.defaultMasterKey } })
 *   )
 *   return sim.requests.length
 * })
 * console.log(await Effect.runPromise(Effect.scoped(program))) // 1
 * ```
 *
 * @module
 */
import { Effect, type Scope } from "effect"
import { startServer, type ApolloSimulator } from "./internal/apollo/server.js"
import type { Options } from "./internal/apollo/types.js"

export type { ApolloSimulator } from "./internal/apollo/server.js"
export type {
  AccessType,
  ContactState,
  CreationType,
  EmailAccountState,
  FaultCounts,
  FaultKind,
  FaultOptions,
  FaultSpec,
  KeyKind,
  LoggedRequest,
  LoggedResponse,
  MalformedKind,
  MembershipState,
  MembershipStatus,
  Operation,
  Options,
  PlanOptions,
  Profile,
  QuirkOptions,
  Priority,
  RateLimitOptions,
  RateLimitWindows,
  RemoveMode,
  ScheduleState,
  Seed,
  SeedContact,
  SeedEmailAccount,
  SeedMembership,
  SeedSchedule,
  SeedSequence,
  SeedStep,
  SeedTemplate,
  SeedTouch,
  SequenceState,
  SharingAccess,
  SharingPermission,
  Snapshot,
  Stat,
  StepState,
  StepType,
  TemplateState,
  TouchState,
  TouchStatus,
  TouchType,
  Visibility,
  WaitMode
} from "./internal/apollo/types.js"
export { DefaultRateLimit, DocumentedRateLimit } from "./internal/apollo/rateLimit.js"
export { operations as Operations, Scopes } from "./internal/apollo/routes.js"
export { defaultSeed as DefaultSeed } from "./internal/apollo/store.js"

/** The master key the simulator accepts when `masterKeys` is not given. */
export const defaultMasterKey = "apollo_master_key"

/** Starts a simulator for plain async code; call `close()` when done. */
export const startAsync = (options: Options = {}): Promise<ApolloSimulator> => startServer(options)

/** Starts a simulator that closes with the scope. */
export const start = (options: Options = {}): Effect.Effect<ApolloSimulator, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startServer(options)),
    (simulator) => Effect.promise(() => simulator.close())
  )
