/** `unisequence migrate`: copy sequences from one provider to another — plan, confirm, apply, verify. */
import { Prompt } from "@effect/cli"
import { type Apply, Migration } from "@unisequence/core"
import { Effect, Option, Redacted } from "effect"
import * as NodeCrypto from "node:crypto"
import * as NodePath from "node:path"
import { type Handler, out, outJson, RunContext } from "../internal/context.js"
import { NotConfirmed, UsageError } from "../internal/errors.js"
import type { ArgsOf, migrateConfig } from "../internal/definitions.js"
import type { Common } from "../internal/options.js"
import * as Render from "../internal/render.js"
import { parseSelection } from "../internal/selection.js"
import type { Connected } from "../internal/providers.js"
import type { ProviderName, Settings } from "../internal/settings.js"
import * as JournalSpec from "../internal/journalSpec.js"
import { applyPlan, callsLine, connectTo, incompleteIf, parseJournal } from "../internal/work.js"

/**
 * The account a provider's settings reach: its URL and its credentials. Two accounts behind one URL
 * (an agency's clients on api.kit.com) are told apart by their keys; a key never appears in a name,
 * only in this one-way digest.
 */
const account = (settings: Settings): string => {
  const secret = (value: Option.Option<Redacted.Redacted>) =>
    Option.match(value, { onNone: () => "", onSome: Redacted.value })
  const credentials =
    settings.provider === "kit"
      ? `${secret(settings.apiKey)} ${secret(settings.oauthToken)}`
      : secret(settings.apiKey)
  return `${settings.provider} ${settings.baseUrl} ${credentials}`
}

/**
 * Where a migration's journal lives unless `--journal` says: per direction and pair of accounts.
 * Plans read the target again, so an emptied account is refilled whatever the journal says; a
 * journal per account also keeps one account's ids from standing for another's when a user goes
 * back and forth between two accounts (the other account's ids would look deleted, and the
 * sequences would be created a second time). A rotated key starts a new journal: pass the old one
 * with `--journal` to keep it.
 */
export const defaultJournal = (source: Settings, target: Settings) => {
  const digest = NodeCrypto.createHash("sha256")
    .update(`${account(source)}\n${account(target)}`)
    .digest("hex")
    .slice(0, 10)
  return NodePath.join(".unisequence", `migrate-${source.provider}-to-${target.provider}-${digest}.jsonl`)
}

const confirm = (message: string) =>
  Effect.gen(function* () {
    const run = yield* RunContext
    if (!run.interactive)
      return yield* new NotConfirmed({
        message:
          "refusing to write without confirmation: no terminal to ask on; review the plan with --dry-run, then run again with --yes"
      })
    return yield* Prompt.confirm({ message, initial: false })
  })

export const run = (args: ArgsOf<typeof migrateConfig>): Handler =>
  Effect.gen(function* () {
    if (args.from === args.to)
      return yield* new UsageError({ message: `--from and --to are both ${args.from}: nothing to migrate` })
    const selection = yield* parseSelection(args.select)
    const given = yield* Effect.transposeOption(Option.map(args.journal, parseJournal))
    const source = yield* connectTo(args.from, args)
    const target = yield* connectTo(args.to, args)
    const byDefault = defaultJournal(source.settings, target.settings)
    const spec = Option.getOrElse(given, (): JournalSpec.JournalSpec => ({ _tag: "File", path: byDefault }))
    // In a database, the journal is named as the default file would be: per direction and accounts.
    const name = NodePath.basename(byDefault, ".jsonl")
    return yield* migrateWith(args, source, target, selection, JournalSpec.show(spec)).pipe(
      Effect.provide(JournalSpec.layer(spec, name))
    )
  })

interface MigrateArgs extends Common {
  readonly from: ProviderName
  readonly to: ProviderName
  readonly dryRun: boolean
  readonly activate: boolean
  readonly yes: boolean
}

/** Plans and carries out a migration with the journal in the context. */
const migrateWith = (
  args: MigrateArgs,
  source: Connected,
  target: Connected,
  selection: Migration.Selection,
  path: string
) =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const plan = yield* Migration.plan({
      source: source.sequences,
      target: target.sequences,
      select: selection,
      activate: args.activate
    })
    const providers = [args.from, args.to]
    const document = (result: Apply.Result | undefined, applied: boolean) => ({
      command: "migrate",
      from: args.from,
      to: args.to,
      dryRun: args.dryRun,
      applied,
      journal: path,
      plan: Render.planJson(plan),
      result: result === undefined ? null : Render.resultJson(result),
      calls: { [args.from]: run.counter.counts[args.from], [args.to]: run.counter.counts[args.to] }
    })
    if (!args.json) yield* out(...Render.planLines(plan), "")
    if (args.dryRun || !Render.hasWork(plan)) {
      if (args.json) yield* outJson(document(undefined, false))
      else if (args.dryRun) yield* out(`dry run: nothing was written (${callsLine(run.counter, providers)})`)
      else yield* out(`nothing to do: every selected sequence is already in ${args.to} as planned`)
      return yield* incompleteIf(plan.blocked.length, 0)
    }
    if (!args.yes) {
      const go = yield* confirm(
        `Write ${plan.sequences.filter((s) => s.action !== "unchanged").length} sequence(s) to ${args.to}?`
      )
      if (!go) {
        if (args.json) yield* outJson(document(undefined, false))
        else yield* out("cancelled: nothing was written")
        return
      }
    }
    if (!args.json) yield* out(`Migrating (journal: ${path})`)
    const result = yield* applyPlan(plan, target, {})
    const counts = Render.resultCounts(result)
    if (args.json) yield* outJson(document(result, true))
    else
      yield* out(
        "",
        "Result:",
        ...Render.resultLines(result),
        "",
        `  ${Render.resultSummary(result)}; ${callsLine(run.counter, providers)}`
      )
    yield* incompleteIf(counts.blocked + counts.failed, counts.differs)
  })
