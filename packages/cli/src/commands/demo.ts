/**
 * `unisequence demo`: a migration from Kit to Apollo on simulators started in this process (or on
 * the real accounts when both providers' keys are set). The demo module, and with it the
 * simulators, is imported only when this command runs.
 */
import { Effect } from "effect"
import type { Handler } from "../internal/context.js"
import { Reported } from "../internal/errors.js"

export const run = (_args: unknown): Handler =>
  Effect.promise(() => import("../demo/migrate.js")).pipe(
    Effect.flatMap((module) => module.demo),
    Effect.flatMap((code) => (code === 0 ? Effect.void : new Reported({ code })))
  )
