/**
 * Runs example programs one after the other in this one Node process, each exactly as `tsx FILE`
 * would run it (imported, so its top-level program starts), and prints, as one JSON line, what each
 * wrote to stdout and stderr and the exit code it set: `node --import tsx runExamples.ts A.ts B.mjs`.
 *
 * An example is finished when Node's event loop is empty (`beforeExit`): its simulators closed, its
 * promise settled. The next one starts from there, so the output of each is its own. One process
 * for all of them loads Node, tsx and the packages once instead of once per example.
 */
import * as NodePath from "node:path"
import { pathToFileURL } from "node:url"

interface Outcome {
  readonly file: string
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** From its start until the event loop was empty. */
  readonly ms: number
}

const files = process.argv.slice(2)
const outcomes: Array<Outcome> = []
const write = {
  stdout: process.stdout.write.bind(process.stdout),
  stderr: process.stderr.write.bind(process.stderr)
}
let current: { file: string; stdout: string; stderr: string; started: number } | undefined

/** While an example runs, what it writes is kept as its own output. */
const capture =
  (stream: "stdout" | "stderr") =>
  (chunk: string | Uint8Array, ...rest: Array<unknown>): boolean => {
    if (current === undefined) return write[stream](chunk)
    current[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")
    const callback = rest.find((r): r is () => void => typeof r === "function")
    if (callback !== undefined) callback()
    return true
  }
process.stdout.write = capture("stdout") as typeof process.stdout.write
process.stderr.write = capture("stderr") as typeof process.stderr.write

const finish = () => {
  if (current === undefined) return
  const code = typeof process.exitCode === "number" ? process.exitCode : 0
  outcomes.push({
    file: current.file,
    code,
    stdout: current.stdout,
    stderr: current.stderr,
    ms: Math.round(performance.now() - current.started)
  })
  current = undefined
  process.exitCode = 0
}

const next = (): void => {
  finish()
  const file = files[outcomes.length]
  if (file === undefined) {
    process.removeListener("beforeExit", next)
    write.stdout(`${JSON.stringify(outcomes)}\n`)
    return
  }
  current = { file, stdout: "", stderr: "", started: performance.now() }
  import(pathToFileURL(NodePath.resolve(file)).href).catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}

process.on("beforeExit", next)
next()
