/**
 * The command line's shape: every command's name, options and description, which `--help` and
 * argument parsing need at start-up. What a command does is in its module under `commands/`,
 * imported only when that command runs, so that start-up loads neither the adapters nor the
 * engine, the sequence-file format or the SQL drivers.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import type { Handler } from "./context.js"
import { activate, common, file, journalPath, nameFilter, provider, prune } from "./options.js"
import { providerNames } from "./providerNames.js"
import { commandStarts } from "./startup.js"

type Config = Command.Command.Config
export type ArgsOf<C extends Config> = Command.Command.ParseConfig<C>

/**
 * A handler that imports its command's module when it runs, then runs it on the arguments (start-up
 * is over once the module is loaded).
 */
const lazy =
  <A, M>(load: () => Promise<M>, handler: (module: M) => (args: A) => Handler) =>
  (args: A): Handler =>
    Effect.flatMap(Effect.promise(load), (module) => {
      commandStarts()
      return handler(module)(args)
    })

export const listConfig = { ...common, provider, name: nameFilter }
export const list = Command.make(
  "list",
  listConfig,
  lazy(
    () => import("../commands/list.js"),
    (m) => m.run
  )
).pipe(Command.withDescription("List the provider's sequences"))

export const showConfig = {
  ...common,
  provider,
  id: Args.text({ name: "id" }).pipe(Args.withDescription("The sequence id"))
}
export const show = Command.make(
  "show",
  showConfig,
  lazy(
    () => import("../commands/show.js"),
    (m) => m.run
  )
).pipe(Command.withDescription("Show one sequence with its steps"))

export const exportConfig = {
  ...common,
  provider,
  output: Options.text("output").pipe(
    Options.withAlias("o"),
    Options.withDescription("Where to write the file (`-` for stdout)")
  ),
  format: Options.choice("format", ["yaml", "json"]).pipe(
    Options.optional,
    Options.withDescription("File format (default: from the file's extension, else yaml)")
  ),
  portable: Options.boolean("portable").pipe(
    Options.withDescription("Leave provider ids out, to plan the file against another provider or account")
  ),
  name: nameFilter
}
export const exportCommand = Command.make(
  "export",
  exportConfig,
  lazy(
    () => import("../commands/export.js"),
    (m) => m.run
  )
).pipe(Command.withDescription("Write the provider's sequences to a file in the neutral format"))

export const planConfig = { ...common, provider, file, prune, activate, journal: journalPath }
export const planCommand = Command.make(
  "plan",
  planConfig,
  lazy(
    () => import("../commands/plan.js"),
    (m) => m.run
  )
).pipe(
  Command.withDescription(
    "Compare a sequence file with the provider and show what apply would do (writes nothing)"
  )
)

export const applyCommand = Command.make(
  "apply",
  planConfig,
  lazy(
    () => import("../commands/apply.js"),
    (m) => m.run
  )
).pipe(Command.withDescription("Make the provider match a sequence file"))

export const migrateConfig = {
  ...common,
  from: Options.choice("from", providerNames).pipe(Options.withDescription("The provider to read from")),
  to: Options.choice("to", providerNames).pipe(Options.withDescription("The provider to write to")),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Show the plan and write nothing")),
  journal: journalPath,
  activate,
  select: Options.text("select").pipe(
    Options.withDefault("all"),
    Options.withDescription("Which sequences: all, ids:1,2,3 or name:TEXT (name contains TEXT)")
  ),
  yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("Apply without asking"))
}
export const migrate = Command.make(
  "migrate",
  migrateConfig,
  lazy(
    () => import("../commands/migrate.js"),
    (m) => m.run
  )
).pipe(Command.withDescription("Copy sequences from one provider to the other: plan, confirm, apply, verify"))

export const verifyConfig = {
  ...common,
  provider: Options.choice("provider", providerNames).pipe(
    Options.withAlias("p"),
    Options.optional,
    Options.withDescription("Only this provider (default: every provider with credentials set)")
  )
}
export const verify = Command.make(
  "verify",
  verifyConfig,
  lazy(
    () => import("../commands/verify.js"),
    (m) => m.run
  )
).pipe(Command.withDescription("Check credentials and which endpoints they reach (writes nothing)"))

// The demo module, and with it the simulators, is imported only when `demo` runs (and the
// executable runs `demo` from a bundle of its own).
export const demo = Command.make(
  "demo",
  {},
  lazy(
    () => import("../commands/demo.js"),
    (m) => m.run
  )
).pipe(
  Command.withDescription(
    "Migrate Kit to Apollo on local simulators, start to finish (on the real accounts when both keys are set)"
  )
)

/** Every command, in the order `--help` lists them. */
export const commands = [list, show, exportCommand, planCommand, applyCommand, migrate, verify, demo] as const
