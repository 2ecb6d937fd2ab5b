/**
 * Sequences as code: a YAML or JSON file of the sequences a provider should have (the format is
 * described in `docs/sequence-file.md`), planned against what the provider has and applied with the
 * migration engine's journal and safety rules.
 *
 * @example
 * ```ts
 * import { apply, kit, plan } from "@unisequence/client"
 *
 * await using to = kit({ apiKey: process.env.KIT_API_KEY ?? "" })
 * const planned = await plan({ file: "sequences.yaml", to })
 * for (const s of planned.sequences) console.log(`${s.action} ${s.name}`)
 * const result = await apply({ file: "sequences.yaml", to, journal: "sequences.jsonl" })
 * console.log(result.outcomes.length)
 * ```
 *
 * @module
 */
import { Apply, SequenceFile, type Sequences } from "@unisequence/core"
import { Effect, Either, Schema } from "effect"
import type { Client } from "./Client.js"
import { internalOf } from "./internal/registry.js"
import { runStandalone } from "./internal/run.js"
import { blockedOf, files, journalAt, progress } from "./internal/engine.js"
import type { MigrationPlan, MigrationResult, ProgressEvent } from "./Migration.js"

/**
 * A sequence file as an object: `{ version: 1, sequences: [...] }`.
 *
 * @example
 * ```ts
 * import type { SequenceFileDocument } from "@unisequence/client"
 *
 * const file: SequenceFileDocument = {
 *   version: 1,
 *   sequences: [{ name: "Welcome", steps: [{ delay: "0 days", email: { subject: "Hi", html: "<p>Hi</p>" } }] }]
 * }
 * ```
 */
export type SequenceFileDocument = typeof SequenceFile.SequenceFile.Encoded

/**
 * The options of `plan`.
 *
 * @example
 * ```ts
 * import { memory, type PlanOptions } from "@unisequence/client"
 *
 * const options: PlanOptions = { file: "sequences.yaml", to: memory(), prune: true }
 * ```
 */
export interface PlanOptions {
  /** The path of a YAML or JSON file, or the file's content as an object. */
  readonly file: string | SequenceFileDocument | { readonly version: unknown }
  /** The client whose sequences the file describes. */
  readonly to: Client
  /** The journal path of earlier applies (a JSON-lines file). */
  readonly journal?: string
  /** Remove the provider's sequences the file does not name (default: leave them alone). */
  readonly prune?: boolean
  /** Let the file turn sequences on and publish emails (default: hold back anything that would). */
  readonly activate?: boolean
  readonly signal?: AbortSignal
}

/**
 * The options of `apply`: those of `plan`, progress and cancellation.
 *
 * @example
 * ```ts
 * import { type ApplyOptions, memory } from "@unisequence/client"
 *
 * const controller = new AbortController()
 * const options: ApplyOptions = {
 *   file: "sequences.yaml",
 *   to: memory(),
 *   journal: "sequences.jsonl",
 *   signal: controller.signal,
 *   onProgress: (event) => console.log(event._tag)
 * }
 * ```
 */
export interface ApplyOptions extends PlanOptions {
  readonly onProgress?: (event: ProgressEvent) => void
}

const decodeDocument = Schema.decodeUnknownEither(SequenceFile.SequenceFile, {
  errors: "all",
  onExcessProperty: "error"
})

/** Reads the file (a path), or checks the object against the format. */
const load = (file: PlanOptions["file"]) =>
  typeof file === "string"
    ? SequenceFile.load(file).pipe(Effect.provide(files))
    : Either.match(decodeDocument(file), {
        onRight: Effect.succeed,
        // Same issues, same wording as a file on disk: parse its JSON text.
        onLeft: () =>
          Either.match(SequenceFile.parse(JSON.stringify(file), "<object>"), {
            onLeft: Effect.fail,
            onRight: Effect.succeed
          })
      })

const planEffect = (options: PlanOptions, target: Sequences.Sequences) =>
  Effect.gen(function* () {
    const file = yield* load(options.file)
    return yield* SequenceFile.plan({
      file,
      target,
      ...(options.prune === undefined ? {} : { prune: options.prune }),
      ...(options.activate === undefined ? {} : { activate: options.activate })
    })
  })

/**
 * Compares the file with what the provider has and says what `apply` would do. Reads only.
 *
 * @example
 * ```ts
 * import { memory, plan } from "@unisequence/client"
 *
 * await using to = memory()
 * const planned = await plan({
 *   file: { version: 1, sequences: [{ name: "Welcome", steps: [{ delay: "0 days", email: { subject: "Hi", html: "<p>Hi</p>" } }] }] },
 *   to
 * })
 * console.log(planned.sequences.map((s) => `${s.action} ${s.name}`)) // [ 'create Welcome' ]
 * ```
 */
export const plan = async (options: PlanOptions): Promise<MigrationPlan> => {
  const target = await internalOf(options.to, "to").service()
  return runStandalone(
    planEffect(options, target).pipe(Effect.provide(journalAt(options.journal))),
    options.signal
  )
}

/**
 * Makes the provider's sequences what the file says: plans, then applies with the journal (a rerun
 * after success writes nothing), verifying every sequence written.
 *
 * @example
 * ```ts
 * import { apply, memory } from "@unisequence/client"
 *
 * await using to = memory()
 * const file = { version: 1, sequences: [{ name: "Welcome", steps: [] }] } as const
 * const first = await apply({ file, to })
 * const second = await apply({ file, to })
 * console.log(first.outcomes[0]?.outcome, second.outcomes[0]?.outcome) // created unchanged
 * ```
 */
export const apply = async (options: ApplyOptions): Promise<MigrationResult> => {
  const target = await internalOf(options.to, "to").service()
  return runStandalone(
    Effect.gen(function* () {
      const planned = yield* planEffect(options, target)
      const result = yield* Apply.apply(planned, {
        target,
        onEvent: progress(options.onProgress)
      })
      return { plan: planned, outcomes: result.outcomes, blocked: blockedOf(planned) }
    }).pipe(Effect.provide(journalAt(options.journal))),
    options.signal
  )
}
