/**
 * The options several commands share, so that each reads and documents them the same way.
 */
import * as Options from "@effect/cli/Options"
import type * as Option from "effect/Option"
import { providerNames } from "./providerNames.js"

export const json = Options.boolean("json").pipe(
  Options.withDescription("Print one JSON document on stdout, for scripts")
)
export const kitUrl = Options.text("kit-url").pipe(
  Options.optional,
  Options.withDescription("Kit API base URL (default: KIT_BASE_URL, else https://api.kit.com)")
)
export const apolloUrl = Options.text("apollo-url").pipe(
  Options.optional,
  Options.withDescription("Apollo API base URL (default: APOLLO_BASE_URL, else https://api.apollo.io)")
)
/** `--json` and the base URLs: every command that talks to a provider takes them. */
export const common = { json, kitUrl, apolloUrl }

export interface Common {
  readonly json: boolean
  readonly kitUrl: Option.Option<string>
  readonly apolloUrl: Option.Option<string>
}

export const provider = Options.choice("provider", providerNames).pipe(
  Options.withAlias("p"),
  Options.withDescription("The provider to work on")
)
export const file = Options.text("file").pipe(
  Options.withAlias("f"),
  Options.withDescription("The sequence file (YAML or JSON)")
)
export const prune = Options.boolean("prune").pipe(
  Options.withDescription(
    "Also remove (Kit) or archive (Apollo) the provider's sequences the file does not name"
  )
)
export const activate = Options.boolean("activate").pipe(
  Options.withDescription(
    "Turn sequences on and publish emails as the source says (default: written inactive, unpublished)"
  )
)
export const journalPath = Options.text("journal").pipe(
  Options.optional,
  Options.withDescription(
    "Where the journal is kept: a file (JSON lines), sqlite:FILE or postgres://USER:PASSWORD@HOST/DB. " +
      "An interrupted run started again with it resumes with no duplicate; one run holds it at a time"
  )
)
export const nameFilter = Options.text("name").pipe(
  Options.optional,
  Options.withDescription("Only sequences whose name contains this text")
)
