#!/usr/bin/env node
// `prepack` of every published package: the workspace package.json exports src/*.ts and has
// `workspace:` ranges, so packing it as it is would publish a broken package. npm, yarn and bun
// ignore `publishConfig.directory` and would do exactly that: refuse. pnpm packs build/ (the
// generated manifest) when `publishConfig.directory` says so: allow it once build/ is clean.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { publishProblems, readJson } from "./internal/manifest.mjs"

const dir = process.cwd()
const source = readJson(join(dir, "package.json"))
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the package manager that runs prepack
const agent = process.env.npm_config_user_agent ?? ""
const target = source.publishConfig?.directory
const fail = (message) => {
  console.error(`${source.name}: ${message}`)
  process.exit(1)
}

if (!agent.startsWith("pnpm/") || target === undefined) {
  fail(
    `refusing to pack the workspace manifest (it exports src/ and has workspace: ranges).\n` +
      `  Build, then pack the generated package: pnpm build && npm pack ./${target ?? "build"}\n` +
      `  (or pnpm pack / pnpm publish here, which pack ${target ?? "build"}/ through publishConfig.directory)`
  )
}
const built = join(dir, target, "package.json")
if (!existsSync(built)) fail(`${target}/package.json is missing: run pnpm build first`)
const manifest = readJson(built)
if (manifest.version !== source.version) {
  fail(`${target}/ holds version ${manifest.version}, package.json says ${source.version}: run pnpm build`)
}
const problems = publishProblems(manifest)
if (problems.length > 0) fail(`${target}/package.json is not publishable: ${problems.join("; ")}`)
