/**
 * The console @effect/cli prints through (help, version, usage errors), made to follow the rules of
 * the command's own output: colour only on a terminal without `NO_COLOR`, and a usage error printed
 * once, as `run`'s one `error:` line.
 */
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** Escape sequences (colours, cursor moves) in a text. */
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g")

export const stripAnsi = (text: string): string => text.replace(ansi, "")

/** Colour is for a person at a terminal who has not asked for none (https://no-color.org). */
export const colorWanted = (isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean =>
  isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === "")

/**
 * `base` with `log` sent to `out` (without escape sequences unless `color`) and `error` silent:
 * the parser reports a usage error there, and `run` prints it itself.
 */
export const cliConsole = (
  base: Console.Console,
  out: (line: string) => void,
  color: boolean
): Console.Console => ({
  ...base,
  log: (...args) =>
    Effect.sync(() => {
      const text = args.map(String).join(" ")
      out(color ? text : stripAnsi(text))
    }),
  error: () => Effect.void
})
