/**
 * A Node program run as a child process for a test: with exactly the environment given (plus `PATH`
 * and `HOME`), its output captured whole, its exit code returned. For tests of a command or an
 * example as a user would start it; keys in the caller's environment never leak into it.
 */
import * as ChildProcess from "node:child_process"

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node ...args` in `cwd`; resolves when the process has exited. */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>> }
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(process.execPath, [...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk)
    })
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk)
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })
