// The package.json a package is published with, derived from its workspace package.json. Pure
// functions plus two readers, so `build-package.mjs --manifest` and the tests see the same result.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

export const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "")

export const readJson = (file) => JSON.parse(readFileSync(file, "utf8"))

/** Every workspace package's version by name, to replace `workspace:` ranges. */
export const workspaceVersions = () => {
  const versions = {}
  for (const name of readdirSync(join(root, "packages"))) {
    const manifest = readJson(join(root, "packages", name, "package.json"))
    versions[manifest.name] = manifest.version
  }
  return versions
}

/**
 * The public modules are the ones `src/index.ts` re-exports (`export * as X from "./X.js"`, or
 * `export * from "./X.js"` for a flat API): the index is the API, and each of its modules is also
 * a subpath (`@unisequence/core/Sequence`).
 */
export const publicModules = (srcDir) => modulesOfIndex(readFileSync(join(srcDir, "index.ts"), "utf8"))

export const modulesOfIndex = (text) =>
  [...text.matchAll(/^export \* (?:as \w+ )?from "\.\/([A-Za-z0-9]+)\.js"/gm)].map((m) => m[1]).sort()

/** `workspace:^` → `^1.2.3`, `workspace:~` → `~1.2.3`, `workspace:*` → `1.2.3`, as pnpm publishes them. */
export const resolveRange = (name, range, versions) => {
  if (!range.startsWith("workspace:")) return range
  const version = versions[name]
  if (version === undefined) throw new Error(`${name}: ${range} names no workspace package`)
  const spec = range.slice("workspace:".length)
  if (spec === "^" || spec === "~") return `${spec}${version}`
  if (spec === "*" || spec === "") return version
  return spec
}

const resolveAll = (deps, versions) =>
  deps === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries(deps)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, range]) => [name, resolveRange(name, range, versions)])
      )

const entry = (name) => ({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` })

/** The manifest written to build/package.json. */
export const publishedManifest = (source, modules, versions) => {
  const exports = { "./package.json": "./package.json", ".": entry("index") }
  for (const name of modules) exports[`./${name}`] = entry(name)
  exports["./internal/*"] = null
  const bin =
    source.bin === undefined
      ? undefined
      : Object.fromEntries(Object.keys(source.bin).map((name) => [name, `./bin/${name}.js`]))
  const manifest = {
    name: source.name,
    version: source.version,
    description: source.description,
    keywords: source.keywords,
    homepage: source.homepage,
    bugs: source.bugs,
    repository: source.repository,
    license: source.license,
    type: "module",
    sideEffects: [],
    engines: source.engines,
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    exports,
    bin,
    files: bin === undefined ? ["dist"] : ["dist", "bin"],
    dependencies: resolveAll(source.dependencies, versions),
    peerDependencies: resolveAll(source.peerDependencies, versions),
    peerDependenciesMeta: source.peerDependenciesMeta
  }
  return Object.fromEntries(Object.entries(manifest).filter(([, value]) => value !== undefined))
}

/** What must never reach a tarball: exports into src/, `workspace:` ranges. Empty when clean. */
export const publishProblems = (manifest) => {
  const problems = []
  const text = JSON.stringify(manifest.exports ?? {}) + JSON.stringify(manifest.bin ?? {})
  if (/\.\/src\/|\.ts"/.test(text.replace(/\.d\.ts"/g, ""))) problems.push("exports point into src/")
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${field}.${name} is ${range}`)
    }
  }
  if (manifest.scripts?.prepack !== undefined) problems.push("the source manifest (it has the prepack guard)")
  return problems
}
