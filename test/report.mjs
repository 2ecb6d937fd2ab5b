// `pnpm test`: runs every package's tests through turbo, then prints one total line for all of them.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const workspaces = [
  "packages/core",
  "packages/testing",
  "packages/kit",
  "packages/apollo",
  "packages/sql",
  "packages/cli",
  "packages/client",
  "test",
  "examples",
  "bench",
  "docs"
]
for (const dir of workspaces) rmSync(join(root, dir, ".vitest"), { recursive: true, force: true })

const run = spawnSync(
  "pnpm",
  ["exec", "turbo", "run", "test", "--concurrency=2", "--continue", "--force", ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" }
  }
)

let passed = 0
let failed = 0
let skipped = 0
const missing = []
for (const dir of workspaces) {
  const file = join(root, dir, ".vitest", "report.json")
  if (!existsSync(file)) {
    missing.push(dir)
    continue
  }
  const report = JSON.parse(readFileSync(file, "utf8"))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(", ")}`)
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(run.status === 0 && missing.length === 0 ? 0 : 1)
