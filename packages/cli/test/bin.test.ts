/**
 * The installed executable, bundled as `pnpm build` bundles it (scripts/bundle-cli.mjs) and run as a
 * process: its help is the command tree's, and V8's code cache one run writes is taken by the next
 * whatever the command (the loader changes V8 flags during start-up; V8 refuses a cache made under
 * other flags, and the loader then writes it again, so a refused cache shows as a new file).
 */
import { Executable } from "@unisequence/testing"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "./run.js"

const root = NodePath.resolve(import.meta.dirname, "../../..")
const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-bin-test-"))
const out = NodePath.join(dir, "build")
const tmp = NodePath.join(dir, "tmp")
const bin = NodePath.join(out, "bin", "unisequence.js")

/** The executable with only `TMPDIR` set (no key), its code cache in this test's own directory. */
const run = (...args: ReadonlyArray<string>) =>
  Executable.run([bin, ...args], { cwd: dir, env: { TMPDIR: tmp } })

const cacheFiles = () => {
  const caches = NodeFs.readdirSync(tmp).map((name) => NodePath.join(tmp, name))
  return caches.flatMap((cache) => NodeFs.readdirSync(cache).map((name) => NodePath.join(cache, name)))
}

beforeAll(async () => {
  NodeFs.mkdirSync(tmp)
  const built = await Executable.run([NodePath.join(root, "scripts/bundle-cli.mjs"), out], { cwd: root })
  expect(built.code, built.stderr).toBe(0)
})

afterAll(() => {
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

describe("the bundled executable", () => {
  it("is a CommonJS script in an ES module package", () => {
    expect(JSON.parse(NodeFs.readFileSync(NodePath.join(out, "bin", "package.json"), "utf8"))).toEqual({
      type: "commonjs"
    })
  })

  it("prints the help Cli.run renders from the command tree", async () => {
    const ran = await run("--help")
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toBe((await runCli(["--help"])).stdout)
    expect(ran.stdout).toContain("unisequence 0.1.0")
  })

  it("writes V8's code cache once, and every later run takes it: help, a failed command, the version", async () => {
    // The help above wrote it.
    const [cache] = cacheFiles()
    expect(cacheFiles()).toHaveLength(1)
    const written = NodeFs.statSync(cache!)
    const missingKey = await run("list", "--provider", "kit")
    // A failure: the run's exit code, stdout empty, one error line.
    expect(missingKey.code).toBe(3)
    expect(missingKey.stdout).toBe("")
    expect(missingKey.stderr).toBe("error: no kit credentials: set KIT_API_KEY or KIT_OAUTH_TOKEN\n")
    expect((await run("--help")).code).toBe(0)
    expect((await run("--version")).code).toBe(0)
    expect(cacheFiles()).toEqual([cache])
    const after = NodeFs.statSync(cache!)
    expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
  })
})
