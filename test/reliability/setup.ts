/**
 * Global set-up of the conformance project: an empty directory where the first test file that runs
 * the CLI as a process builds the executable once for the whole run (`cli.ts`), removed at the end.
 * It is under this project's `node_modules`, as an installed executable is: the SQL drivers the
 * executable leaves out of its bundle are found from there.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import type { TestProject } from "vitest/node"

const cache = NodePath.resolve(NodePath.dirname(fileURLToPath(import.meta.url)), "../node_modules/.cache")

export default function setup(project: TestProject) {
  NodeFs.mkdirSync(cache, { recursive: true })
  const dir = NodeFs.mkdtempSync(NodePath.join(cache, "unisequence-cli-"))
  project.provide("cliBuildDir", dir)
  return () => NodeFs.rmSync(dir, { recursive: true, force: true })
}
