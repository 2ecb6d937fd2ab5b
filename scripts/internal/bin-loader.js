#!/usr/bin/env node
// The `unisequence` executable: loads one of two bundles of the command, with V8's code cache.
// `demo` loads the bundle that holds the demo and the simulators; every other command loads the
// bundle without them. The first run of a bundle saves V8's compiled code for it (in a directory of
// this user's under the OS temporary directory, as Node's own compile cache does); later runs skip
// parsing and compiling the bundle, which is most of the start-up time. V8 rejects a cache made for
// other source or flags, and the run then goes on without it. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import * as fs from "node:fs"
import Module from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"

const here = path.dirname(fileURLToPath(import.meta.url))
const file = path.join(here, process.argv[2] === "demo" ? "__DEMO__" : "__MAIN__")
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
if (cacheFile !== undefined && fresh) {
  // After the command has run, so that the functions it compiled are in the cache too.
  process.once("exit", () => {
    try {
      const temporary = `${cacheFile}.${process.pid}`
      fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 })
      fs.renameSync(temporary, cacheFile)
    } catch {}
  })
}
const module = { exports: {} }
script.runInThisContext()(module.exports, Module.createRequire(file), module, file, here)
