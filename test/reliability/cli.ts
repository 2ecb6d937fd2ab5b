/**
 * The `unisequence` CLI as a child process. `packages/cli/src/bin.ts` is bundled once with the
 * esbuild that `tsx` runs on (the same transform `tsx src/bin.ts` applies), so that each of the many
 * runs starts in well under a second instead of compiling the sources again.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import { createRequire } from "node:module"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"

const here = NodePath.dirname(fileURLToPath(import.meta.url))
export const cliSource = NodePath.resolve(here, "../../packages/cli/src/bin.ts")

interface EsbuildPluginBuild {
  readonly onResolve: (
    options: { readonly filter: RegExp },
    callback: (args: { readonly resolveDir: string }) => { readonly path: string; readonly external: boolean }
  ) => void
}

interface EsbuildLike {
  readonly build: (options: Record<string, unknown>) => Promise<unknown>
}

/** Bundles the CLI into a temporary directory; returns the path of the bundle. */
export const buildCli = async (): Promise<string> => {
  const require = createRequire(import.meta.url)
  const esbuild = createRequire(require.resolve("tsx"))("esbuild") as EsbuildLike
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-cli-"))
  await esbuild.build({
    entryPoints: { bin: cliSource },
    bundle: true,
    // The demo (and the simulators it starts) is imported only when it runs: a chunk of its own
    // keeps it out of every other run's start-up.
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    logLevel: "error",
    // pg's optional native binding is never loaded; better-sqlite3 loads its compiled addon from its
    // own directory, so it is required where it is installed instead of bundled.
    external: ["pg-native"],
    plugins: [
      {
        name: "better-sqlite3-in-place",
        setup: (build: EsbuildPluginBuild) => {
          build.onResolve({ filter: /^better-sqlite3$/ }, (args) => ({
            path: createRequire(NodePath.join(args.resolveDir, "index.js")).resolve("better-sqlite3"),
            external: true
          }))
        }
      }
    ],
    // Some dependencies are CommonJS and call `require`.
    banner: {
      js: "import { createRequire as __unisequenceRequire } from 'node:module'; const require = __unisequenceRequire(import.meta.url);"
    }
  })
  return NodePath.join(dir, "bin.mjs")
}

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export interface RunOptions {
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  /** Polled every millisecond: the child is killed with SIGKILL once it returns true. */
  readonly killWhen?: () => boolean
  /** A run that takes longer is killed and reported (default 30 s). */
  readonly limitMs?: number
}

/** Runs the CLI with only the given environment (plus PATH). */
export const runCli = (bin: string, args: ReadonlyArray<string>, options: RunOptions): Promise<CliResult> =>
  new Promise((resolve) => {
    const started = Date.now()
    const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const watcher =
      options.killWhen === undefined
        ? undefined
        : setInterval(() => {
            if (options.killWhen!()) {
              child.kill("SIGKILL")
              clearInterval(watcher)
            }
          }, 1)
    const limit = setTimeout(() => child.kill("SIGKILL"), options.limitMs ?? 30_000)
    child.on("close", (code, signal) => {
      if (watcher !== undefined) clearInterval(watcher)
      clearTimeout(limit)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })

/** `unisequence migrate … --journal FILE --yes`, the command the reliability tests drive. */
export const migrateArgs = (
  journal: string,
  options: { readonly from?: "kit" | "apollo"; readonly json?: boolean } = {}
): ReadonlyArray<string> => {
  const from = options.from ?? "kit"
  const to = from === "kit" ? "apollo" : "kit"
  return [
    "migrate",
    "--from",
    from,
    "--to",
    to,
    "--journal",
    journal,
    "--yes",
    ...(options.json ? ["--json"] : [])
  ]
}
