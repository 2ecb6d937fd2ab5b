/**
 * `pnpm bench [--only N[,M…]] [--size tiny|full] [--in-process]`: runs the benchmarks against the
 * simulators over loopback and prints one table. Progress goes to stderr, the table to stdout.
 */
import { parseArgs } from "node:util"
import type { Size } from "./bench.js"
import { render } from "./figures.js"
import { run } from "./run.js"

const usage = "usage: pnpm bench [--only N[,M…]] [--size tiny|full] [--in-process]"

const main = async () => {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      only: { type: "string", multiple: true },
      size: { type: "string", default: "full" },
      "in-process": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false }
    }
  })
  if (values.help) {
    console.log(usage)
    return
  }
  const size = values.size
  if (size !== "tiny" && size !== "full") throw new Error(`--size must be tiny or full\n${usage}`)
  const only = values.only
    ?.flatMap((v) => v.split(","))
    .map((v) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 1 || n > 7)
        throw new Error(`--only takes benchmark numbers 1-7, got ${v}\n${usage}`)
      return n
    })
  const mode = values["in-process"] ? "in-process" : "child"
  const started = Date.now()
  const figures = await run({
    size: size satisfies Size,
    mode,
    ...(only === undefined ? {} : { only }),
    progress: (message) => process.stderr.write(`${message}\n`)
  })
  console.log(
    `unisequence benchmarks — size ${size}, simulators ${mode === "child" ? "in a child process" : "in this process"}, node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`
  )
  console.log(render(figures))
  const missed = figures.filter((f) => f.met === false).length
  console.log(
    `\n${missed === 0 ? "every target met" : `${missed} figure${missed === 1 ? "" : "s"} off target (see README.md, findings)`}`
  )
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exitCode = 1
})
