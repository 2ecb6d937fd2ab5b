#!/usr/bin/env node
/**
 * The `unisequence` executable. Exit codes are documented in the package README.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { run } from "./Cli.js"

let code = 0

NodeRuntime.runMain(
  run(process.argv.slice(2)).pipe(
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
