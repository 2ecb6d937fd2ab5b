/**
 * Global set-up of the conformance project, for the reliability tests:
 * - an empty directory where the first test file that runs the CLI as a process builds the executable
 *   once for the whole run (`cli.ts`), removed at the end. It is under this project's `node_modules`,
 *   as an installed executable is: the SQL drivers the executable leaves out of its bundle are found
 *   from there;
 * - one PostgreSQL server for every file that journals to PostgreSQL (each test makes its own
 *   database on it: `journals.ts`), started in the background so that no test waits for it unless it
 *   needs it, and stopped at the end. Its URL, or why there is none, is written into that directory.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import * as Postgres from "@unisequence/testing/Postgres"
import { Redacted } from "effect"
import type { TestProject } from "vitest/node"

const cache = NodePath.resolve(NodePath.dirname(fileURLToPath(import.meta.url)), "../node_modules/.cache")

export default function setup(project: TestProject) {
  NodeFs.mkdirSync(cache, { recursive: true })
  const dir = NodeFs.mkdtempSync(NodePath.join(cache, "unisequence-cli-"))
  project.provide("cliBuildDir", dir)
  const postgres = Postgres.available().ok
    ? Postgres.startAsync().then(
        (pg) => {
          NodeFs.writeFileSync(NodePath.join(dir, "postgres.url"), Redacted.value(pg.url), { mode: 0o600 })
          return pg
        },
        (error: unknown) => {
          NodeFs.writeFileSync(NodePath.join(dir, "postgres.failed"), String(error))
          return undefined
        }
      )
    : Promise.resolve(undefined)
  return async () => {
    await (await postgres)?.stop()
    NodeFs.rmSync(dir, { recursive: true, force: true })
  }
}
