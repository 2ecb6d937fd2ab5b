/**
 * The packaging rules, without building anything: what each package would publish
 * (`build-package.mjs --manifest`), and the prepack guard that stops a tool from packing a
 * workspace manifest (exports into src/, `workspace:` ranges). The full pack-and-install run is
 * `pnpm pack-test` (scripts/pack-test.mjs), which needs the npm registry.
 */
import { Schema } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "../..")
const Private = Schema.Struct({ private: Schema.optional(Schema.Boolean) })
/** Every workspace package under packages/ that is not private is published. */
const publicPackages = fs
  .readdirSync(path.join(root, "packages"))
  .filter(
    (name) =>
      Schema.decodeUnknownSync(Schema.parseJson(Private))(
        fs.readFileSync(path.join(root, "packages", name, "package.json"), "utf8")
      ).private !== true
  )

const Entry = Schema.Struct({ types: Schema.String, default: Schema.String })
const Manifest = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  license: Schema.Literal("MIT"),
  type: Schema.Literal("module"),
  sideEffects: Schema.Tuple(),
  types: Schema.String,
  engines: Schema.Struct({ node: Schema.String }),
  keywords: Schema.NonEmptyArray(Schema.String),
  repository: Schema.Struct({ type: Schema.String, url: Schema.String, directory: Schema.String }),
  bugs: Schema.Struct({ url: Schema.String }),
  homepage: Schema.String,
  exports: Schema.Record({ key: Schema.String, value: Schema.Union(Entry, Schema.String, Schema.Null) }),
  dependencies: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  peerDependencies: Schema.Record({ key: Schema.String, value: Schema.String }),
  scripts: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})
const decodeManifest = Schema.decodeUnknownSync(Schema.parseJson(Manifest))
const SourceManifest = Schema.Struct({
  publishConfig: Schema.Struct({ directory: Schema.String }),
  scripts: Schema.Struct({ prepack: Schema.String, build: Schema.String }),
  devDependencies: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})

const node = (script: string, cwd: string, env: Record<string, string> = {}) =>
  spawnSync(
    process.execPath,
    [path.join(root, "scripts", script), ...(script.startsWith("build") ? ["--manifest"] : [])],
    {
      cwd,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", ...env }
    }
  )

const manifests = new Map<string, { readonly text: string; readonly manifest: typeof Manifest.Type }>()

/** What `build-package.mjs --manifest` prints for a package: run once per package, then reused. */
const published = (name: string) => {
  const known = manifests.get(name)
  if (known !== undefined) return known
  const result = node("build-package.mjs", path.join(root, "packages", name))
  expect(result.status, result.stderr).toBe(0)
  const printed = { text: result.stdout, manifest: decodeManifest(result.stdout) }
  manifests.set(name, printed)
  return printed
}

const indexModules = (name: string) =>
  [
    ...fs
      .readFileSync(path.join(root, "packages", name, "src/index.ts"), "utf8")
      .matchAll(/^export \* (?:as \w+ )?from "\.\/(\w+)\.js"/gm)
  ]
    .map((m) => m[1])
    .sort()

describe("published manifests", () => {
  for (const name of publicPackages) {
    it(`@unisequence/${name}: exports dist only, one subpath per public module, Effect as peers`, () => {
      const { text, manifest } = published(name)
      expect(text).not.toContain("workspace:")
      expect(text).not.toContain("./src/")
      expect(manifest.scripts).toBeUndefined()
      expect(manifest.exports["./package.json"]).toBe("./package.json")
      expect(manifest.exports["./internal/*"]).toBeNull()
      expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" })
      const subpaths = Object.keys(manifest.exports)
        .filter((key) => !["./package.json", ".", "./internal/*"].includes(key))
        .map((key) => key.slice(2))
        .sort()
      expect(subpaths).toEqual(indexModules(name))
      expect(subpaths.length).toBeGreaterThan(0)
      for (const module of subpaths) {
        expect(manifest.exports[`./${module}`]).toEqual({
          types: `./dist/${module}.d.ts`,
          default: `./dist/${module}.js`
        })
      }
      // Effect packages are shared with the app: peers with an Effect 3 range, never dependencies.
      expect(manifest.peerDependencies.effect).toMatch(/^\^3\./)
      for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        expect(dependency === "effect" || dependency.startsWith("@effect/"), dependency).toBe(false)
      }
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dependency.startsWith("@unisequence/")) expect(range).toMatch(/^\^\d+\.\d+\.\d+$/)
      }
    })

    it(`@unisequence/${name}: the workspace manifest packs build/ only, and has a README and a LICENSE`, () => {
      const dir = path.join(root, "packages", name)
      const source = Schema.decodeUnknownSync(Schema.parseJson(SourceManifest))(
        fs.readFileSync(path.join(dir, "package.json"), "utf8")
      )
      expect(source.publishConfig.directory).toBe("build")
      expect(source.scripts.prepack).toContain("prepack-guard.mjs")
      // Each peer is also a devDependency, so the workspace itself has it installed.
      const { manifest } = published(name)
      for (const peer of Object.keys(manifest.peerDependencies)) {
        expect(source.devDependencies?.[peer], peer).toBeDefined()
      }
      expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toMatch(/ESM only/)
      expect(fs.readFileSync(path.join(dir, "LICENSE"), "utf8")).toMatch(/^MIT License/)
    })
  }

  it("the CLI publishes its bundled bin", () => {
    const { text } = published("cli")
    expect(text).toContain('"unisequence": "./bin/unisequence.js"')
  })
})

describe("prepack guard", () => {
  const fixture = (build?: unknown) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "unisequence-guard-"))
    const source = fs.readFileSync(path.join(root, "packages/core/package.json"), "utf8")
    fs.writeFileSync(path.join(dir, "package.json"), source)
    if (build !== undefined) {
      fs.mkdirSync(path.join(dir, "build"))
      fs.writeFileSync(path.join(dir, "build/package.json"), JSON.stringify(build))
    }
    return dir
  }
  const guard = (dir: string, agent: string) =>
    node("prepack-guard.mjs", dir, { npm_config_user_agent: agent })

  it("refuses npm (which ignores publishConfig.directory) whatever is built", () => {
    const result = guard(
      fixture(decodeManifest(published("core").text)),
      "npm/10.8.2 node/v20.20.2 linux x64"
    )
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("refusing to pack the workspace manifest")
  })

  it("refuses pnpm before the build", () => {
    const result = guard(fixture(), "pnpm/10.34.9 npm/? node/v20.20.2 linux x64")
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("run pnpm build first")
  })

  it("refuses pnpm when build/package.json still has workspace ranges or src exports", () => {
    const dirty = {
      ...decodeManifest(published("kit").text),
      dependencies: { "@unisequence/core": "workspace:^" },
      exports: { ".": "./src/index.ts" }
    }
    const result = guard(fixture(dirty), "pnpm/10.34.9 npm/? node/v20.20.2 linux x64")
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("exports point into src/")
    expect(result.stderr).toContain("dependencies.@unisequence/core is workspace:^")
  })

  it("lets pnpm pack a clean build/", () => {
    const result = guard(
      fixture(decodeManifest(published("core").text)),
      "pnpm/10.34.9 npm/? node/v20.20.2 linux x64"
    )
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
  })

  it("npm pack in a package directory fails", () => {
    const result = spawnSync("npm", ["pack", "--dry-run", "--json"], {
      cwd: path.join(root, "packages/core"),
      encoding: "utf8",
      env: { ...process.env, npm_config_user_agent: "" }
    })
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain("refusing to pack the workspace manifest")
  })
})
