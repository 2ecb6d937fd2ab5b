/**
 * Every benchmark once at its tiny size, so none rots: each must produce its figures, and the
 * correctness figures (call counts, failed calls) must have their exact values. Speed figures are
 * printed by `pnpm bench`, never asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { all } from "../src/benches/index.js"
import type { Figure } from "../src/figures.js"
import { operations } from "../src/benches/callCounts.js"
import { measure as ablation } from "../src/ablation.js"
import { measure } from "../src/micro.js"
import { summarise } from "../src/profile.js"
import * as Host from "../src/simulators/host.js"

let host: Host.Host

beforeAll(async () => {
  host = await Host.start("child")
})

afterAll(async () => {
  await host.close()
})

const runBench = async (id: number): Promise<ReadonlyArray<Figure>> => {
  const bench = all.find((b) => b.id === id)
  if (bench === undefined) throw new Error(`no benchmark ${id}`)
  return bench.run({ host, size: "tiny", progress: () => {} })
}

const exactOnes = (figures: ReadonlyArray<Figure>) => figures.filter((f) => f.exact !== undefined)

const expectExact = (figures: ReadonlyArray<Figure>) => {
  for (const figure of exactOnes(figures)) {
    expect({ benchmark: figure.benchmark, figure: figure.figure, value: figure.value }).toEqual({
      benchmark: figure.benchmark,
      figure: figure.figure,
      value: figure.exact?.expected
    })
    expect(figure.met, `${figure.benchmark}: ${figure.figure} = ${figure.shown}`).toBe(true)
  }
}

const finite = (figure: Figure) => Number.isFinite(figure.value) && figure.value >= 0

/** Every figure a number ≥ 0; the others are named with what they showed. */
const expectFinite = (figures: ReadonlyArray<Figure>) =>
  expect(figures.filter((f) => !finite(f)).map((f) => `${f.benchmark}: ${f.figure} = ${f.shown}`)).toEqual([])

describe("benchmarks at tiny size", () => {
  it("1: adapter / raw ratios for sequential and concurrent gets, 2 requests per get", async () => {
    const figures = await runBench(1)
    const ratios = figures.filter((f) => f.figure === "wall time adapter / raw")
    expect(ratios.map((f) => f.benchmark)).toEqual(["get ×16 (sequential)", "get ×16 (concurrency 16)"])
    expectFinite(ratios)
    expect(figures.filter((f) => f.figure.startsWith("breakdown")).length).toBe(8)
    expect(figures.filter((f) => f.figure.includes("undici.request")).map((f) => f.figure)).toEqual([
      "raw undici.request (the floor) / plain fetch",
      "adapter / raw undici.request",
      "raw undici.request (the floor) / plain fetch",
      "adapter / raw undici.request"
    ])
    for (const other of ["FetchHttpClient", "NodeHttpClient.layerUndici"]) {
      const rows = figures.filter((f) => f.figure === `adapter on ${other} / plain fetch`)
      expect(rows.length).toBe(2)
      expectFinite(rows)
    }
    expect(exactOnes(figures).length).toBe(2)
    expectExact(figures)
  })

  it("2: list ratio, RSS growth, one request per page", async () => {
    const figures = await runBench(2)
    expect(figures.map((f) => f.figure)).toEqual([
      "time adapter / raw (= raw items/s ÷ adapter items/s)",
      "adapter on FetchHttpClient / raw",
      "breakdown: KitClient.listSequences (no neutral mapping) / raw",
      "peak RSS growth while listing (adapter)",
      "breakdown: peak RSS growth, KitClient.listSequences alone",
      "requests per listing (pages of 1,000)"
    ])
    expectFinite(figures)
    expectExact(figures)
  })

  it("3: every neutral operation makes exactly the calls counted for it, on both profiles, read-backs shown", async () => {
    const figures = await runBench(3)
    const per = (profile: "documented" | "observed") =>
      operations("kit", profile).length + operations("apollo", profile).length
    expect(figures.length).toBe(per("documented") + per("observed"))
    // Every operation ran; its count is what the simulator logged.
    for (const figure of figures) expect(figure.shown.startsWith("failed"), figure.shown).toBe(false)
    const counts = Object.fromEntries(figures.map((f) => [f.benchmark, f.value]))
    const same = {
      "Kit get": 2,
      "Kit create, 0 steps": 1,
      "Kit create, 3 steps": 4,
      "Kit update: rename": 1,
      "Kit update: empty patch": 0,
      "Kit addStep: append": 1,
      "Kit addStep: insert at index 1 of 5": 6,
      "Kit updateStep: subject": 1,
      "Kit removeStep": 1,
      "Kit moveStep: 2nd to last": 2,
      "Kit replaceSteps: no-op": 1,
      "Kit replaceSteps: reverse 5": 5,
      "Kit setActive: activate": 1,
      "Kit remove": 1,
      "Kit enroll 1": 1,
      "Apollo get": 1,
      "Apollo create, 0 steps": 1,
      "Apollo create, 3 steps": 1,
      "Apollo update: rename": 1,
      "Apollo update: empty patch": 0,
      "Apollo updateStep: subject": 2,
      "Apollo removeStep": 2,
      "Apollo moveStep: 2nd to last": 2,
      "Apollo replaceSteps: no-op": 1,
      "Apollo replaceSteps: reverse 5": 2,
      "Apollo setActive: activate": 1,
      "Apollo remove": 1,
      "Apollo enroll 1": 1,
      "Apollo enroll 1, no sendFrom": 2
    }
    const named = (profile: string, entries: Record<string, number>) =>
      Object.fromEntries(Object.entries(entries).map(([name, n]) => [`${name} (${profile})`, n]))
    expect(counts).toEqual({
      ...named("documented", {
        ...same,
        // The documented update answer names no touch's step: the new step's ids are read back.
        "Apollo addStep: append": 3,
        "Apollo addStep: insert at index 1 of 5": 3
      }),
      ...named("observed", {
        ...same,
        "Apollo addStep: append": 2,
        "Apollo addStep: insert at index 1 of 5": 2
      })
    })
    // The read-backs are shown apart, and only where the documented answers lack the ids.
    expect(figures.filter((f) => f.shown.includes("read-back")).map((f) => [f.benchmark, f.shown])).toEqual([
      ["Apollo addStep: append (documented)", "3, 1 read-back (3, 1 read-back)"],
      ["Apollo addStep: insert at index 1 of 5 (documented)", "3, 1 read-back (3, 1 read-back)"]
    ])
    // `met` is exactly "equal to the minimum".
    for (const figure of figures) expect(figure.met).toBe(figure.value === figure.exact?.expected)
  })

  for (const [id, provider] of [
    [4, "Kit"],
    [5, "Apollo"]
  ] as const)
    it(`${id}: migration into rate-limited ${provider}: a rate ratio, a 429 share, no failed call`, async () => {
      const figures = await runBench(id)
      expect(figures.map((f) => f.figure)).toEqual([
        "achieved rate / allowed rate",
        "429s / requests",
        "failed calls; sequences verified",
        "migration wall time / fastest the limits allow",
        ...(id === 4
          ? [
              "ablation: ours (Resilience.fixedWindow) — achieved / allowed; 429s",
              "ablation: Effect RateLimiter fixed-window — achieved / allowed; 429s",
              "ablation: Effect RateLimiter fixed-window, window + 2% — achieved / allowed; 429s",
              "ablation: Effect RateLimiter token-bucket — achieved / allowed; 429s"
            ]
          : [])
      ])
      expectFinite(figures)
      // The wall time is never below the fastest the limits allow.
      const wall = figures.find((f) => f.figure === "migration wall time / fastest the limits allow")
      expect(wall?.value).toBeGreaterThanOrEqual(1)
      expectExact(figures)
    })

  it("6: Kit → Apollo migration rates, the concurrency chosen, nothing failed", async () => {
    const figures = await runBench(6)
    const rates = figures.filter((f) => f.figure.startsWith("sequences/s"))
    expect(rates.length).toBe(2)
    expect(rates.every((f) => f.value > 0)).toBe(true)
    const chosen = figures.find((f) => f.figure === "concurrency chosen")
    expect([1, 8]).toContain(chosen?.value)
    expectExact(figures)
  })
})

describe("profile summary", () => {
  it("adds self time per function and per package", () => {
    const node = (id: number, functionName: string, url: string) => ({
      id,
      callFrame: { functionName, url, lineNumber: 0 }
    })
    const summary = summarise({
      nodes: [
        node(
          1,
          "decode",
          "file:///x/node_modules/.pnpm/effect@3.22.4/node_modules/effect/dist/esm/ParseResult.js"
        ),
        node(2, "toSummary", "file:///home/dev/unisequence/packages/kit/src/internal/mapping.ts"),
        node(3, "", "")
      ],
      samples: [1, 1, 2, 3],
      timeDeltas: [1000, 3000, 2000, 4000]
    })
    expect(summary.total).toBe(10)
    expect(summary.packages.map((p) => [p.name, p.selfMs])).toEqual([
      ["effect", 4],
      ["(native / vm)", 4],
      ["packages/kit (ours)", 2]
    ])
    expect(summary.functions[0]).toMatchObject({ selfMs: 4 })
  })
})

describe("micro stages", () => {
  it("times every stage of a read on real simulator bodies", async () => {
    const stages = await measure(0.1)
    expect(stages.map((s) => s.stage)).toContain("list item: new SequenceSummary (validated)")
    expect(stages.length).toBe(18)
    for (const stage of stages) expect(stage.micros, stage.stage).toBeGreaterThan(0)
  })
})

describe("ablation of the pipeline's layers", () => {
  it("times a request on each transport and with each layer added, in wall and CPU time", async () => {
    const layers = await ablation(20, 1, host)
    expect(layers.map((l) => l.layer)).toContain("default + Effect.timeoutFail per attempt")
    expect(layers.map((l) => l.layer)).toContain("the whole pipeline: KitClient.listEmailsPage")
    expect(layers.length).toBe(18)
    for (const layer of layers) {
      expect(layer.micros, layer.layer).toBeGreaterThan(0)
      expect(layer.cpuMicros, layer.layer).toBeGreaterThanOrEqual(0)
      expect(layer.cpuMicros16, layer.layer).toBeGreaterThanOrEqual(0)
    }
  })
})

describe("7: CLI start-up", () => {
  it("measures the bundled bin against node -e 0 (no ablation at tiny size), and a missing key exits 3", async () => {
    const figures = await runBench(7)
    expect(figures.map((f) => f.figure)).toEqual([
      "`unisequence --help` wall time / `node -e 0` (medians)",
      "`unisequence --help` peak RSS",
      "missing key (`list --provider kit`) wall time / `node -e 0`; peak RSS",
      "exit code of a missing key"
    ])
    for (const figure of figures) expect(Number.isFinite(figure.value), figure.figure).toBe(true)
    expectExact(figures)
  })
})
