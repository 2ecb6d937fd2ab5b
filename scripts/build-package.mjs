#!/usr/bin/env node
// `pnpm build` in a package: compiles src/ into build/dist/ and writes build/ as the package to
// publish — its own package.json (exports to dist/, no workspace: ranges, no scripts), README,
// LICENSE, CHANGELOG. `publishConfig.directory` makes pnpm pack build/; `npm pack ./build` works too.
// The source package.json exports src/ for the workspace and is never packed (see prepack-guard.mjs).
//
//   node ../../scripts/build-package.mjs              build the package in the current directory
//   node ../../scripts/build-package.mjs --manifest   only print the manifest it would publish
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { bundleBin } from "./internal/bundle.mjs"
import { publishedManifest, publicModules, readJson, root, workspaceVersions } from "./internal/manifest.mjs"

const dir = process.cwd()
const source = readJson(join(dir, "package.json"))
const modules = publicModules(join(dir, "src"))
const manifest = publishedManifest(source, modules, workspaceVersions())

if (process.argv.includes("--manifest")) {
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`)
  process.exit(0)
}

const out = join(dir, "build")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const tsc = spawnSync(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
  {
    cwd: dir,
    stdio: "inherit"
  }
)
if (tsc.status !== 0) process.exit(tsc.status ?? 1)

for (const name of modules) {
  if (!existsSync(join(out, "dist", `${name}.js`))) {
    console.error(`build: src/${name}.ts produced no dist/${name}.js`)
    process.exit(1)
  }
}

if (source.bin !== undefined) await bundleBin(dir, out)

writeFileSync(join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
for (const file of ["README.md", "CHANGELOG.md", "LICENSE"]) {
  if (existsSync(join(dir, file))) copyFileSync(join(dir, file), join(out, file))
}
copyFileSync(join(dir, "LICENSE"), join(out, "LICENSE"))
console.log(`built ${manifest.name}@${manifest.version} into build/ (${modules.length} modules)`)
