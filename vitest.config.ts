/**
 * The one Vitest configuration: each workspace with a `package.json` is a project named after its
 * package, sharing these settings. `pnpm test` runs them all in one Vitest process (one worker pool
 * for the whole machine, each dependency transformed once); `vitest run` in a package's folder
 * (its `pnpm test`, or turbo) finds this file and runs that package's project alone.
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
 * The order files start in: those Vitest has no timing for (a fresh clone, a new file) first, largest
 * first; then the others, failed first, then longest first. Vitest's own order is the same but for two
 * things: it compares a file without timing by size with every other file, whatever their timings (an
 * order that depends on the sort's steps), and by its own size: a test file whose scenario lives in a
 * module beside it (`test/reliability/faults.ts`, `crash.ts`) is a few lines long and would start last
 * though it runs longest. Here its size counts the local modules it imports.
 */
class Sequencer extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const cache = this.ctx.cache
    const rows = files.map((spec) => ({
      spec,
      timed: cache.getFileTestResults(
        `${spec.project.name}:${NodePath.relative(this.ctx.config.root, spec.moduleId)}`
      ),
      weight: weightOf(spec.moduleId)
    }))
    return rows
      .sort((a, b) => {
        if (a.timed === undefined || b.timed === undefined)
          return a.timed !== undefined ? 1 : b.timed !== undefined ? -1 : b.weight - a.weight
        if (a.timed.failed !== b.timed.failed) return a.timed.failed ? -1 : 1
        return b.timed.duration - a.timed.duration
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
    projects: (here.length > 0 ? here : workspaces).map((dir) => ({
      extends: true,
      test: {
        name: nameOf(dir),
        root: NodePath.join(root, dir),
        include: ["**/*.test.ts"],
        // The reliability tests share one build of the CLI's executable (test/reliability/cli.ts).
        ...(dir === "test" ? { globalSetup: ["./reliability/setup.ts"] } : {})
      }
    }))
  }
})
