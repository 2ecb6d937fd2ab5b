import { spawnSync } from "node:child_process"
import * as NodeOs from "node:os"
import { describe, expect, it } from "@effect/vitest"
import { ProcessIdentity } from "../src/index.js"

describe("ProcessIdentity", () => {
  it("names this host and process", () => {
    expect(ProcessIdentity.identity).toMatchObject({ host: NodeOs.hostname(), pid: process.pid })
  })
  it("this process is alive; one that has exited is not", () => {
    expect(ProcessIdentity.processAlive(process.pid)).toBe(true)
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8"
    })
    expect(ProcessIdentity.processAlive(Number(child.stdout))).toBe(false)
  })
})
