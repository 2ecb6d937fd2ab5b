/**
 * The safe defaults for writes that reach real people, in one place: unless asked to activate,
 * nothing is turned on. A sequence is active, and an email or variant published (Kit) or approved
 * (Apollo), only where the target already has it so; a new target is inactive and unpublished.
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
        active: desired.active && actual?.active === true,
        steps: desired.steps.map((step, i) => {
          const live = actual?.steps[i]
          return {
            ...step,
            published: step.published && live?.published === true,
            ...(step.variants === undefined
              ? {}
              : {
                  variants: step.variants.map((variant, j) => ({
                    ...variant,
                    published: variant.published === true && live?.variants?.[j]?.published === true
                  }))
                })
          }
        })
      }
