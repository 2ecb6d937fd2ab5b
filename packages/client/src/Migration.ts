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
import { Journal, Migration, Plan } from "@unisequence/core"
import { Effect, Layer } from "effect"
import type { Client } from "./Client.js"
import { fromEffectError, type UnisequenceError } from "./Errors.js"
import { internalOf } from "./internal/registry.js"
import { files, runStandalone } from "./internal/run.js"

/** Which source sequences to carry over (default: all). */
export type Selection = "all" | { readonly ids: ReadonlyArray<string> } | { readonly nameContains: string }

/** One progress event per sequence and journalled operation. */
export type ProgressEvent = Migration.Event

export type MigrationPlan = Plan.Plan
export type SequencePlan = Plan.SequencePlan
export type Outcome = Migration.Outcome

/** A sequence that cannot be carried over (e.g. a call step to Kit): reported, never half-written. */
export interface Blocked {
  readonly key: string
  readonly name: string
  /** Why: an `Unsupported` naming the feature. */
  readonly error: UnisequenceError
}

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

export interface MigrationResult {
  readonly plan: MigrationPlan
  readonly outcomes: ReadonlyArray<Outcome>
  readonly blocked: ReadonlyArray<Blocked>
}

/** The core selection for a `Selection`. */
export const selection = (select: Selection | undefined): Plan.Selection => {
  if (select === undefined || select === "all") return Plan.all
  if ("ids" in select) return Plan.ids(select.ids)
  return Plan.nameContains(select.nameContains)
}

/** The blocked sequences of a plan, their errors as this package's. */
export const blockedOf = (plan: Plan.Plan): ReadonlyArray<Blocked> =>
  plan.blocked.map((b) => ({ key: b.key, name: b.name, error: fromEffectError(b.error) }))

/** A file journal at `path`, or one in memory. */
export const journalAt = (path: string | undefined): Layer.Layer<Journal.Journal> =>
  path === undefined ? Journal.layerMemory : Journal.layerFile(path).pipe(Layer.provide(files))

/** Runs `onProgress` for an event; a callback that throws fails the run with that error. */
export const progress =
  (onProgress: ((event: ProgressEvent) => void) | undefined) =>
  (event: ProgressEvent): Effect.Effect<void> =>
    onProgress === undefined ? Effect.void : Effect.sync(() => onProgress(event))

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
  const journal = journalAt(options.journal)
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
      const result = yield* Migration.apply(plan, {
        target,
        activate,
        onEvent: progress(options.onProgress),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency })
      })
      return { plan, outcomes: result.outcomes, blocked: blockedOf(plan) }
    }).pipe(Effect.provide(journal)),
    options.signal
  )
}
