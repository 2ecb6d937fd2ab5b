/**
 * @unisequence/cli: the `unisequence` command, runnable in-process with `Cli.run`.
 */
export * as Cli from "./Cli.js"
