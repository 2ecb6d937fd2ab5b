/**
 * The measured process's handle on the simulators. By default they run in a child process (see
 * README: fairness), reached over IPC; `inProcess` runs the same dispatcher here instead.
 */
import { type ChildProcess, fork } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import {
  type ApolloStart,
  type Command,
  type KitSeedInput,
  type KitStart,
  type Logged,
  makeDispatcher,
  type Started
} from "./commands.js"

export type Mode = "child" | "in-process"

export interface Host {
  readonly mode: Mode
  readonly call: (command: Command) => Promise<unknown>
  readonly close: () => Promise<void>
}

export interface RemoteSimulator {
  readonly url: string
  readonly log: () => Promise<ReadonlyArray<Logged>>
  readonly clearLog: () => Promise<void>
  readonly close: () => Promise<void>
}

export interface RemoteKit extends RemoteSimulator {
  readonly reset: (seed?: KitSeedInput) => Promise<void>
  readonly state: () => Promise<KitSimulator.Snapshot>
}

export interface RemoteApollo extends RemoteSimulator {
  readonly reset: (seed?: ApolloSimulator.Seed) => Promise<void>
  readonly state: () => Promise<ApolloSimulator.Snapshot>
}

const here = path.dirname(fileURLToPath(import.meta.url))

/** Starts the simulator process (TypeScript through tsx's loader, like the parent). */
const startChild = (): Promise<Host> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = fork(path.join(here, "child.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let nextId = 1
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
    let ready = false
    child.on("message", (message: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      if (message.id === 0 && !ready) {
        ready = true
        resolve(host)
        return
      }
      const waiting = pending.get(message.id)
      if (waiting === undefined) return
      pending.delete(message.id)
      if (message.ok) waiting.resolve(message.value)
      else waiting.reject(new Error(message.error ?? "simulator process failed"))
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      const error = new Error(`simulator process exited (${code})`)
      if (!ready) reject(error)
      for (const waiting of pending.values()) waiting.reject(error)
      pending.clear()
    })
    const host: Host = {
      mode: "child",
      call: (command) =>
        new Promise((res, rej) => {
          const id = nextId++
          pending.set(id, { resolve: res, reject: rej })
          child.send({ id, command })
        }),
      close: () =>
        new Promise<void>((res) => {
          if (child.exitCode !== null || !child.connected) return res()
          child.once("exit", () => res())
          child.disconnect()
        })
    }
  })

const startInProcess = (): Promise<Host> => {
  const { dispatch, closeAll } = makeDispatcher()
  // A structured clone keeps the in-process answers as detached as the IPC ones.
  return Promise.resolve({
    mode: "in-process",
    call: async (command) => structuredClone(await dispatch(command)),
    close: closeAll
  })
}

export const start = (mode: Mode = "child"): Promise<Host> =>
  mode === "child" ? startChild() : startInProcess()

const remote = (host: Host, started: Started): RemoteSimulator => ({
  url: started.url,
  log: () => host.call({ cmd: "log", handle: started.handle }) as Promise<ReadonlyArray<Logged>>,
  clearLog: async () => {
    await host.call({ cmd: "clearLog", handle: started.handle })
  },
  close: async () => {
    await host.call({ cmd: "close", handle: started.handle })
  }
})

/** CPU microseconds used by the simulators' process (this one, in-process). */
export const simulatorCpu = async (host: Host): Promise<number> => {
  const value = await host.call({ cmd: "cpu" })
  return typeof value === "number" ? value : Number.NaN
}

export const startKit = async (host: Host, options: KitStart = {}): Promise<RemoteKit> => {
  const started = (await host.call({ cmd: "startKit", options })) as Started
  return {
    ...remote(host, started),
    reset: async (seed) => {
      await host.call({ cmd: "resetKit", handle: started.handle, ...(seed === undefined ? {} : { seed }) })
    },
    state: () => host.call({ cmd: "kitState", handle: started.handle }) as Promise<KitSimulator.Snapshot>
  }
}

export const startApollo = async (host: Host, options: ApolloStart = {}): Promise<RemoteApollo> => {
  const started = (await host.call({ cmd: "startApollo", options })) as Started
  return {
    ...remote(host, started),
    reset: async (seed) => {
      await host.call({ cmd: "resetApollo", handle: started.handle, ...(seed === undefined ? {} : { seed }) })
    },
    state: () =>
      host.call({ cmd: "apolloState", handle: started.handle }) as Promise<ApolloSimulator.Snapshot>
  }
}
