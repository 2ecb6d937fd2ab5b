/**
 * What the measured process may ask of the simulators: start, read the request log, reset, close.
 * Every command and answer is plain data, so the same dispatcher serves the child process (over IPC)
 * and the in-process mode.
 */
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { type KitSeedSpec, kitSeed } from "../fixtures.js"

/** One logged request, trimmed to what the benchmarks read. */
export interface Logged {
  readonly method: string
  readonly path: string
  readonly status: number | null
  readonly operation: string | null
  /** The simulator's clock (scaled when `timeScale` is set). */
  readonly at: number
}

export type KitSeedInput = { readonly spec: KitSeedSpec } | { readonly seed: KitSimulator.Seed }

/** `documented` (the simulators' default) answers as the providers' documents say; `observed` adds what clients see. */
export type Profile = "documented" | "observed"

export interface KitStart {
  readonly seed?: KitSeedInput
  readonly rateLimit?: false | KitSimulator.RateLimitOptions
  readonly profile?: Profile
  /** The simulator's clock runs this many times faster than real time (a minute in 2 s at 30). */
  readonly timeScale?: number
}

export interface ApolloStart {
  readonly seed?: ApolloSimulator.Seed
  readonly rateLimit?: false | ApolloSimulator.RateLimitOptions
  readonly profile?: Profile
  /** The simulator's clock runs this many times faster than real time (a minute in 2 s at 30). */
  readonly timeScale?: number
}

export type Command =
  | { readonly cmd: "startKit"; readonly options: KitStart }
  | { readonly cmd: "startApollo"; readonly options: ApolloStart }
  | { readonly cmd: "log"; readonly handle: number }
  | { readonly cmd: "clearLog"; readonly handle: number }
  | { readonly cmd: "resetKit"; readonly handle: number; readonly seed?: KitSeedInput }
  | { readonly cmd: "resetApollo"; readonly handle: number; readonly seed?: ApolloSimulator.Seed }
  | { readonly cmd: "apolloState"; readonly handle: number }
  | { readonly cmd: "kitState"; readonly handle: number }
  | { readonly cmd: "close"; readonly handle: number }
  /** CPU time the simulator process has used so far, in microseconds. */
  | { readonly cmd: "cpu" }

export interface Started {
  readonly handle: number
  readonly url: string
}

type Simulator = KitSimulator.KitSimulator | ApolloSimulator.ApolloSimulator

const seedOf = (input: KitSeedInput | undefined): KitSimulator.Seed | undefined =>
  input === undefined ? undefined : "spec" in input ? kitSeed(input.spec) : input.seed

const trim = (requests: ReadonlyArray<KitSimulator.LoggedRequest | ApolloSimulator.LoggedRequest>) =>
  requests.map(
    (r): Logged => ({ method: r.method, path: r.path, status: r.status, operation: r.operation, at: r.at })
  )

/** Holds the running simulators and answers commands. */
export const makeDispatcher = () => {
  const running = new Map<number, { readonly kind: "kit" | "apollo"; readonly sim: Simulator }>()
  let next = 1

  const get = (handle: number) => {
    const entry = running.get(handle)
    if (entry === undefined) throw new Error(`no simulator ${handle}`)
    return entry
  }
  const kit = (handle: number) => {
    const entry = get(handle)
    if (entry.kind !== "kit") throw new Error(`simulator ${handle} is not Kit`)
    return entry.sim as KitSimulator.KitSimulator
  }
  const apollo = (handle: number) => {
    const entry = get(handle)
    if (entry.kind !== "apollo") throw new Error(`simulator ${handle} is not Apollo`)
    return entry.sim as ApolloSimulator.ApolloSimulator
  }

  const dispatch = async (command: Command): Promise<unknown> => {
    switch (command.cmd) {
      case "startKit": {
        const seed = seedOf(command.options.seed)
        const scale = command.options.timeScale
        const sim = await KitSimulator.startAsync({
          rateLimit: command.options.rateLimit ?? false,
          ...(command.options.profile === undefined ? {} : { profile: command.options.profile }),
          ...(seed === undefined ? {} : { seed }),
          ...(scale === undefined ? {} : { now: () => Date.now() * scale })
        })
        const handle = next++
        running.set(handle, { kind: "kit", sim })
        return { handle, url: sim.url } satisfies Started
      }
      case "startApollo": {
        const scale = command.options.timeScale
        const sim = await ApolloSimulator.startAsync({
          quirks: { readOneSequence: true },
          rateLimit: command.options.rateLimit ?? false,
          ...(command.options.profile === undefined ? {} : { profile: command.options.profile }),
          ...(command.options.seed === undefined ? {} : { seed: command.options.seed }),
          ...(scale === undefined ? {} : { now: () => Date.now() * scale })
        })
        const handle = next++
        running.set(handle, { kind: "apollo", sim })
        return { handle, url: sim.url } satisfies Started
      }
      case "log":
        return trim(get(command.handle).sim.requests)
      case "clearLog":
        get(command.handle).sim.clearLog()
        return null
      case "resetKit":
        kit(command.handle).reset(seedOf(command.seed))
        return null
      case "resetApollo":
        apollo(command.handle).reset(command.seed)
        return null
      case "apolloState":
        return apollo(command.handle).state()
      case "kitState":
        return kit(command.handle).state()
      case "cpu": {
        const usage = process.cpuUsage()
        return usage.user + usage.system
      }
      case "close": {
        const entry = get(command.handle)
        running.delete(command.handle)
        await entry.sim.close()
        return null
      }
    }
  }

  const closeAll = async () => {
    for (const handle of [...running.keys()]) await dispatch({ cmd: "close", handle })
  }

  return { dispatch, closeAll }
}
