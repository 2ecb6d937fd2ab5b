/**
 * A plan, as data: what a migration or an apply will do, sequence by sequence, before it does
 * anything — the target as it will be written, every warning, the operations and the HTTP calls
 * they take. `Migration.plan` and `SequenceFile.plan` make one; `Apply.apply` carries it out.
 */
import type { Warning } from "./Capabilities.js"
import type { NewSequence, ProviderId } from "./Sequence.js"
import type { SequenceError } from "./SequenceError.js"

export type OperationKind =
  | "create"
  | "reconcile"
  | "settle"
  | "update"
  | "replaceSteps"
  | "activate"
  | "verify"
  | "remove"

export interface Operation {
  readonly kind: OperationKind
  /** In words, for the plan table. */
  readonly detail: string
  readonly calls: number
}

export type Action =
  /** Not in the target yet. */
  | "create"
  /** A previous run stopped part-way: finish it. */
  | "resume"
  /** In the target, but different from what it should be. */
  | "update"
  /** In the target exactly as planned: nothing is written. */
  | "unchanged"
  /** In the target, no longer wanted (sequences-as-code with prune). */
  | "remove"

export interface SequencePlan {
  /** Source sequence id (migration) or file key (apply). */
  readonly key: string
  readonly name: string
  readonly action: Action
  readonly targetId?: string | undefined
  /** The source as the target can hold it, before the safe defaults. */
  readonly translated: NewSequence
  /** The target as it will be written, safe defaults applied. */
  readonly target: NewSequence
  readonly warnings: ReadonlyArray<Warning>
  readonly operations: ReadonlyArray<Operation>
  readonly calls: number
  readonly fingerprint: string
}

/** A sequence that cannot be carried over (e.g. a call step to Kit): reported, never half-written. */
export interface Blocked {
  readonly key: string
  readonly name: string
  readonly error: SequenceError
}

export interface Plan {
  readonly kind: "migration" | "apply"
  readonly source: ProviderId | "file"
  readonly target: ProviderId
  readonly activate: boolean
  readonly sequences: ReadonlyArray<SequencePlan>
  readonly blocked: ReadonlyArray<Blocked>
  /** HTTP calls the writes and verification take, in all. */
  readonly calls: number
  /** HTTP calls planning took on the target (its list and every sequence the plan relies on, read). */
  readonly reads: number
}
