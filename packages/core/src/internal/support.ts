/**
 * What a provider cannot hold in an input, found with the same rules as `translate`: a write that
 * would lose or change any of it is refused with `Unsupported` instead of being carried out.
 */
import { Effect, Either, Option } from "effect"
import { type Capabilities, translateEither, type Warning } from "../Capabilities.js"
import type { DesiredStep, NewSequence, NewStep, ProviderId, SequencePatch, StepPatch } from "../Sequence.js"
import { SequenceNotFound } from "../SequenceError.js"

export interface Finding {
  readonly path: string
  readonly detail: string
}

const findings = (input: NewSequence, capabilities: Capabilities, rename: (path: string) => string) => {
  const result = translateEither(input, capabilities)
  if (Either.isLeft(result)) return [{ path: rename("steps"), detail: result.left.detail }]
  return result.right.warnings
    .filter((warning) => !handledAtWrite(warning, capabilities))
    .map((warning) => ({ path: rename(warning.path), detail: warning.detail }))
}

// A weekly schedule is written to Apollo as the team's matching named schedule by the adapter.
const handledAtWrite = (warning: Warning, capabilities: Capabilities) =>
  warning.path === "schedule" && warning.kind === "approximated" && capabilities.namedSchedule

export const unsupportedInSequence = (
  input: NewSequence,
  capabilities: Capabilities
): ReadonlyArray<Finding> => findings(input, capabilities, (path) => path)

export const unsupportedInSteps = (
  steps: ReadonlyArray<NewStep | DesiredStep>,
  capabilities: Capabilities,
  prefix = "steps"
): ReadonlyArray<Finding> =>
  findings({ name: "-", active: false, steps }, capabilities, (path) =>
    prefix === "steps" ? path : path.replace(/^steps\[0\]/, prefix).replace(/^steps$/, prefix)
  )

export const unsupportedInPatch = (
  patch: SequencePatch,
  capabilities: Capabilities
): ReadonlyArray<Finding> =>
  findings(
    { ...patch, name: patch.name ?? "-", active: patch.active ?? false, steps: [] },
    capabilities,
    (p) => p
  )

export const unsupportedInStepPatch = (
  patch: StepPatch,
  capabilities: Capabilities
): ReadonlyArray<Finding> => {
  const email = patch.email
  const step: NewStep = {
    delay: patch.delay ?? { value: 1, unit: "days" },
    type: patch.type ?? "email",
    published: patch.published ?? false,
    ...(patch.sendDays == null ? {} : { sendDays: patch.sendDays }),
    ...(patch.variants === undefined ? {} : { variants: patch.variants }),
    ...(patch.providerOptions === undefined ? {} : { providerOptions: patch.providerOptions }),
    ...(email == null
      ? {}
      : {
          email: {
            subject: email.subject ?? "-",
            html: email.html ?? "-",
            ...(email.previewText == null ? {} : { previewText: email.previewText }),
            ...(email.templateId == null ? {} : { templateId: email.templateId }),
            ...(email.sender == null ? {} : { sender: email.sender }),
            ...(email.thread === undefined ? {} : { thread: email.thread })
          }
        })
  }
  return unsupportedInSteps([step], capabilities, "patch")
}

/** Fails with `SequenceNotFound` when `option` is empty: for providers that answer "no such id" with nothing. */
export const orNotFound =
  (provider: ProviderId, operation: string, sequenceId: string) =>
  <A>(option: Option.Option<A>): Effect.Effect<A, SequenceNotFound> =>
    Option.match(option, {
      onNone: () => Effect.fail(new SequenceNotFound({ provider, operation, sequenceId })),
      onSome: Effect.succeed
    })
