/**
 * The one Vitest configuration. `pnpm test` runs every workspace's tests (each workspace with a
 * `package.json`) in one Vitest process, in the projects of `together` below. `vitest run` in a
 * package's folder (its `pnpm test`, or turbo) finds this file and runs that workspace alone, as a
 * project named after its package.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { defineConfig } from "vitest/config"
import { BaseSequencer, type TestSpecification } from "vitest/node"

const root = import.meta.dirname

const workspaces = [
  ...NodeFs.readdirSync(NodePath.join(root, "packages")).map((name) => `packages/${name}`),
  "test",
  "examples",
  "bench",
  "docs"
].filter((dir) => NodeFs.existsSync(NodePath.join(root, dir, "package.json")))

/**
 * The projects of a whole run: one. Vitest runs projects one after another, draining its workers and
 * starting them anew between them: with a project per workspace a core idled at the end of each, and
 * every worker loaded Effect and the packages again for each. (Core's and Apollo's tests had projects
 * of their own for a while: their `TestClock` tests, run in a worker after the migration tests, found
 * another file's test clock. The cause was @effect/vitest's `layer(...)`, which assigns its runtime
 * onto the shared `it`; no test uses it now: test/migration/migration.test.ts says more.)
 */
const together: ReadonlyArray<ReadonlyArray<string>> = [workspaces]

/** Started in a workspace's folder: that workspace only. */
const here = workspaces.filter((dir) => NodePath.join(root, dir) === process.cwd())

const nameOf = (dir: string): string => {
  const manifest: unknown = JSON.parse(NodeFs.readFileSync(NodePath.join(root, dir, "package.json"), "utf8"))
  const name =
    typeof manifest === "object" && manifest !== null && "name" in manifest ? manifest.name : undefined
  return typeof name === "string" ? name : dir
}

/** A file's size with the sizes of the modules beside it that it imports (`./name.js`), one level deep. */
const weightOf = (file: string): number => {
  const text = NodeFs.readFileSync(file, "utf8")
  let weight = text.length
  for (const [, name] of text.matchAll(/from "\.\/([\w.-]+)\.js"/g)) {
    const local = NodePath.join(NodePath.dirname(file), `${name}.ts`)
    if (NodeFs.existsSync(local)) weight += NodeFs.statSync(local).size
  }
  return weight
}

/**
 * What earlier runs took per file, in seconds (`test/durations.json`, written by
 * `UNISEQUENCE_RECORD_DURATIONS=1 pnpm test`). A fresh clone has no timings of Vitest's own, and
 * without them the longest files (a few lines that import their scenario, or a test that compiles the
 * docs' examples in a child process) would start last and leave one worker idle at the end.
 */
const recorded: Readonly<Record<string, number>> = (() => {
  const file = NodePath.join(root, "test", "durations.json")
  if (!NodeFs.existsSync(file)) return {}
  const parsed: unknown = JSON.parse(NodeFs.readFileSync(file, "utf8"))
  if (typeof parsed !== "object" || parsed === null) return {}
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === "number")
  )
})()

/**
 * The order files start in, longest first: by Vitest's timing of the file when it has one, else by the
 * recorded one; files with neither (new ones) first, largest first, counting the local modules they
 * import (a test file whose scenario lives beside it is a few lines long). Failed files first of all.
 */
class Sequencer extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const cache = this.ctx.cache
    const rows = files.map((spec) => {
      const path = NodePath.relative(root, spec.moduleId).split(NodePath.sep).join("/")
      const timed = cache.getFileTestResults(
        `${spec.project.name}:${NodePath.relative(this.ctx.config.root, spec.moduleId)}`
      )
      return {
        spec,
        failed: timed?.failed === true,
        duration: timed?.duration ?? (recorded[path] === undefined ? undefined : recorded[path] * 1000),
        weight: weightOf(spec.moduleId)
      }
    })
    return rows
      .sort((a, b) => {
        if (a.failed !== b.failed) return a.failed ? -1 : 1
        if (a.duration === undefined || b.duration === undefined)
          return a.duration !== undefined ? 1 : b.duration !== undefined ? -1 : b.weight - a.weight
        return b.duration - a.duration
      })
      .map((row) => row.spec)
  }
}

/** Where `pnpm test` (test/report.mjs) asks for the JSON report behind its one total line. */
const report = process.env.UNISEQUENCE_TEST_REPORT

export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", "**/dist/**", "**/.tsbuild/**"],
    // A limit for a hung test, not a performance bound: no test waits on the clock.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // As many test files at once as there are cores: the simulators run in the test's own process, so
    // a test is as much CPU as waiting; more files at once only slow each one down.
    maxWorkers: NodeOs.availableParallelism(),
    minWorkers: 1,
    // A worker runs file after file with the modules it already loaded: loading Effect, the platform
    // and the adapters again for each of ~75 files cost more CPU than most tests (the core and Kit
    // tests: 36 s of CPU isolated, 16 s not). No test leaves global state behind: each file starts
    // its own simulators and restores what it changes (the working directory, a console spy).
    isolate: false,
    sequence: { sequencer: Sequencer },
    reporters: report === undefined ? ["default"] : ["default", ["json", { outputFile: report }]],
    projects: (here.length > 0 ? here.map((dir) => [dir]) : together).map((dirs) => ({
      extends: true,
      test: {
        name: dirs.length === 1 ? nameOf(dirs[0] ?? "") : "unisequence",
        root: dirs.length === 1 ? NodePath.join(root, dirs[0] ?? "") : root,
        include: dirs.length === 1 ? ["**/*.test.ts"] : dirs.map((dir) => `${dir}/**/*.test.ts`),
        // The reliability tests share one build of the CLI's executable (test/reliability/cli.ts).
        ...(dirs.includes("test")
          ? { globalSetup: [dirs.length === 1 ? "./reliability/setup.ts" : "./test/reliability/setup.ts"] }
          : {})
      }
    }))
  }
})
