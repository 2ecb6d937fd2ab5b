/**
 * Kit's own entry in `providerOptions`: read-only figures Kit reports. Core knows only that the
 * entry is a record; these schemas give it its shape, for validation and typed reads.
 */
import { Option, Schema } from "effect"

export const provider = "kit"

export const SequenceOptions = Schema.Struct({
  emailCount: Schema.optional(Schema.Number),
  subscriberCount: Schema.optional(Schema.Number),
  stats: Schema.optional(Schema.Unknown)
})
export type SequenceOptions = typeof SequenceOptions.Type

export const StepOptions = Schema.Struct({
  /** Zero-based position Kit holds; read-only, the neutral order is the array order. */
  position: Schema.optional(Schema.NullOr(Schema.Number))
})
export type StepOptions = typeof StepOptions.Type

const decodeStep = Schema.decodeUnknownOption(StepOptions)

/** The Kit options of a step, typed; empty when absent or not Kit's shape. */
export const stepOptions = (options: { readonly [provider: string]: unknown } | undefined): StepOptions =>
  Option.getOrElse(decodeStep(options?.[provider]), () => ({}))
