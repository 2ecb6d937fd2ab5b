/**
 * What the command prints, whatever the command: a usage error once, no escape sequences off a
 * terminal or under `NO_COLOR`, `verify` without credentials exits 3, a sequence file's errors one
 * line per real problem, and every flag the commands define is in the README.
 */
import { KitSimulator } from "@unisequence/testing"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "./run.js"
import { colorWanted, stripAnsi } from "../src/internal/console.js"

const escape = String.fromCharCode(27)

const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}, color = false) =>
  runCli(args, env, { color })

let sim: KitSimulator.KitSimulator
let tmp: string
beforeAll(async () => {
  sim = await KitSimulator.startAsync()
  tmp = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-cli-output-"))
})
afterAll(async () => {
  await sim.close()
  NodeFs.rmSync(tmp, { recursive: true, force: true })
})

describe("output", () => {
  it("verify with no credentials exits 3, as the README says", async () => {
    const [text, doc] = await Promise.all([cli(["verify"]), cli(["verify", "--json"])])
    expect(text.code).toBe(3)
    expect(text.stderr.trim().split("\n")).toEqual([
      "error: no credentials set: export KIT_API_KEY (or KIT_OAUTH_TOKEN) and/or APOLLO_API_KEY"
    ])
    expect(doc.code).toBe(3)
    expect(JSON.parse(doc.stdout)).toMatchObject({ error: { _tag: "NoCredentials", exitCode: 3 } })
  })

  it("a usage error is printed once", async () => {
    for (const args of [["list", "--provider", "mailchimp"], ["list"], ["nonsense"]]) {
      const ran = await cli(args)
      expect(ran.code).toBe(2)
      expect(ran.stdout).toBe("")
      expect(ran.stderr.trim().split("\n")).toHaveLength(1)
      expect(ran.stderr).toMatch(/^error: /)
    }
  })

  it("help has no escape sequences off a terminal, and colour on one", async () => {
    const [plain, coloured] = await Promise.all([cli(["--help"], {}, false), cli(["--help"], {}, true)])
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain("USAGE")
    expect(plain.stdout).not.toContain(escape)
    expect(coloured.stdout).toContain(escape)
    expect(stripAnsi(coloured.stdout)).toBe(plain.stdout)
  })

  it("colour only on a terminal without NO_COLOR", () => {
    expect(colorWanted(true, {})).toBe(true)
    expect(colorWanted(false, {})).toBe(false)
    expect(colorWanted(true, { NO_COLOR: "1" })).toBe(false)
    // An empty NO_COLOR is no request (no-color.org).
    expect(colorWanted(true, { NO_COLOR: "" })).toBe(true)
    expect(stripAnsi(`${escape}[0;1mUSAGE${escape}[0m ${escape}[2K`)).toBe("USAGE ")
  })

  it("a sequence file's errors are one line per real problem", async () => {
    const file = NodePath.join(tmp, "small.yaml")
    NodeFs.writeFileSync(
      file,
      `version: 1
sequences:
  - name: Small
    colour: red
    steps:
      - delay: 2 fortnights
        email: { subject: 3, html: "<p>Hi</p>" }
`
    )
    const ran = await cli(["plan", "-f", file, "--provider", "kit"], {
      KIT_API_KEY: "kit_test_key",
      KIT_BASE_URL: sim.url
    })
    expect(ran.code).toBe(2)
    const lines = ran.stderr.trim().split("\n")
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/small\.yaml:4:\d+: sequences\[0\]\.colour: is unexpected/)
    expect(lines[1]).toMatch(/small\.yaml:6:\d+: sequences\[0\]\.steps\[0\]\.delay: expected a delay such as/)
    expect(lines[2]).toMatch(
      /small\.yaml:7:\d+: sequences\[0\]\.steps\[0\]\.email\.subject: Expected string, actual 3/
    )
    expect(ran.stderr).not.toContain("Expected undefined")
  })
})

describe("README", () => {
  const dir = NodePath.resolve(import.meta.dirname, "..")
  const readme = NodeFs.readFileSync(NodePath.join(dir, "README.md"), "utf8")
  const sources = (folder: string): ReadonlyArray<string> =>
    NodeFs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sources(NodePath.join(folder, entry.name))
        : entry.name.endsWith(".ts")
          ? [NodeFs.readFileSync(NodePath.join(folder, entry.name), "utf8")]
          : []
    )
  const code = sources(NodePath.join(dir, "src")).join("\n")
  const flags = [
    ...code.matchAll(
      /Options\.(?:boolean|text|choice|integer|float|date|file|directory|keyValueMap|redacted|secret)\("([a-z][a-z-]*)"/g
    )
  ].map((m) => `--${m[1]}`)
  const aliases = [...code.matchAll(/Options\.withAlias\("([a-z])"\)/g)].map((m) => `-${m[1]}`)

  it("names every flag and short form the commands define", () => {
    expect(flags).toContain("--portable")
    expect(flags.length).toBeGreaterThan(10)
    const missing = [...new Set([...flags, ...aliases])].filter(
      (flag) => !new RegExp(`\`[^\`]*${flag}\\b`).test(readme)
    )
    expect(missing).toEqual([])
  })
})
