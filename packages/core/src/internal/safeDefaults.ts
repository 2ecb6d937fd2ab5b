/**
 * The safe defaults for writes that reach real people, in one place. Unless asked to activate:
 * what a run creates is inactive and unpublished; what already exists on the target keeps its live
 * state — a run never turns a sequence on or off, nor publishes, unpublishes, approves or
 * un-approves an email, behind the user's back. With `activate`, the desired state is written as it
 * is, off as well as on: that is the user asking for it.
 */
import type { NewSequence, Sequence } from "../Sequence.js"

export const safeDefaults = (
  desired: NewSequence,
  /** The target as it is, when it exists and was read; `undefined` for a new one. */
  actual: Sequence | undefined,
  activate: boolean
): NewSequence =>
  activate
    ? desired
    : {
        ...desired,
        active: actual?.active === true,
        steps: desired.steps.map((step, i) => {
          const live = actual?.steps[i]
          return {
            ...step,
            published: live?.published === true,
            ...(step.variants === undefined
              ? {}
              : {
                  variants: step.variants.map((variant, j) => ({
                    ...variant,
                    published: live?.variants?.[j]?.published === true
                  }))
                })
          }
        })
      }
