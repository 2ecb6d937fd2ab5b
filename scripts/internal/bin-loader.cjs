#!/usr/bin/env node
// The `unisequence` executable: loads one of two bundles of the command, with V8's code cache.
// `demo` loads the bundle that holds the demo and the simulators; every other command loads the
// bundle without them. The first run of a bundle saves V8's compiled code for it (in a directory of
// this user's under the OS temporary directory, as Node's own compile cache does); later runs skip
// parsing and compiling the bundle, which is most of the start-up time. V8 rejects a cache made for
// other source or flags, and the run then goes on without it. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
// A CommonJS script (bin/package.json says so): an ES module entry would start Node's ESM loader,
// which costs 2 MB of memory and nothing else here.
"use strict"
const fs = require("node:fs")
const Module = require("node:module")
const os = require("node:os")
const path = require("node:path")
const v8 = require("node:v8")
const vm = require("node:vm")

const file = path.join(__dirname, process.argv[2] === "demo" ? "__DEMO__" : "__MAIN__")
// The bundle is written already wrapped as a CommonJS module function (scripts/internal/bundle.mjs):
// compiled as read, with no copy of its megabytes made to strip a hashbang or to wrap it.
const source = fs.readFileSync(file, "utf8")

/** This user's cache directory, or undefined when it cannot be made private to them. */
const cacheDir = () => {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the installed executable, not a turbo task
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined
  try {
    const uid = typeof process.getuid === "function" ? process.getuid() : undefined
    const dir = path.join(os.tmpdir(), `unisequence-compile-cache-${uid ?? os.userInfo().username}`)
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    const stat = fs.statSync(dir)
    // Code from the cache runs as this user: use only a directory nobody else can write.
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) return undefined
    return dir
  } catch {
    return undefined
  }
}
const dir = cacheDir()
const cacheFile =
  dir === undefined
    ? undefined
    : path.join(dir, `${path.basename(file)}-${process.version}-${source.length}.bin`)
let cachedData
if (cacheFile !== undefined) {
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {}
}
const script = new vm.Script(source, {
  filename: file,
  ...(cachedData === undefined ? {} : { cachedData }),
  importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
})
// The cache's bytes are V8's now; holding them would only raise the peak memory.
const fresh = cachedData === undefined || script.cachedDataRejected
cachedData = undefined

// Start-up runs with two V8 settings of its own, and a command gets V8's defaults back once its
// module is loaded (it calls the function registered below). Until then the process evaluates the
// bundle and parses the command line, or prints help or a usage error, in a tenth of a second, and
// much of what it allocates lives to the end (modules, the command tree). Measured on `--help`
// (bench/README.md, benchmark 7):
// - The young generation keeps its first size (semi-spaces of 1 MB): V8 doubles it as objects
//   survive, up to 16 MB, which here only copies them once more before they are promoted; 5-6 MB of
//   peak memory. V8 reads the growth factor each time it would grow the space, so setting it now
//   takes effect (a size, such as --max-semi-space-size, is read once at start: it would not), and 1
//   keeps the size. (A later V8 may hold the factor at 2 or more; this then changes nothing.)
// - No TurboFan: a run this short gains nothing from optimised code, and the compilations it would
//   start raise the peak memory by 10 MB and take CPU from the run. V8 reads the flag each time a
//   function gets hot.
// Each is left alone when the user sets it, or a flag it depends on, for Node. V8 refuses a code cache
// made under other flags: the cache was checked above, before these, and is written after the
// defaults are back.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the installed executable, not a turbo task
const nodeFlags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""]
const startupFlags = [
  { during: "--semi-space-growth-factor=1", after: "--semi-space-growth-factor=2", user: /semi[-_]space/ },
  { during: "--no-turbofan", after: "--turbofan", user: /turbofan|\bopt\b|jitless/ }
].filter(({ user }) => !nodeFlags.some((arg) => user.test(arg)))
let started = false
const commandStarts = () => {
  if (started) return
  started = true
  for (const flag of startupFlags) v8.setFlagsFromString(flag.after)
}
for (const flag of startupFlags) v8.setFlagsFromString(flag.during)
globalThis[Symbol.for("@unisequence/cli/commandStarts")] = commandStarts

if (cacheFile !== undefined && fresh) {
  // After the command has run, so that the functions it compiled are in the cache too.
  process.once("exit", () => {
    commandStarts()
    try {
      const temporary = `${cacheFile}.${process.pid}`
      fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 })
      fs.renameSync(temporary, cacheFile)
    } catch {}
  })
}
const bundle = { exports: {} }
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, __dirname)
