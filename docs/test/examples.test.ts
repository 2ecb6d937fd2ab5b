/**
 * The API reference's examples: every documented module and every export of the Promise package
 * has one, and all of them type-check against the workspace packages.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { check, codeOf, collect, typecheck } from "../examples.mjs"

describe("documented examples", () => {
  // `tsc -b` builds the packages' declarations first when `pnpm typecheck` has not: a compile, not a wait.
  it("every export of the Promise package and every documented module has an example, and all type-check", {
    timeout: 300_000
  }, async () => {
    const { problems, count } = await check()
    expect(problems).toEqual([])
    expect(count).toBeGreaterThan(40)
  })

  it("names the export that has no example", () => {
    const { snippets } = collect()
    expect(snippets.some((s) => s.id === "packages/client/src/Client.ts#kit-0")).toBe(true)
  })

  it("a wrong example fails the check", async () => {
    const problems = await typecheck(
      [{ id: "broken", code: `const count: number = "three"\n` }],
      NodePath.join(import.meta.dirname, "..", ".examples-test")
    )
    expect(problems.join()).toMatch(/TS2322/)
  })

  it("takes the fenced code of an example, or its whole text", () => {
    expect(codeOf("intro\n```ts\nconst a = 1\n```\n")).toEqual(["const a = 1\n"])
    expect(codeOf("const b = 2")).toEqual(["const b = 2"])
  })
})
