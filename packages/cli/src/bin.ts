#!/usr/bin/env node
/**
 * The `unisequence` executable. Exit codes are documented in the package README.
 *
 * Subpath imports keep the bundle to what the command runs.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { run } from "./Cli.js"

const args = process.argv.slice(2)

const main = () => {
  let code = 0
  NodeRuntime.runMain(
    run(args).pipe(
      Effect.tap((exitCode) =>
        Effect.sync(() => {
          code = exitCode
        })
      ),
      Effect.provide(NodeContext.layer)
    ),
    {
      disableErrorReporting: true,
      // A signal or a defect outside `run` still exits non-zero.
      teardown: (exit, onExit) => onExit(exit._tag === "Success" ? code : 1)
    }
  )
}

if (args[0] === "demo") {
  // A demo module that runs when imported is the demo; one that exports `demo` is run by the
  // command's own `demo`.
  import("./demo/migrate.js").then((module) => {
    if ("demo" in module) main()
  })
} else {
  main()
}
