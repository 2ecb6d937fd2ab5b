/**
 * A key is never printed, whatever form it takes: keys ending in white space (as pasted or read from
 * a file) against a server that quotes the key it received, raw, JSON-escaped and URL-encoded.
 */
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "./run.js"

/** Characters a JSON body escapes and a URL encodes, so that every form differs from the raw key. */
const core = 'sk_live/Ab+c=d"e\\f g'
const suffixes = [" ", "\r", "\n", "\t", " \r\n"]

const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())

const received: Array<string> = []
let server: NodeHttp.Server
let url = ""

/** Answers 401 quoting the key as received in each form a careless provider might. */
beforeAll(async () => {
  server = NodeHttp.createServer((request, response) => {
    const key = String(request.headers["x-kit-api-key"] ?? request.headers["x-api-key"] ?? "")
    received.push(key)
    const encoded = encodeURIComponent(key)
    response.writeHead(401, { "content-type": "application/json" })
    response.end(
      JSON.stringify({
        errors: [`The key ${key} is invalid`, `see /keys?k=${encoded}`, `or ${lowerHex(encoded)}`],
        error: `The key ${key} is invalid (see /keys?k=${encoded.replace(/%20/g, "+")})`
      })
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const run = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const { code, stdout, stderr } = await runCli(args, env)
  return { code, output: stdout + stderr }
}

/** Every form the key can be recognised in. */
const shown = (key: string) => {
  const trimmed = key.trim()
  const forms = [trimmed, JSON.stringify(trimmed).slice(1, -1), encodeURIComponent(trimmed)]
  return [...forms, lowerHex(encodeURIComponent(trimmed)), encodeURIComponent(trimmed).replace(/%20/g, "+")]
}

describe("keys are trimmed where read and never printed, in any form", () => {
  for (const provider of ["kit", "apollo"] as const)
    for (const suffix of suffixes)
      it(`${provider}, key ending in ${JSON.stringify(suffix)}: error text and --json carry no form of it`, async () => {
        const key = `${provider}_${core}${suffix}`
        const env =
          provider === "kit"
            ? { KIT_API_KEY: key, KIT_BASE_URL: url }
            : { APOLLO_API_KEY: key, APOLLO_BASE_URL: url }
        received.length = 0
        for (const json of [false, true]) {
          const { code, output } = await run(
            ["list", "--provider", provider, ...(json ? ["--json"] : [])],
            env
          )
          expect(code).toBe(3)
          expect(output).toContain("<redacted>")
          for (const form of shown(key)) expect(output).not.toContain(form)
        }
        // The header carried the key trimmed: the server saw the key itself.
        expect(received.length).toBeGreaterThan(0)
        expect(new Set(received)).toEqual(new Set([key.trim()]))
      })
})
