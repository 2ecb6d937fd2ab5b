// `pnpm test`: every workspace's tests in one Vitest run (the projects of vitest.config.ts), then one
// total line. One process with one worker pool is quicker on a small machine than a Vitest per package:
// each package's start-up and the transform of the dependencies they share are paid once.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative, sep } from "node:path"

const root = new URL("..", import.meta.url).pathname
const report = join(root, ".vitest", "report.json")
rmSync(report, { force: true })

// Vitest's own bin, started by this Node (not through `pnpm exec`, which costs a second Node start).
const run = spawnSync(
  process.execPath,
  [join(root, "node_modules/vitest/vitest.mjs"), "run", ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, UNISEQUENCE_TEST_REPORT: report }
  }
)

if (!existsSync(report)) {
  console.log("\nno test report: Vitest did not finish")
  process.exit(1)
}
const results = JSON.parse(readFileSync(report, "utf8"))

// Every workspace with test files must have reported some, so that a project left out cannot pass unseen.
const workspaces = [
  ...readdirSync(join(root, "packages")).map((name) => `packages/${name}`),
  "test",
  "examples",
  "bench",
  "docs"
].filter((dir) => existsSync(join(root, dir, "package.json")))
const reported = new Set(
  results.testResults.map((file) => {
    const parts = relative(root, file.name).split(sep)
    return parts[0] === "packages" ? `${parts[0]}/${parts[1]}` : parts[0]
  })
)
const filtered = process.argv.length > 2
const missing = filtered ? [] : workspaces.filter((dir) => hasTests(join(root, dir)) && !reported.has(dir))

function hasTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).some((entry) =>
    entry.isDirectory()
      ? !["node_modules", "dist", ".tsbuild"].includes(entry.name) && hasTests(join(dir, entry.name))
      : entry.name.endsWith(".test.ts")
  )
}

if (missing.length > 0) console.log(`no test results from: ${missing.join(", ")}`)

// `UNISEQUENCE_RECORD_DURATIONS=1 pnpm test`: each file's time, for the order files start in on a clone
// that has no timings of Vitest's own (vitest.config.ts). Only a whole run that passed is recorded.
if (
  process.env.UNISEQUENCE_RECORD_DURATIONS === "1" &&
  !filtered &&
  run.status === 0 &&
  missing.length === 0
) {
  const durations = Object.fromEntries(
    results.testResults
      .map((file) => [
        relative(root, file.name).split(sep).join("/"),
        Math.round((file.endTime - file.startTime) / 100) / 10
      ])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  )
  writeFileSync(join(root, "test", "durations.json"), `${JSON.stringify(durations, null, 2)}\n`)
  console.log("file durations recorded in test/durations.json")
}
const skipped = results.numPendingTests + results.numTodoTests
console.log(`\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`)
process.exit(run.status === 0 && missing.length === 0 ? 0 : 1)
