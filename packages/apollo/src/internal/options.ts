/**
 * Apollo's own entry in `providerOptions`. Core knows only that the entry is a record; these schemas
 * give it its shape, for validation before a write and typed reads in the mapping.
 */
import { Option, Schema } from "effect"

export const provider = "apollo"

export const SequenceOptions = Schema.Struct({
  creationType: Schema.optional(Schema.Literal("draft", "new", "ai_assistant")),
  sharingPermission: Schema.optional(
    Schema.Struct({
      visibility: Schema.optional(Schema.Literal("restricted", "everyone")),
      accessType: Schema.optional(Schema.Literal("can_view", "can_edit", "full_access"))
    })
  ),
  /** Deprecated by Apollo in favour of `sharingPermission`; kept so nothing a user wrote is lost. */
  permissions: Schema.optional(Schema.String),
  /** Owner; writing it on update reassigns the sequence. */
  userId: Schema.optional(Schema.String),
  /** Create-only behaviour flags (`mark_finished_if_reply`, `mark_paused_if_ooo`, …) by wire name. */
  createFlags: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Boolean })),
  /**
   * The sequence's label ids, read-only: Apollo's document answers `label_ids` only (labels are
   * written by name), so where no names come back the labels are known by id alone.
   */
  labelIds: Schema.optional(Schema.Array(Schema.String)),
  /** Statistics as Apollo reports them; a figure may be the string `"loading"`. */
  stats: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type SequenceOptions = typeof SequenceOptions.Type

export const StepOptions = Schema.Struct({
  exactDatetime: Schema.optional(Schema.NullOr(Schema.String)),
  priority: Schema.optional(Schema.NullOr(Schema.String)),
  note: Schema.optional(Schema.NullOr(Schema.String)),
  autoSkipInXDays: Schema.optional(Schema.NullOr(Schema.Number)),
  /** Id of the touch holding the step's primary email. */
  touchId: Schema.optional(Schema.String)
})
export type StepOptions = typeof StepOptions.Type

type Record = { readonly [provider: string]: unknown } | undefined

const decodeSequence = Schema.decodeUnknownOption(SequenceOptions)
const decodeStep = Schema.decodeUnknownOption(StepOptions)

/** Apollo's options of a sequence, typed; `undefined` when absent or not Apollo's shape. */
export const sequenceOptions = (options: Record): SequenceOptions | undefined =>
  Option.getOrUndefined(decodeSequence(options?.[provider]))

/** Apollo's options of a step, typed; `undefined` when absent or not Apollo's shape. */
export const stepOptions = (options: Record): StepOptions | undefined =>
  Option.getOrUndefined(decodeStep(options?.[provider]))
