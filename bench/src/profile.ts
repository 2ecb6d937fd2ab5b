/**
 * `tsx src/profile.ts <file.cpuprofile> [top]`: summarises a V8 CPU profile (from `node --cpu-prof`)
 * by self time per function, and by package (node_modules package or our workspace package), so
 * a missed target can be traced to where the time goes.
 */
import * as fs from "node:fs"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly hitCount?: number
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const isProfile = (u: unknown): u is Profile =>
  typeof u === "object" && u !== null && "nodes" in u && "samples" in u && "timeDeltas" in u

/** `effect`, `@effect/platform`, `kit (ours)`, `node:internal`… */
export const packageOf = (url: string): string => {
  if (url === "") return "(native / vm)"
  const modules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (modules?.[1] !== undefined) return modules[1]
  const ours = /\/(packages\/[^/]+|bench)\//.exec(url)
  if (ours?.[1] !== undefined) return `${ours[1]} (ours)`
  if (url.startsWith("node:")) return "node internals"
  return url
}

export interface Row {
  readonly name: string
  readonly selfMs: number
  readonly share: number
}

export const summarise = (
  profile: Profile
): {
  readonly total: number
  readonly functions: ReadonlyArray<Row>
  readonly packages: ReadonlyArray<Row>
} => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  const functions = new Map<string, number>()
  const packages = new Map<string, number>()
  let total = 0
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame
    if (frame === undefined) continue
    total += ms
    const file = frame.url.replace(/^.*\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/)?/, "")
    const name = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`
    functions.set(name, (functions.get(name) ?? 0) + ms)
    const pkg = packageOf(frame.url)
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms)
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / total }))
      .sort((a, b) => b.selfMs - a.selfMs)
  return { total, functions: rows(functions), packages: rows(packages) }
}

const main = () => {
  const [file, topArg] = process.argv.slice(2)
  if (file === undefined) {
    console.error("usage: tsx src/profile.ts <file.cpuprofile> [top]")
    process.exitCode = 1
    return
  }
  const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"))
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`)
  const top = Number(topArg ?? 30)
  const { total, functions, packages } = summarise(parsed)
  const line = (r: Row) =>
    `${r.selfMs.toFixed(0).padStart(8)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}`
  console.log(`total sampled: ${total.toFixed(0)} ms\n\nself time by package:`)
  for (const r of packages.slice(0, 15)) console.log(line(r))
  console.log(`\nself time by function (top ${top}):`)
  for (const r of functions.slice(0, top)) console.log(line(r))
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) main()
