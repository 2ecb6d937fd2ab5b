/**
 * The `unisequence` command for the reliability tests, two ways:
 * - as a child process: the executable users install (`scripts/bundle-cli.mjs`: the bundles and the
 *   loader that keeps V8's code cache), built once per test run and shared by every file, so that a
 *   child starts in a fraction of a second and a kill at a seeded point kills a real process;
 * - in-process (`Cli.run`), for the runs that need not be a process (an uninterrupted baseline, the
 *   rerun after a kill): the same command, its output, log lines and exit code captured.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { NodeContext } from "@effect/platform-node"
import { Cli } from "@unisequence/cli"
import { ConfigProvider, Effect, Logger } from "effect"
import { inject } from "vitest"

const root = NodePath.resolve(NodePath.dirname(fileURLToPath(import.meta.url)), "../..")

declare module "vitest" {
  export interface ProvidedContext {
    /** An empty directory the first test file that needs the executable builds it into (`setup.ts`). */
    readonly cliBuildDir: string
  }
}

const POLL_MS = 50

/**
 * The installed executable, built into the run's shared directory by the first file that asks (the
 * others wait for it): `node scripts/bundle-cli.mjs DIR`, as `pnpm build` makes it. Returns its path.
 */
export const buildCli = async (): Promise<string> => {
  const dir = inject("cliBuildDir")
  const bin = NodePath.join(dir, "bin", "unisequence.js")
  const done = NodePath.join(dir, "built")
  const failed = NodePath.join(dir, "failed")
  try {
    NodeFs.mkdirSync(NodePath.join(dir, "building"))
  } catch {
    // Another file is building it.
    while (!NodeFs.existsSync(done)) {
      if (NodeFs.existsSync(failed)) throw new Error(NodeFs.readFileSync(failed, "utf8"))
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    return bin
  }
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      [NodePath.join(root, "scripts/bundle-cli.mjs"), dir],
      (error, _out, stderr) => {
        if (error === null) {
          NodeFs.writeFileSync(done, "")
          resolve()
        } else {
          NodeFs.writeFileSync(failed, `building the CLI failed: ${error.message}\n${stderr}`)
          reject(error)
        }
      }
    )
  )
  return bin
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

/** Runs the CLI as a child process with only the given environment (plus PATH). */
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

/**
 * Runs the command in this process, with exactly `env` as its configuration. What a process would
 * print goes to `stdout`/`stderr`: the command's lines, its progress, and its log lines (as the
 * default logger writes them).
 */
export const runInProcess = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>
): Promise<CliResult> => {
  const started = Date.now()
  const printed = { stdout: "", stderr: "" }
  const toStderr = (text: string) => {
    printed.stderr += text
  }
  const logs = Logger.map(Logger.stringLogger, (line) => toStderr(`${line}\n`))
  const code = await Effect.runPromise(
    Cli.run(args, {
      interactive: false,
      color: false,
      out: (line) => {
        printed.stdout += `${line}\n`
      },
      err: (line) => toStderr(`${line}\n`),
      progress: { isTTY: false, columns: 80, write: toStderr }
    }).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.provide(Logger.replace(Logger.defaultLogger, logs)),
      Effect.provide(NodeContext.layer)
    )
  )
  return { code, signal: null, ...printed, ms: Date.now() - started }
}

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
