/**
 * The command run in-process for a test: `Cli.run` with exactly `env` as its configuration (as a
 * process would have it), its output, progress and exit code captured.
 */
import * as NodeFs from "node:fs"
import { NodeContext } from "@effect/platform-node"
import { ConfigProvider, Effect } from "effect"
import { Cli } from "../src/index.js"

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const runCli = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  options: { readonly color?: boolean } = {}
): Promise<Ran> => {
  const printed = { stdout: "", stderr: "" }
  const code = await Cli.run(args, {
    interactive: false,
    ...(options.color === undefined ? {} : { color: options.color }),
    out: (line) => {
      printed.stdout += `${line}\n`
    },
    err: (line) => {
      printed.stderr += `${line}\n`
    },
    progress: {
      isTTY: false,
      columns: 80,
      write: (text) => {
        printed.stderr += text
      }
    }
  }).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )
  return { code, ...printed }
}

/**
 * Writes a sequences-as-code file holding one sequence, "Onboarding" (three emails), to `path`;
 * `tips` adds fields to its second step. Returns `path`.
 */
export const writeOnboarding = (path: string, tips: Readonly<Record<string, unknown>> = {}): string => {
  const sequence = {
    name: "Onboarding",
    schedule: { days: ["monday", "wednesday"], hour: 10, timeZone: "Europe/Paris" },
    steps: [
      { delay: "0 days", email: { subject: "Hello", html: "<p>Hi</p>" } },
      { delay: "2 days", ...tips, email: { subject: "Tips", html: "<p>Tips</p>" } },
      { delay: "6 hours", email: { subject: "Reminder", html: "<p>Psst</p>" } }
    ]
  }
  NodeFs.writeFileSync(path, JSON.stringify({ version: 1, sequences: [sequence] }))
  return path
}
