/**
 * 7. CLI start-up: the published executable (bundled by scripts/bundle-cli.mjs, exactly as
 * `pnpm build` bundles it) run as a user runs it, vs `node -e 0`, in interleaved rounds so that load
 * on the machine falls on every case alike. Wall time is the median of each case; peak RSS is the
 * child's own peak (`VmHWM`), read at its exit by a preloaded hook (in separate runs, so that the hook
 * costs no wall time). The hook is a CommonJS file given to `--require`: one given to `--import`
 * would start Node's ESM loader, 2 MB that a CommonJS executable does not load by itself. The first
 * run of each bundle writes V8's code cache and is not counted.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Bench } from "../bench.js"
import { sized } from "../bench.js"
import { atMost, type Figure, fixed } from "../figures.js"

const root = path.resolve(import.meta.dirname, "../../..")

interface Case {
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly env?: Record<string, string>
}

/** The environment without provider keys, so that `list` fails fast on a missing key. */
const bare = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(KIT|APOLLO)_/.test(name) && name !== "NODE_OPTIONS") env[name] = value
  }
  return env
}

/**
 * The preloaded hook that prints the child's peak RSS at its exit: Linux's `VmHWM`, the peak of the
 * program's own memory, where `resourceUsage().maxRSS` also counts the parent it was forked from
 * (it survives `exec`: after benchmarks 1-5 had grown this process, `node -e 0` read 79 MB by it, 40 MB
 * by `VmHWM`). Elsewhere, `maxRSS`.
 */
const rssHook = `process.on("exit",()=>{let kb=process.resourceUsage().maxRSS;try{const m=/VmHWM:\\s+(\\d+)/.exec(require("node:fs").readFileSync("/proc/self/status","utf8"));if(m)kb=Number(m[1])}catch{}require("node:fs").writeSync(2,"\\nunisequence-maxrss:"+kb+"\\n")})\n`

interface Sample {
  readonly ms: number
  readonly status: number | null
}

const once = (c: Case, hook: string | undefined): Sample & { readonly rssKb: number | undefined } => {
  const started = performance.now()
  const result = spawnSync(
    process.execPath,
    hook !== undefined ? ["--require", hook, ...c.args] : [...c.args],
    {
      env: { ...bare(), ...c.env },
      encoding: "utf8"
    }
  )
  const ms = performance.now() - started
  const match = /unisequence-maxrss:(\d+)/.exec(result.stderr ?? "")
  return { ms, status: result.status, rssKb: match === null ? undefined : Number(match[1]) }
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export const bench: Bench = {
  id: 7,
  title: "CLI start-up",
  run: async ({ size, progress }) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "unisequence-bin-"))
    const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), "unisequence-bench-tmp-"))
    try {
      const bundled = spawnSync(process.execPath, [path.join(root, "scripts/bundle-cli.mjs"), out], {
        encoding: "utf8"
      })
      if (bundled.status !== 0) throw new Error(`bundling the CLI failed:\n${bundled.stderr}`)
      const bin = path.join(out, "bin/unisequence.js")
      const hook = path.join(out, "maxrss-hook.cjs")
      fs.writeFileSync(hook, rssHook)
      // A private temporary directory: the code cache starts empty and is this run's own.
      const cached = { TMPDIR: cacheHome }
      const noCache: Case = {
        name: "--help, no code cache",
        args: [bin, "--help"],
        env: { NODE_DISABLE_COMPILE_CACHE: "1" }
      }
      // The executable's own V8 settings for start-up (scripts/internal/bin-loader.cjs), given their
      // default values on the command line: the loader then leaves them alone.
      const v8Defaults: Case = {
        name: "--help, V8 defaults",
        args: ["--semi-space-growth-factor=2", "--turbofan", bin, "--help"],
        env: cached
      }
      const cases: ReadonlyArray<Case> = [
        { name: "node -e 0", args: ["-e", "0"] },
        { name: "--help", args: [bin, "--help"], env: cached },
        { name: "missing key", args: [bin, "list", "--provider", "kit"], env: cached },
        // The ablations are left out of the tests' tiny run.
        ...(size === "full" ? [noCache, v8Defaults] : [])
      ]
      // Tiny (the tests): one round, RSS read in the timed runs; full: separate runs for RSS.
      const separateRss = size === "full"
      // Warm-up: the first run of the bundle writes its code cache.
      for (const c of cases) if (c.env === cached) once(c, undefined)
      const rounds = sized(size, 1, 21)
      const times = new Map<string, Array<number>>(cases.map((c) => [c.name, []]))
      const rss = new Map<string, Array<number>>(cases.map((c) => [c.name, []]))
      const statuses = new Map<string, number | null>()
      for (let round = 0; round < rounds; round++) {
        for (const c of cases) {
          const timed = once(c, separateRss ? undefined : hook)
          times.get(c.name)!.push(timed.ms)
          statuses.set(c.name, timed.status)
          const measured = separateRss ? once(c, hook) : timed
          if (measured.rssKb !== undefined) rss.get(c.name)!.push(measured.rssKb)
        }
        if ((round + 1) % 5 === 0) progress(`  round ${round + 1}/${rounds}`)
      }
      const helpStatus = statuses.get("--help")
      if (helpStatus !== 0) throw new Error(`unisequence --help exited ${helpStatus}`)
      const missingStatus = statuses.get("missing key") ?? -1
      const ms = (name: string) => median(times.get(name)!)
      const peakMb = (name: string) => Math.max(...rss.get(name)!) / 1024
      const base = ms("node -e 0")
      const title = `CLI start-up, bundled bin (${rounds} interleaved runs each)`
      const ratio = (name: string) => ms(name) / base
      // The breakdown rows, for the cases this size ran.
      const breakdown = (name: string, figure: string): Figure => ({
        bench: 7,
        benchmark: title,
        figure,
        value: ratio(name),
        shown: `${fixed(ratio(name))}; ${peakMb(name).toFixed(1)} MB`,
        target: "report",
        met: undefined
      })
      const breakdowns = [
        {
          name: noCache.name,
          figure: "breakdown: `--help` without V8's code cache / `node -e 0`; peak RSS"
        },
        {
          name: v8Defaults.name,
          figure: "breakdown: `--help` with V8's defaults (no start-up settings) / `node -e 0`; peak RSS"
        }
      ]
        .filter(({ name }) => times.has(name))
        .map(({ name, figure }) => breakdown(name, figure))
      const figures: Array<Figure> = [
        {
          bench: 7,
          benchmark: title,
          figure: "`unisequence --help` wall time / `node -e 0` (medians)",
          value: ratio("--help"),
          shown: fixed(ratio("--help")),
          target: "≤ 4.00",
          met: atMost(ratio("--help"), 4),
          note: `medians: node -e 0 ${base.toFixed(0)} ms, --help ${ms("--help").toFixed(0)} ms, missing key ${ms("missing key").toFixed(0)} ms${times.has(noCache.name) ? `, --help without the code cache ${ms(noCache.name).toFixed(0)} ms` : ""}${times.has(v8Defaults.name) ? `, --help with V8's defaults ${ms(v8Defaults.name).toFixed(0)} ms` : ""}; peak RSS of node -e 0 ${peakMb("node -e 0").toFixed(0)} MB`
        },
        {
          bench: 7,
          benchmark: title,
          figure: "`unisequence --help` peak RSS",
          value: peakMb("--help"),
          // One decimal: rounded to the megabyte, a peak just under the target would print as it.
          shown: `${peakMb("--help").toFixed(1)} MB`,
          target: "< 80 MB",
          met: peakMb("--help") < 80
        },
        {
          bench: 7,
          benchmark: title,
          figure: "missing key (`list --provider kit`) wall time / `node -e 0`; peak RSS",
          value: ratio("missing key"),
          shown: `${fixed(ratio("missing key"))}; ${peakMb("missing key").toFixed(1)} MB`,
          target: "report",
          met: undefined
        },
        ...breakdowns,
        {
          bench: 7,
          benchmark: title,
          figure: "exit code of a missing key",
          value: missingStatus,
          shown: String(missingStatus),
          target: "= 3",
          met: missingStatus === 3,
          exact: { expected: 3 }
        }
      ]
      return figures
    } finally {
      fs.rmSync(out, { recursive: true, force: true })
      fs.rmSync(cacheHome, { recursive: true, force: true })
    }
  }
}
