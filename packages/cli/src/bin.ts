#!/usr/bin/env node
/**
 * The `unisequence` executable. Exit codes are documented in the package README.
 *
 * Subpath imports keep the bundle to what the command runs. The installed executable is a loader
 * that runs a bundle of this file (scripts/internal/bundle.mjs): `demo` gets the bundle with the
 * demo and the simulators, every other command the bundle without them.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
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
