/**
 * The two simulator options the reliability tests rely on: Apollo windows scaled down
 * (`rateLimit.windowScale`) and budget headers left out (`rateLimit.budgetHeaders: false`).
 */
import { ApolloSimulator } from "@unisequence/testing"
import { afterEach, describe, expect, it } from "vitest"

const search = (url: string) =>
  fetch(`${url}/api/v1/emailer_campaigns/search`, {
    method: "POST",
    headers: { "x-api-key": ApolloSimulator.defaultMasterKey, "content-type": "application/json" },
    body: "{}"
  })

const open: Array<ApolloSimulator.ApolloSimulator> = []
afterEach(async () => {
  for (const sim of open.splice(0)) await sim.close()
})

describe("Apollo simulator rate-limit options", () => {
  it("windowScale: 60 makes a per-minute window last a second, and retry-after says so", async () => {
    let now = 1_000_000_000_000
    const sim = await ApolloSimulator.startAsync({
      quirks: { readOneSequence: true },
      now: () => now,
      rateLimit: { default: { perMinute: 2 }, windowScale: 60 }
    })
    open.push(sim)
    expect((await search(sim.url)).status).toBe(200)
    expect((await search(sim.url)).status).toBe(200)
    const limited = await search(sim.url)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get("retry-after"))).toBe(1)
    now += 1_000
    expect((await search(sim.url)).status).toBe(200)
  })

  it("budgetHeaders: false leaves out the x-*-requests-left headers, on answers and on 429s", async () => {
    const sim = await ApolloSimulator.startAsync({
      quirks: { readOneSequence: true },
      rateLimit: { default: { perMinute: 1 }, budgetHeaders: false }
    })
    open.push(sim)
    const first = await search(sim.url)
    const second = await search(sim.url)
    expect(first.status).toBe(200)
    expect(second.status).toBe(429)
    for (const response of [first, second]) {
      expect(
        [...response.headers.keys()].filter((name) => name.startsWith("x-") && name.includes("minute"))
      ).toEqual([])
    }
    const withHeaders = await ApolloSimulator.startAsync({
      quirks: { readOneSequence: true },
      rateLimit: { default: { perMinute: 5 } }
    })
    open.push(withHeaders)
    expect((await search(withHeaders.url)).headers.get("x-minute-requests-left")).toBe("4")
  })
})
