#!/usr/bin/env node
// The pack test: what a user gets from npm. Builds and packs every public package, checks each
// tarball with publint --strict and @arethetypeswrong/cli (esm-only), installs the tarballs with npm
// into a fresh app outside the repository WITHOUT naming effect (npm installs the peers: Effect 3),
// then there: type-checks and runs a strict TypeScript program on the Effect API and the Promise API
// (scripts/pack-test/program.ts) against the simulators, runs a plain .mjs file on the Promise API
// (promise.mjs), runs a Vitest test (simulator.test.ts), and runs the CLI bin: --help, a missing key
// (exit 3), the demo. To cover a new package or module, extend these files. Needs the npm registry. Fails on the first problem, with its output.
//
//   node scripts/pack-test.mjs [--keep]      (--keep leaves the temporary app in place)
import { spawnSync } from "node:child_process"
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { publishProblems, readJson, root } from "./internal/manifest.mjs"

const keep = process.argv.includes("--keep")
const started = Date.now()
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`
const step = (message) => console.log(`[pack-test ${seconds()}] ${message}`)

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  const expected = options.status ?? 0
  if (result.status !== expected) {
    console.error(output)
    console.error(`pack-test: \`${command} ${args.join(" ")}\` exited ${result.status}, expected ${expected}`)
    process.exit(1)
  }
  return { stdout: result.stdout ?? "", output }
}
const expectIn = (output, text, what) => {
  if (!output.includes(text)) {
    console.error(output)
    console.error(`pack-test: ${what}: expected the output to contain ${JSON.stringify(text)}`)
    process.exit(1)
  }
}

// ---- the public packages: every workspace package under packages/ that is not private ----
const packages = readdirSync(join(root, "packages"))
  .map((name) => ({
    dir: join(root, "packages", name),
    manifest: readJson(join(root, "packages", name, "package.json"))
  }))
  .filter(({ manifest }) => manifest.private !== true)
step(`packages: ${packages.map((p) => p.manifest.name).join(", ")}`)

step("build (turbo; cached when nothing changed)")
run("pnpm", [
  "exec",
  "turbo",
  "run",
  "build",
  "--output-logs=errors-only",
  ...packages.map((p) => `--filter=${p.manifest.name}`)
])

// ---- the guard: packing the workspace manifest with npm must fail ----
// As a user runs it from a terminal: without the npm_* variables of the pnpm script running this
// test, which npm would read as its own configuration (its user agent among them).
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("npm_")))
const guard = spawnSync("npm", ["pack", "--dry-run"], {
  cwd: packages[0].dir,
  encoding: "utf8",
  env: userEnv
})
if (guard.status === 0 || !guard.stderr.includes("refusing to pack the workspace manifest")) {
  console.error(guard.stdout, guard.stderr)
  console.error("pack-test: npm pack of a workspace manifest was not refused")
  process.exit(1)
}
step("npm pack of a workspace manifest is refused")

const work = mkdtempSync(join(tmpdir(), "unisequence-pack-"))
const tarballs = join(work, "tarballs")
mkdirSync(tarballs)
const packed = []
for (const { dir, manifest } of packages) {
  const directory = join(dir, manifest.publishConfig.directory)
  const problems = publishProblems(readJson(join(directory, "package.json")))
  if (problems.length > 0) {
    console.error(`pack-test: ${manifest.name}: ${problems.join("; ")}`)
    process.exit(1)
  }
  const [info] = JSON.parse(run("npm", ["pack", directory, "--json", "--pack-destination", tarballs]).stdout)
  if (info.files.some((file) => file.path.startsWith("src/"))) {
    console.error(`pack-test: ${manifest.name} ships src/`)
    process.exit(1)
  }
  packed.push({
    name: manifest.name,
    file: join(tarballs, info.filename),
    size: info.size,
    count: info.entryCount
  })
}
for (const p of packed) step(`packed ${p.name}: ${p.count} files, ${(p.size / 1024).toFixed(0)} KB`)

// ---- publint --strict and attw --profile esm-only on every tarball: nothing reported ----
const { publint } = await import("publint")
const { formatMessage } = await import("publint/utils")
for (const p of packed) {
  const tarball = readFileSync(p.file)
  const { messages, pkg } = await publint({
    pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
    strict: true
  })
  if (messages.length > 0) {
    for (const m of messages) console.error(`  ${m.type}: ${formatMessage(m, pkg)}`)
    console.error(`pack-test: publint --strict reported ${messages.length} message(s) on ${p.name}`)
    process.exit(1)
  }
}
step("publint --strict: no message on any tarball")
const attwBin = join(root, "node_modules/@arethetypeswrong/cli/dist/index.js")
for (const p of packed) {
  const attw = spawnSync(process.execPath, [attwBin, p.file, "--profile", "esm-only", "--format", "ascii"], {
    cwd: root,
    encoding: "utf8"
  })
  // Exit 0: no problem in the resolutions the esm-only profile checks (node16 from ESM, bundler);
  // the profile ignores node10 and node16 from CommonJS, which an ESM-only package cannot serve.
  if (attw.status !== 0) {
    console.error(attw.stdout, attw.stderr)
    console.error(`pack-test: attw --profile esm-only found problems in ${p.name}`)
    process.exit(1)
  }
}
step("attw --profile esm-only: no problem on any tarball (exit 0 each)")

// ---- a fresh app: npm install of the tarballs, effect not named ----
const app = join(work, "app")
mkdirSync(app)
writeFileSync(
  join(app, "package.json"),
  `${JSON.stringify({ name: "packed-app", private: true, type: "module" }, null, 2)}\n`
)
for (const file of ["program.ts", "promise.mjs", "simulator.test.ts", "tsconfig.json"]) {
  copyFileSync(join(root, "scripts/pack-test", file), join(app, file))
}
const installStarted = Date.now()
run(
  "npm",
  [
    "install",
    "--no-audit",
    "--no-fund",
    ...packed.map((p) => p.file),
    "typescript@~5.9.3",
    "vitest@^3.2.4",
    "@types/node@^20.19.0"
  ],
  { cwd: app }
)
const effectVersion = readJson(join(app, "node_modules/effect/package.json")).version
if (!effectVersion.startsWith("3.")) {
  console.error(`pack-test: npm installed effect ${effectVersion}, not an Effect 3`)
  process.exit(1)
}
const copies = run("npm", ["ls", "effect", "--all", "--parseable"], { cwd: app }).stdout.trim().split("\n")
const distinct = new Set(copies.filter((line) => line.endsWith("/effect")))
if (distinct.size !== 1) {
  console.error(copies.join("\n"))
  console.error(`pack-test: ${distinct.size} copies of effect installed`)
  process.exit(1)
}
step(
  `npm install: ${((Date.now() - installStarted) / 1000).toFixed(0)} s, effect ${effectVersion} (one copy), nothing pinned`
)

run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: app })
step("tsc (strict, exactOptionalPropertyTypes, skipLibCheck false): no error")
const program = run(process.execPath, ["out/program.js"], { cwd: app })
const programLines = program.stdout.trim().split("\n")
for (const line of ["memory", "kit", "apollo", "promise memory", "promise apollo"]) {
  if (!programLines.includes(`${line}: 2 steps, listed true`)) {
    console.error(program.output)
    console.error(`pack-test: program: no line "${line}: 2 steps, listed true"`)
    process.exit(1)
  }
}
step(`program on the simulators: ${programLines.join("; ")}`)
const plain = run(process.execPath, ["promise.mjs"], { cwd: app })
for (const provider of ["memory", "kit"]) {
  expectIn(plain.output, `promise ${provider}: 1 step, listed true, not found caught true`, "promise.mjs")
}
step(`plain JavaScript on the Promise API: ${plain.stdout.trim().split("\n").join("; ")}`)
const vitest = run(
  process.execPath,
  [join(app, "node_modules/vitest/vitest.mjs"), "run", "simulator.test.ts"],
  { cwd: app }
)
expectIn(vitest.output, "1 passed", "vitest")
step("vitest against the Kit simulator: 1 passed")

// ---- the CLI bin, as installed ----
const bin = join(app, "node_modules/.bin/unisequence")
const bare = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(KIT|APOLLO)_/.test(name) && name !== "NODE_OPTIONS")
)
const help = run(bin, ["--help"], { cwd: app, env: bare })
for (const command of ["list", "migrate", "verify"]) expectIn(help.output, command, "unisequence --help")
step("unisequence --help: exit 0")
const missing = run(bin, ["list", "--provider", "kit"], { cwd: app, env: bare, status: 3 })
expectIn(missing.output, "KIT_API_KEY", "unisequence list without a key")
step(`unisequence list --provider kit without a key: exit 3 (${missing.output.trim()})`)
const demo = run(bin, ["demo"], { cwd: app, env: bare })
expectIn(demo.output, "Summary", "unisequence demo")
step("unisequence demo: exit 0, migration on the simulators finished")

if (keep) step(`kept ${work}`)
else rmSync(work, { recursive: true, force: true })
step("ok")
