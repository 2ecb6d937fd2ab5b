#!/usr/bin/env node
/**
 * The `unisequence` executable. Exit codes are documented in the package README.
 *
 * Subpath imports keep the bundle to what the command runs. The installed executable is a loader
 * that runs a bundle of this file (scripts/internal/bundle.mjs): `demo` gets the bundle with the
 * demo and the simulators, every other command the bundle without them.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { run } from "./Cli.js"

// What the command uses of the platform: files, paths and a terminal. NodeContext.layer would add a
// process spawner and a worker manager, whose modules start-up would load for nothing.
const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

let code = 0

NodeRuntime.runMain(
  run(process.argv.slice(2)).pipe(
    Effect.tap((exitCode) =>
      Effect.sync(() => {
        code = exitCode
      })
    ),
    Effect.provide(platform)
  ),
  {
    disableErrorReporting: true,
    // A signal or a defect outside `run` still exits non-zero.
    teardown: (exit, onExit) => onExit(exit._tag === "Success" ? code : 1)
  }
)
