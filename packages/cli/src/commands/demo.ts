/**
 * `unisequence demo`: a migration from Kit to Apollo on simulators started in this process (or on
 * the real accounts when both providers' keys are set). The demo module, and with it the
 * simulators, is imported only when this command runs.
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import { Reported } from "../internal/errors.js"

export const demo = Command.make("demo", {}, () =>
  Effect.promise(() => import("../demo/migrate.js")).pipe(
    Effect.flatMap((module) => module.demo),
    Effect.flatMap((code) => (code === 0 ? Effect.void : new Reported({ code })))
  )
).pipe(
  Command.withDescription(
    "Migrate Kit to Apollo on local simulators, start to finish (on the real accounts when both keys are set)"
  )
)
