// The CLI's executable, bundled and tree-shaken with esbuild (every Effect package declares
// `sideEffects`) into two CommonJS bundles and a loader (bin-loader.cjs, written as bin/unisequence.js,
// CommonJS by bin/package.json):
//   bin/unisequence.cjs       every command but the demo: the demo module is left out
//   bin/unisequence-demo.cjs  the same command with the demo, the simulators and their dependencies
// CommonJS, because V8's code cache (which the loader uses) is available to scripts, not to ES
// modules, on Node 20.
import { build } from "esbuild"
import { chmodSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const main = "unisequence.cjs"
const demo = "unisequence-demo.cjs"

/** Leaves the demo module (and so the simulators) out of the main bundle. */
const withoutDemo = {
  name: "without-demo",
  setup(build) {
    build.onResolve({ filter: /(^|\/)demo\/migrate\.js$/ }, (args) => ({
      path: args.path,
      namespace: "demo-elsewhere"
    }))
    build.onLoad({ filter: /.*/, namespace: "demo-elsewhere" }, () => ({
      contents: 'throw new Error("the demo is in unisequence-demo.cjs: run `unisequence demo`")',
      loader: "js"
    }))
  }
}

/**
 * The SQL drivers the journals use (`pg`; `better-sqlite3`, a native module that finds its binary
 * next to its own files) are not bundled: they are loaded from where they are installed, when a
 * `--journal postgres://…` or `sqlite:` run imports the SQL client that uses them. They are found
 * from the executable's directory (npm hoists them next to the package) or, failing that, next to
 * the Effect SQL package that depends on them (pnpm keeps them there).
 */
const drivers = { pg: "@effect/sql-pg", "better-sqlite3": "@effect/sql-sqlite-node" }
const installedDrivers = {
  name: "installed-drivers",
  setup(build) {
    build.onResolve({ filter: /^(pg|better-sqlite3)$/ }, (args) =>
      // The loader's own `require` of the driver stays a `require` at run time.
      args.namespace === "installed-driver"
        ? { path: args.path, external: true }
        : { path: args.path, namespace: "installed-driver" }
    )
    build.onLoad({ filter: /.*/, namespace: "installed-driver" }, (args) => ({
      contents: `const name = ${JSON.stringify(args.path)}, via = ${JSON.stringify(drivers[args.path])}
let loaded
try {
  loaded = require(name)
} catch (error) {
  if (error === null || typeof error !== "object" || error.code !== "MODULE_NOT_FOUND") throw error
  let from
  try {
    from = require.resolve(via)
  } catch {
    throw new Error(\`\${name} is not installed: install \${via} (which brings \${name}) to use this journal\`, { cause: error })
  }
  loaded = require("node:module").createRequire(from)(name)
}
module.exports = loaded`,
      loader: "js"
    }))
  }
}

const options = (dir) => ({
  absWorkingDir: dir,
  entryPoints: ["src/bin.ts"],
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  // Class and function names appear in errors and traces.
  keepNames: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  plugins: [installedDrivers]
})

/**
 * Rewrites a bundle as the CommonJS module function Node would wrap it in (without the entry's
 * hashbang, which is not JavaScript inside it), so that the loader compiles the file as read.
 */
const wrapAsModule = (file) => {
  const code = readFileSync(file, "utf8").replace(/^#!.*/, "")
  writeFileSync(file, `(function (exports, require, module, __filename, __dirname) {${code}\n})`)
}

export const bundleBin = async (dir, out) => {
  const bin = join(out, "bin")
  const built = [
    await build({ ...options(dir), outfile: join(bin, main), plugins: [withoutDemo, installedDrivers] }),
    await build({ ...options(dir), outfile: join(bin, demo) })
  ]
  const loader = readFileSync(new URL("./bin-loader.cjs", import.meta.url), "utf8")
    .replace("__MAIN__", main)
    .replace("__DEMO__", demo)
  for (const file of [main, demo]) wrapAsModule(join(bin, file))
  writeFileSync(join(bin, "unisequence.js"), loader)
  // The package is ESM; its executable is a CommonJS script, so that Node starts no ESM loader for it.
  writeFileSync(join(bin, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`)
  chmodSync(join(bin, "unisequence.js"), 0o755)
  for (const result of built) {
    for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
      console.log(`  ${file.replace(/^.*\/build\//, "")}  ${(bytes / 1024).toFixed(0)} KB`)
    }
  }
}
