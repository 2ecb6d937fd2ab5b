/**
 * The end of start-up as a command sees it: the function the installed executable registers (it
 * gives V8 its defaults back) is called once a command's module is loaded, and not for help or a
 * usage error, which are start-up only.
 */
import { afterEach, describe, expect, it } from "vitest"
import { commandStarts } from "../src/internal/startup.js"
import { runCli } from "./run.js"

const key = Symbol.for("@unisequence/cli/commandStarts")

const register = (): { calls: number } => {
  const seen = { calls: 0 }
  Reflect.set(globalThis, key, () => {
    seen.calls += 1
  })
  return seen
}

afterEach(() => {
  Reflect.deleteProperty(globalThis, key)
})

describe("commandStarts", () => {
  it("calls the registered function, and does nothing when none is", () => {
    commandStarts()
    const seen = register()
    commandStarts()
    expect(seen.calls).toBe(1)
  })

  it("is called when a command runs (here, to fail on a missing key), not for help or a usage error", async () => {
    const seen = register()
    expect((await runCli(["--help"])).code).toBe(0)
    expect((await runCli(["list", "--provider", "nowhere"])).code).toBe(2)
    expect(seen.calls).toBe(0)
    expect((await runCli(["list", "--provider", "kit"])).code).toBe(3)
    expect(seen.calls).toBe(1)
  })
})
