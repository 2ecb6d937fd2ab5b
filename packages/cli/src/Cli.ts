/**
 * The `unisequence` command: list, show, export, plan/apply (sequences as code), migrate and
 * verify, over Kit and Apollo. `run` is the whole command as an Effect returning the exit code, so
 * that it can be run in-process (the demo) as well as from `bin.ts`.
 */
import { Args, type CliApp, Command, Options, Prompt } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { Journal, Migration, Plan, SequenceFile } from "@unisequence/core"
import { Cause, Chunk, Effect, Exit, Option, Stream } from "effect"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { err, out, outJson, type Run, RunContext } from "./internal/context.js"
import { ExitCode, FileFailed, Incomplete, NotConfirmed, renderCause, UsageError } from "./internal/errors.js"
import * as Progress from "./internal/progress.js"
import { type CallCounter, type Connected, connect, makeCounter } from "./internal/providers.js"
import * as Render from "./internal/render.js"
import {
  hasCredentials,
  type ProviderName,
  providerNames,
  type Settings,
  settingsFor
} from "./internal/settings.js"

export const version = "0.1.0"

// ---- shared options ----

const json = Options.boolean("json").pipe(
  Options.withDescription("Print one JSON document on stdout, for scripts")
)
const kitUrl = Options.text("kit-url").pipe(
  Options.optional,
  Options.withDescription("Kit API base URL (default: KIT_BASE_URL, else https://api.kit.com)")
)
const apolloUrl = Options.text("apollo-url").pipe(
  Options.optional,
  Options.withDescription("Apollo API base URL (default: APOLLO_BASE_URL, else https://api.apollo.io)")
)
const common = { json, kitUrl, apolloUrl }
const provider = Options.choice("provider", providerNames).pipe(
  Options.withAlias("p"),
  Options.withDescription("The provider to work on")
)
const file = Options.text("file").pipe(
  Options.withAlias("f"),
  Options.withDescription("The sequence file (YAML or JSON)")
)
const prune = Options.boolean("prune").pipe(
  Options.withDescription(
    "Also remove (Kit) or archive (Apollo) the provider's sequences the file does not name"
  )
)
const activate = Options.boolean("activate").pipe(
  Options.withDescription(
    "Turn sequences on and publish emails as the source says (default: written inactive, unpublished)"
  )
)
const journalPath = Options.text("journal").pipe(
  Options.optional,
  Options.withDescription("Journal file: an interrupted run started again with it resumes with no duplicate")
)

interface Common {
  readonly json: boolean
  readonly kitUrl: Option.Option<string>
  readonly apolloUrl: Option.Option<string>
}

// ---- helpers ----

const connectTo = (name: ProviderName, flags: Common) =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const settings = yield* settingsFor(name, flags)
    return yield* connect(settings, run.counter)
  })

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Stream.runCollect(stream).pipe(Effect.map(Chunk.toReadonlyArray))

/** The journal in `--journal`'s file, or in memory without one. */
const journalLayer = (path: Option.Option<string>) =>
  Option.isSome(path) ? Journal.layerFile(path.value) : Journal.layerMemory

const callsLine = (counter: CallCounter, providers: ReadonlyArray<ProviderName>) =>
  `HTTP calls: ${providers.map((p) => `${p} ${counter.counts[p]}`).join(", ")}`

/** Carries a plan out with progress on stderr; fails with `Incomplete` when anything was left undone. */
const applyPlan = (plan: Plan.Plan, target: Connected, options: { readonly activate?: boolean }) =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const progress = Progress.make(run.progress, plan.sequences.length)
    return yield* Migration.apply(plan, {
      target: target.sequences,
      ...(options.activate === undefined ? {} : { activate: options.activate }),
      onEvent: progress.onEvent
    }).pipe(Effect.ensuring(progress.done))
  })

const incompleteIf = (blocked: number, differs: number) =>
  blocked === 0 && differs === 0
    ? Effect.void
    : Effect.fail(
        new Incomplete({
          message: [
            ...(blocked > 0 ? [`${blocked} sequence(s) blocked: they cannot be written to the target`] : []),
            ...(differs > 0 ? [`${differs} sequence(s) read back different from the plan`] : [])
          ].join("; ")
        })
      )

// ---- list ----

const nameFilter = Options.text("name").pipe(
  Options.optional,
  Options.withDescription("Only sequences whose name contains this text")
)

const list = Command.make("list", { ...common, provider, name: nameFilter }, (args) =>
  Effect.gen(function* () {
    const connected = yield* connectTo(args.provider, args)
    const summaries = yield* collect(
      connected.sequences.list(Option.isSome(args.name) ? { nameContains: args.name.value } : {})
    )
    if (args.json)
      return yield* outJson({ provider: args.provider, sequences: summaries.map(Render.summaryJson) })
    yield* out(...Render.listLines(summaries))
  })
).pipe(Command.withDescription("List the provider's sequences"))

// ---- show ----

const show = Command.make(
  "show",
  { ...common, provider, id: Args.text({ name: "id" }).pipe(Args.withDescription("The sequence id")) },
  (args) =>
    Effect.gen(function* () {
      const connected = yield* connectTo(args.provider, args)
      const sequence = yield* connected.sequences.get(args.id)
      if (args.json)
        return yield* outJson({ provider: args.provider, sequence: Render.sequenceJson(sequence) })
      yield* out(...Render.showLines(sequence))
    })
).pipe(Command.withDescription("Show one sequence with its steps"))

// ---- export ----

const output = Options.text("output").pipe(
  Options.withAlias("o"),
  Options.withDescription("Where to write the file (`-` for stdout)")
)
const format = Options.choice("format", ["yaml", "json"]).pipe(
  Options.optional,
  Options.withDescription("File format (default: from the file's extension, else yaml)")
)

const portable = Options.boolean("portable").pipe(
  Options.withDescription("Leave provider ids out, to plan the file against another provider or account")
)

const formatOf = (path: string, chosen: Option.Option<"yaml" | "json">): "yaml" | "json" =>
  Option.getOrElse(chosen, () => (path.toLowerCase().endsWith(".json") ? "json" : "yaml"))

const writeText = (path: string, text: string) =>
  Effect.try({
    try: () => {
      NodeFs.mkdirSync(NodePath.dirname(NodePath.resolve(path)), { recursive: true })
      NodeFs.writeFileSync(path, text)
    },
    catch: (e) => new FileFailed({ path, reason: e instanceof Error ? e.message : String(e) })
  })

const exportCommand = Command.make(
  "export",
  { ...common, provider, output, format, portable, name: nameFilter },
  (args) =>
    Effect.gen(function* () {
      const connected = yield* connectTo(args.provider, args)
      const summaries = yield* collect(
        connected.sequences.list(Option.isSome(args.name) ? { nameContains: args.name.value } : {})
      )
      const sequences = yield* Effect.forEach(summaries, (s) => connected.sequences.get(s.id), {
        concurrency: 4
      })
      const fileFormat = formatOf(args.output, args.format)
      const text = SequenceFile.stringify(
        SequenceFile.fromSequences(sequences, { ids: !args.portable }),
        fileFormat
      )
      if (args.output === "-") return yield* out(text.trimEnd())
      yield* writeText(args.output, text)
      if (args.json)
        return yield* outJson({
          provider: args.provider,
          path: args.output,
          format: fileFormat,
          sequences: sequences.map((s) => ({ id: s.id, name: s.name, steps: s.steps.length }))
        })
      yield* out(
        `exported ${sequences.length} sequence${sequences.length === 1 ? "" : "s"} from ${args.provider} to ${args.output} (${fileFormat})`
      )
    })
).pipe(Command.withDescription("Write the provider's sequences to a file in the neutral format"))

// ---- plan / apply (sequences as code) ----

const loadFile = (path: string) => SequenceFile.load(path)

const planFile = (
  args: Common & {
    readonly provider: ProviderName
    readonly file: string
    readonly prune: boolean
    readonly activate: boolean
    readonly journal: Option.Option<string>
  }
) =>
  Effect.gen(function* () {
    const sequenceFile = yield* loadFile(args.file)
    const connected = yield* connectTo(args.provider, args)
    const plan = yield* SequenceFile.plan({
      file: sequenceFile,
      target: connected.sequences,
      prune: args.prune,
      activate: args.activate
    })
    return { plan, connected }
  })

const planCommand = Command.make(
  "plan",
  { ...common, provider, file, prune, activate, journal: journalPath },
  (args) =>
    Effect.gen(function* () {
      const { plan } = yield* planFile(args)
      if (args.json) yield* outJson({ command: "plan", file: args.file, plan: Render.planJson(plan) })
      else yield* out(...Render.planLines(plan, args.file))
      yield* incompleteIf(plan.blocked.length, 0)
    }).pipe(Effect.provide(journalLayer(args.journal)))
).pipe(
  Command.withDescription(
    "Compare a sequence file with the provider and show what apply would do (writes nothing)"
  )
)

const applyCommand = Command.make(
  "apply",
  { ...common, provider, file, prune, activate, journal: journalPath },
  (args) =>
    Effect.gen(function* () {
      const run = yield* RunContext
      const { plan, connected } = yield* planFile(args)
      if (!args.json) yield* out(...Render.planLines(plan, args.file), "")
      const result = Render.hasWork(plan)
        ? yield* applyPlan(plan, connected, {})
        : {
            outcomes: plan.sequences.map((s) => ({
              key: s.key,
              name: s.name,
              targetId: s.targetId,
              outcome: "unchanged" as const,
              verification: "skipped" as const,
              differences: []
            })),
            blocked: plan.blocked
          }
      const counts = Render.resultCounts(result)
      if (args.json)
        yield* outJson({
          command: "apply",
          file: args.file,
          plan: Render.planJson(plan),
          result: Render.resultJson(result),
          calls: { [args.provider]: run.counter.counts[args.provider] }
        })
      else if (!Render.hasWork(plan)) yield* out("nothing to do: the provider already matches the file")
      else
        yield* out(
          "Applied:",
          ...Render.resultLines(result),
          "",
          `  ${Render.resultSummary(result)}; ${callsLine(run.counter, [args.provider])}`
        )
      yield* incompleteIf(counts.blocked, counts.differs)
    }).pipe(Effect.provide(journalLayer(args.journal)))
).pipe(Command.withDescription("Make the provider match a sequence file"))

// ---- migrate ----

const from = Options.choice("from", providerNames).pipe(Options.withDescription("The provider to read from"))
const to = Options.choice("to", providerNames).pipe(Options.withDescription("The provider to write to"))
const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("Show the plan and write nothing"))
const yes = Options.boolean("yes").pipe(
  Options.withAlias("y"),
  Options.withDescription("Apply without asking")
)
const select = Options.text("select").pipe(
  Options.withDefault("all"),
  Options.withDescription("Which sequences: all, ids:1,2,3 or name:TEXT (name contains TEXT)")
)

export const parseSelection = (text: string): Effect.Effect<Plan.Selection, UsageError> => {
  const trimmed = text.trim()
  if (trimmed === "all") return Effect.succeed(Plan.all)
  if (trimmed.startsWith("ids:")) {
    const ids = trimmed
      .slice(4)
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
    return ids.length === 0
      ? Effect.fail(new UsageError({ message: "--select ids: needs at least one id (ids:1,2,3)" }))
      : Effect.succeed(Plan.ids(ids))
  }
  if (trimmed.startsWith("name:") && trimmed.length > 5)
    return Effect.succeed(Plan.nameContains(trimmed.slice(5)))
  return Effect.fail(
    new UsageError({ message: `--select: expected all, ids:1,2,3 or name:TEXT, got "${text}"` })
  )
}

/** Where a migration's journal lives unless `--journal` says: per direction and pair of endpoints. */
export const defaultJournal = (source: Settings, target: Settings) => {
  const digest = NodeCrypto.createHash("sha256")
    .update(`${source.provider} ${source.baseUrl} ${target.provider} ${target.baseUrl}`)
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

const migrate = Command.make(
  "migrate",
  { ...common, from, to, dryRun, journal: journalPath, activate, select, yes },
  (args) =>
    Effect.gen(function* () {
      if (args.from === args.to)
        return yield* new UsageError({ message: `--from and --to are both ${args.from}: nothing to migrate` })
      const selection = yield* parseSelection(args.select)
      const source = yield* connectTo(args.from, args)
      const target = yield* connectTo(args.to, args)
      const path = Option.getOrElse(args.journal, () => defaultJournal(source.settings, target.settings))
      return yield* migrateWith(args, source, target, selection, path).pipe(
        Effect.provide(Journal.layerFile(path))
      )
    })
).pipe(Command.withDescription("Copy sequences from one provider to the other: plan, confirm, apply, verify"))

/** Plans and carries out a migration with the journal in the context. */
const migrateWith = (
  args: Common & {
    readonly from: ProviderName
    readonly to: ProviderName
    readonly dryRun: boolean
    readonly activate: boolean
    readonly yes: boolean
  },
  source: Connected,
  target: Connected,
  selection: Plan.Selection,
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
    const document = (result: Migration.Result | undefined, applied: boolean) => ({
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
    yield* incompleteIf(counts.blocked, counts.differs)
  })

// ---- verify ----

const verifyProvider = Options.choice("provider", providerNames).pipe(
  Options.withAlias("p"),
  Options.optional,
  Options.withDescription("Only this provider (default: every provider with credentials set)")
)

interface Check {
  readonly provider: ProviderName
  readonly baseUrl: string
  readonly ok: boolean
  readonly detail: string
  readonly keyKind?: "master" | "scoped" | undefined
  readonly probes?:
    | ReadonlyArray<{
        readonly operation: string
        readonly scope: string
        readonly status: string
        readonly detail: string
      }>
    | undefined
  readonly error?: { readonly _tag: string; readonly message: string; readonly exitCode: number } | undefined
}

const check = (c: Check): Check => c

const checkOne = (settings: Settings) =>
  Effect.gen(function* () {
    const run = yield* RunContext
    const connected = yield* connect(settings, run.counter)
    if (connected.provider === "kit") {
      const verification = yield* connected.client.verify
      if (verification.ok)
        return check({
          provider: "kit",
          baseUrl: settings.baseUrl,
          ok: true,
          detail: `${Option.isSome(settings.provider === "kit" ? settings.oauthToken : Option.none()) ? "OAuth token" : "API key"} accepted; sequences readable`
        })
      const rendered = renderCause(Cause.fail(verification.error))
      return check({
        provider: "kit",
        baseUrl: settings.baseUrl,
        ok: false,
        detail: verification.reason,
        error: { _tag: rendered.tag, message: rendered.message, exitCode: rendered.code }
      })
    }
    const verification = yield* connected.client.verify()
    // A denied probe is a key without that scope; a failed one could not tell (reported, not fatal).
    const denied = verification.probes.filter((p) => p.status === "denied")
    const unclear = verification.probes.filter((p) => p.status === "failed")
    return check({
      provider: "apollo",
      baseUrl: settings.baseUrl,
      ok: denied.length === 0,
      keyKind: verification.keyKind,
      detail: `${verification.keyKind} key: ${
        denied.length === 0
          ? "every probed sequence endpoint is reachable"
          : `${denied.length} sequence endpoint(s) refused: ${denied.map((p) => p.scope).join(", ")}`
      }${unclear.length === 0 ? "" : `; ${unclear.length} probe(s) inconclusive`}`,
      probes: verification.probes.map((p) => ({
        operation: p.operation,
        scope: p.scope,
        status: p.status,
        detail: p.detail
      })),
      ...(denied.length === 0
        ? {}
        : {
            error: {
              _tag: "PermissionDenied",
              message: `apollo: the key cannot reach ${denied.map((p) => p.scope).join(", ")}; use a master key or add these scopes`,
              exitCode: ExitCode.auth
            }
          })
    })
  }).pipe(
    Effect.catchAll((e) => {
      const rendered = renderCause(Cause.fail(e))
      if (rendered.unexpected) return Effect.fail(e)
      return Effect.succeed(
        check({
          provider: settings.provider,
          baseUrl: settings.baseUrl,
          ok: false,
          detail: rendered.message,
          error: { _tag: rendered.tag, message: rendered.message, exitCode: rendered.code }
        })
      )
    })
  )

const verify = Command.make("verify", { ...common, provider: verifyProvider }, (args) =>
  Effect.gen(function* () {
    const names = Option.match(args.provider, { onNone: () => providerNames, onSome: (p) => [p] as const })
    const all = yield* Effect.forEach(names, (name) => settingsFor(name, args))
    const configured = Option.isSome(args.provider) ? all : all.filter(hasCredentials)
    if (configured.length === 0)
      return yield* new UsageError({
        message: "no credentials set: export KIT_API_KEY (or KIT_OAUTH_TOKEN) and/or APOLLO_API_KEY"
      })
    const checks = yield* Effect.forEach(configured, checkOne)
    if (args.json) yield* outJson({ command: "verify", providers: checks })
    else {
      for (const check of checks) {
        yield* out(`${check.provider}  ${check.ok ? "ok  " : "FAIL"}  ${check.baseUrl}  ${check.detail}`)
        for (const p of check.probes ?? [])
          yield* out(
            `    ${p.status === "reachable" ? "✓" : p.status === "unprobed" ? "·" : p.status === "failed" ? "?" : "✗"} ${p.scope}: ${p.status}${p.status === "failed" || p.status === "denied" ? ` (${p.detail})` : ""}`
          )
      }
      for (const skipped of all.filter((s) => !configured.includes(s)))
        yield* out(`${skipped.provider}  skip  no credentials set`)
    }
    const failed = checks.find((c) => !c.ok)
    if (failed?.error !== undefined) {
      yield* err(`error: ${failed.error.message}`)
      return yield* Effect.fail(new VerifyFailed({ code: failed.error.exitCode }))
    }
  })
).pipe(Command.withDescription("Check credentials and which endpoints they reach (writes nothing)"))

/** Verify printed its own report; this only carries the exit code. */
class VerifyFailed {
  readonly _tag = "VerifyFailed"
  constructor(readonly args: { readonly code: number }) {}
}

// ---- root ----

const command = Command.make("unisequence").pipe(
  Command.withDescription("Email sequences on Kit and Apollo: list, export, sequences as code, migrate"),
  Command.withSubcommands([list, show, exportCommand, planCommand, applyCommand, migrate, verify])
)

const cli = Command.run(command, { name: "unisequence", version })

export interface RunOptions {
  /** A person can answer prompts (default: stdin and stdout are terminals). */
  readonly interactive?: boolean
  readonly out?: (line: string) => void
  readonly err?: (line: string) => void
  readonly progress?: Progress.Sink
  /** Shared counter, to read the HTTP calls made after the run. */
  readonly counter?: CallCounter
}

/**
 * Runs the command on `args` (without `node` and the script) and returns the exit code. Expected
 * failures are printed as one `error: …` line on stderr (and as JSON on stdout with `--json`);
 * unexpected ones also print their cause.
 */
export const run = (
  args: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<ExitCode | number, never, CliApp.CliApp.Environment> => {
  const context: Run = {
    out: options.out ?? ((line) => process.stdout.write(`${line}\n`)),
    err: options.err ?? ((line) => process.stderr.write(`${line}\n`)),
    interactive: options.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true),
    progress: options.progress ?? Progress.stderrSink(),
    counter: options.counter ?? makeCounter()
  }
  const wantsJson = args.includes("--json")
  return cli(["node", "unisequence", ...args]).pipe(
    Effect.provide(FetchHttpClient.layer),
    Effect.provideService(RunContext, context),
    Effect.exit,
    Effect.map((exit) => {
      if (Exit.isSuccess(exit)) return ExitCode.ok
      const failure = Cause.failureOption(exit.cause)
      if (Option.isSome(failure) && failure.value instanceof VerifyFailed) return failure.value.args.code
      const rendered = renderCause(exit.cause)
      if (rendered.tag === "SequenceFileError" && Option.isSome(failure)) {
        for (const line of fileIssueLines(failure.value)) context.err(`error: ${line}`)
      } else context.err(`error: ${rendered.message}`)
      if (rendered.unexpected) context.err(Cause.pretty(exit.cause))
      // An incomplete run already printed its document, which says what was left undone.
      if (wantsJson && rendered.tag !== "Incomplete")
        context.out(
          JSON.stringify({
            error: { _tag: rendered.tag, message: rendered.message, exitCode: rendered.code }
          })
        )
      return rendered.code
    })
  )
}

const fileIssueLines = (error: unknown): ReadonlyArray<string> =>
  error instanceof SequenceFile.SequenceFileError
    ? error.issues.map(
        (i) =>
          `${error.file}${i.line === undefined ? "" : `:${i.line}:${i.column ?? 1}`}: ${i.path === "" ? "" : `${i.path}: `}${i.message}`
      )
    : []
