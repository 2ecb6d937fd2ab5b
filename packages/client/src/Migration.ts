/**
 * Moving sequences from one client's provider to another's, with the engine of
 * `@unisequence/core`: a plan with every warning, then an apply that journals each operation, so
 * that a run stopped at any point (a crash, or an `AbortSignal`) and started again with the same
 * journal finishes with no duplicate and nothing lost, and ends by reading every target back.
 *
 * @example
 * ```ts
 * import { apollo, kit, migrate } from "@unisequence/client"
 *
 * await using from = kit({ apiKey: process.env.KIT_API_KEY ?? "" })
 * await using to = apollo({ apiKey: process.env.APOLLO_API_KEY ?? "" })
 * const result = await migrate({
 *   from,
 *   to,
 *   journal: "kit-to-apollo.jsonl",
 *   onProgress: (event) => {
 *     if (event._tag === "Finished") console.log(`${event.name}: ${event.outcome}, ${event.verification}`)
 *   }
 * })
 * console.log(`${result.outcomes.length} migrated, ${result.blocked.length} blocked`)
 * ```
 *
 * @module
 */
import { Apply, Migration, type Plan } from "@unisequence/core"
import { Effect } from "effect"
import type { Client } from "./Client.js"
import type { UnisequenceError } from "./Errors.js"
import { blockedOf, journalAt, progress, selection } from "./internal/engine.js"
import { internalOf } from "./internal/registry.js"
import { runStandalone } from "./internal/run.js"

/**
 * Which source sequences to carry over (default: all).
 *
 * @example
 * ```ts
 * import type { Selection } from "@unisequence/client"
 *
 * const everything: Selection = "all"
 * const some: Selection = { ids: ["12", "13"] }
 * const byName: Selection = { nameContains: "Onboarding" }
 * ```
 */
export type Selection = "all" | { readonly ids: ReadonlyArray<string> } | { readonly nameContains: string }

/**
 * One progress event per sequence started, operation journalled (`state`) and sequence finished.
 *
 * @example
 * ```ts
 * import type { ProgressEvent } from "@unisequence/client"
 *
 * const onProgress = (event: ProgressEvent) => {
 *   if (event._tag === "Started") console.log(`${event.index + 1}/${event.total} ${event.name}`)
 *   if (event._tag === "Operation") console.log(`  ${event.key}: ${event.state}`)
 *   if (event._tag === "Finished") console.log(`  ${event.name}: ${event.outcome}, ${event.verification}`)
 * }
 * ```
 */
export type ProgressEvent = Apply.Event

/**
 * What a migration or an apply will do, sequence by sequence, before it writes anything.
 *
 * @example
 * ```ts
 * import { memory, migrate, type MigrationPlan } from "@unisequence/client"
 *
 * await using from = memory()
 * await using to = memory()
 * const plan: MigrationPlan = (await migrate({ from, to, dryRun: true })).plan
 * console.log(`${plan.sequences.length} sequences, ${plan.calls} calls`)
 * ```
 */
export type MigrationPlan = Plan.Plan

/**
 * The plan of one sequence: its action, the target as it will be written, warnings and calls.
 *
 * @example
 * ```ts
 * import type { SequencePlan } from "@unisequence/client"
 *
 * const line = (s: SequencePlan) =>
 *   `${s.action} ${s.name}${s.warnings.map((w) => `\n  warning: ${w.path} ${w.kind}: ${w.detail}`).join("")}`
 * ```
 */
export type SequencePlan = Plan.SequencePlan

/**
 * What happened to one sequence, and whether reading it back matched the plan.
 *
 * @example
 * ```ts
 * import type { Outcome } from "@unisequence/client"
 *
 * const ok = (o: Outcome) => o.verification !== "differs"
 * ```
 */
export type Outcome = Apply.Outcome

/**
 * A sequence that cannot be carried over (e.g. a call step to Kit): reported, never half-written.
 *
 * @example
 * ```ts
 * import type { Blocked } from "@unisequence/client"
 *
 * const report = (b: Blocked) => `${b.name}: ${b.error.message}`
 * ```
 */
export interface Blocked {
  readonly key: string
  readonly name: string
  /** Why: an `Unsupported` naming the feature. */
  readonly error: UnisequenceError
}

/**
 * The options of `migrate`.
 *
 * @example
 * ```ts
 * import { memory, type MigrateOptions } from "@unisequence/client"
 *
 * const options: MigrateOptions = { from: memory(), to: memory(), journal: "run.jsonl", activate: false }
 * ```
 */
export interface MigrateOptions {
  readonly from: Client
  readonly to: Client
  readonly select?: Selection
  /**
   * The path of the journal (a JSON-lines file, created on first write). Run again with the same
   * path to resume a run that was stopped; without one, a stopped run cannot resume.
   */
  readonly journal?: string
  /** Activate targets and publish emails as in the source (default: inactive, unpublished). */
  readonly activate?: boolean
  /** Only plan: read the source, write nothing (the result has no outcomes). */
  readonly dryRun?: boolean
  /** Called for every sequence started, operation journalled and sequence finished. */
  readonly onProgress?: (event: ProgressEvent) => void
  /** Aborting interrupts the run at once; the journal keeps what was done. */
  readonly signal?: AbortSignal
  /** Sequences read or written at once (default 4). */
  readonly concurrency?: number
}

/**
 * What `migrate` and `apply` return: the plan, one outcome per sequence, and what was blocked.
 *
 * @example
 * ```ts
 * import type { MigrationResult } from "@unisequence/client"
 *
 * const summary = (r: MigrationResult) =>
 *   `${r.outcomes.filter((o) => o.verification === "verified").length} verified, ${r.blocked.length} blocked`
 * ```
 */
export interface MigrationResult {
  readonly plan: MigrationPlan
  readonly outcomes: ReadonlyArray<Outcome>
  readonly blocked: ReadonlyArray<Blocked>
}

/**
 * Plans the migration of the selected sequences of `from` into `to`, then (unless `dryRun`) applies
 * it, verifying every target by reading it back.
 *
 * @example
 * ```ts
 * import { memory, migrate } from "@unisequence/client"
 *
 * await using from = memory()
 * await using to = memory()
 * await from.create({ name: "Welcome", steps: [] })
 * const controller = new AbortController()
 * const { outcomes } = await migrate({ from, to, select: { nameContains: "Wel" }, signal: controller.signal })
 * console.log(outcomes.map((o) => `${o.name}: ${o.outcome}`)) // [ 'Welcome: created' ]
 * ```
 */
export const migrate = async (options: MigrateOptions): Promise<MigrationResult> => {
  const source = await internalOf(options.from, "from").service()
  const target = await internalOf(options.to, "to").service()
  const activate = options.activate ?? false
  return runStandalone(
    Effect.gen(function* () {
      const plan = yield* Migration.plan({
        source,
        target,
        select: selection(options.select),
        activate,
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency })
      })
      if (options.dryRun === true) return { plan, outcomes: [], blocked: blockedOf(plan) }
      const result = yield* Apply.apply(plan, {
        target,
        activate,
        onEvent: progress(options.onProgress),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency })
      })
      return { plan, outcomes: result.outcomes, blocked: blockedOf(plan) }
    }).pipe(Effect.provide(journalAt(options.journal))),
    options.signal
  )
}
