/**
 * The end of start-up. The installed executable keeps V8's young generation small while the command
 * line is parsed and help or a usage error printed (scripts/internal/bin-loader.cjs says why), and
 * leaves a function under a registered symbol that gives it back its default growth. A command calls
 * it once its module is loaded, so that its own work runs with the default. Run in-process (tests,
 * `Cli.run` as a library) nothing is registered and this does nothing.
 */
const key = Symbol.for("@unisequence/cli/commandStarts")

export const commandStarts = (): void => {
  const hook: unknown = Reflect.get(globalThis, key)
  if (typeof hook === "function") hook()
}
