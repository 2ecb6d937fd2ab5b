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
  readonly children?: ReadonlyArray<number>
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

const label = (frame: CallFrame) => {
  const file = frame.url.replace(/^.*\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/)?/, "")
  return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`
}

export interface Summary {
  readonly total: number
  /** Self time per function. */
  readonly functions: ReadonlyArray<Row>
  /** Self time per package. */
  readonly packages: ReadonlyArray<Row>
  /**
   * Inclusive time of our own functions (workspace packages): the time spent in them and in what
   * they call synchronously. Effect's fiber loop cuts stacks, so this shows synchronous work such as
   * mapping and model construction, not whole operations.
   */
  readonly ours: ReadonlyArray<Row>
}

export const summarise = (profile: Profile): Summary => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  const functions = new Map<string, number>()
  const packages = new Map<string, number>()
  const ours = new Map<string, number>()
  let total = 0
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame
    if (frame === undefined) continue
    total += ms
    const name = label(frame)
    functions.set(name, (functions.get(name) ?? 0) + ms)
    const pkg = packageOf(frame.url)
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const up = byId.get(at)?.callFrame
      if (up === undefined || !/\/packages\/[^/]+\/src\//.test(up.url)) continue
      const key = label(up)
      if (seen.has(key)) continue
      seen.add(key)
      ours.set(key, (ours.get(key) ?? 0) + ms)
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / total }))
      .sort((a, b) => b.selfMs - a.selfMs)
  return { total, functions: rows(functions), packages: rows(packages), ours: rows(ours) }
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
  const { total, functions, packages, ours } = summarise(parsed)
  const line = (r: Row) =>
    `${r.selfMs.toFixed(0).padStart(8)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}`
  console.log(`total sampled: ${total.toFixed(0)} ms\n\nself time by package:`)
  for (const r of packages.slice(0, 15)) console.log(line(r))
  console.log(`\nself time by function (top ${top}):`)
  for (const r of functions.slice(0, top)) console.log(line(r))
  console.log("\ninclusive time of our functions (synchronous callees included):")
  for (const r of ours.slice(0, 15)) console.log(line(r))
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) main()
