/**
 * The API reference's examples: every documented module and every export of the Promise package
 * has one, and all of them type-check against the workspace packages — in one compile with one
 * example that is wrong on purpose, which must be the only one that fails.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { codeOf, collect, typecheck } from "../examples.mjs"

describe("documented examples", () => {
  // `tsc -b` builds the packages' declarations first when `pnpm typecheck` has not: a compile, not a wait.
  it("every export of the Promise package and every documented module has an example, and all type-check; a wrong one fails", {
    timeout: 300_000
  }, async () => {
    const { problems, snippets } = collect()
    expect(problems).toEqual([])
    expect(snippets.length).toBeGreaterThan(40)
    const wrong = { id: "wrong on purpose", code: `const count: number = "three"\n` }
    const compiled = await typecheck(
      [...snippets, wrong],
      NodePath.join(import.meta.dirname, "..", ".examples-test")
    )
    // tsc names each error's file (`wrong-on-purpose.ts(2,7): error TS2322: …`).
    const errors = compiled
      .join("\n")
      .split("\n")
      .filter((line) => line.includes(": error TS"))
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.filter((line) => !line.includes("wrong-on-purpose.ts"))).toEqual([])
    expect(errors.join("\n")).toMatch(/wrong-on-purpose\.ts\(2,7\): error TS2322/)
  })

  it("names the export that has no example", () => {
    const { snippets } = collect()
    expect(snippets.some((s) => s.id === "packages/client/src/Client.ts#kit-0")).toBe(true)
  })

  it("takes the fenced code of an example, or its whole text", () => {
    expect(codeOf("intro\n```ts\nconst a = 1\n```\n")).toEqual(["const a = 1\n"])
    expect(codeOf("const b = 2")).toEqual(["const b = 2"])
  })
})
