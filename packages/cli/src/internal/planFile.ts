/**
 * What `plan` and `apply` share: a sequence file loaded and compared with the provider.
 */
import type { FileSystem, HttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { type Journal, type Plan, SequenceFile } from "@unisequence/core"
import { Kit } from "@unisequence/kit"
import { Effect, type Option } from "effect"
import type { RunContext } from "./context.js"
import type { CommandError } from "./errors.js"
import type { Connected } from "./providers.js"
import type { Common } from "./options.js"
import type { ProviderName } from "./settings.js"
import { connectTo } from "./work.js"

export interface PlanFileArgs extends Common {
  readonly provider: ProviderName
  readonly file: string
  readonly prune: boolean
  readonly activate: boolean
  readonly journal: Option.Option<string>
}

export interface Planned {
  readonly plan: Plan.Plan
  readonly connected: Connected
}

export const planFile = (
  args: PlanFileArgs
): Effect.Effect<
  Planned,
  CommandError,
  RunContext | HttpClient.HttpClient | Journal.Journal | FileSystem.FileSystem
> =>
  Effect.gen(function* () {
    const sequenceFile = yield* SequenceFile.load(args.file)
    const connected = yield* connectTo(args.provider, args)
    const plan = yield* SequenceFile.plan({
      file: sequenceFile,
      target: connected.sequences,
      prune: args.prune,
      activate: args.activate,
      fileName: args.file,
      // Options the file may carry for either provider are judged as a migration from it would be.
      sources: [Kit.capabilities, Apollo.capabilities]
    })
    return { plan, connected }
  })
