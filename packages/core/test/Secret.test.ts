import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Redacted } from "effect"
import { Secret } from "../src/index.js"

const whiteSpace = fc.constantFrom(" ", "\r", "\n", "\t", " \r\n", "")
const keyChar = fc.constantFrom(...'abcXYZ019_-/+=."\\ %&?#'.split(""))
const key = fc
  .array(keyChar, { minLength: 6, maxLength: 24 })
  .map((chars) => chars.join(""))
  .filter((k) => k.trim().length >= 4)

describe("Secret", () => {
  it("trim: the key without surrounding white space, still redacted", () => {
    for (const end of [" ", "\r", "\n", "\t", "\r\n"]) {
      const trimmed = Secret.trim(Redacted.make(`key_123${end}`))
      expect(Redacted.isRedacted(trimmed)).toBe(true)
      expect(Redacted.value(trimmed)).toBe("key_123")
    }
  })

  it("forms: trimmed, JSON-escaped, URL-encoded, with and without white space", () => {
    const forms = Secret.forms('a/b+c"d e\n')
    for (const form of [
      'a/b+c"d e',
      'a/b+c\\"d e',
      'a\\/b+c\\"d e',
      "a%2Fb%2Bc%22d%20e",
      "a%2fb%2bc%22d%20e",
      "a%2Fb%2Bc%22d+e"
    ])
      expect(forms).toContain(form)
    expect(forms).toContain('a/b+c\\"d e\\n')
  })

  it("scrubber: short strings are left alone, other text is kept", () => {
    expect(Secret.scrubber(["abc"])("abc abc")).toBe("abc abc")
    expect(Secret.scrubber([" key1 \n"])("said key1, not key2")).toBe("said <redacted>, not key2")
    expect(Secret.scrubber([])("text")).toBe("text")
  })

  it("property: any echoed form of a key with any trailing white space is scrubbed from any text", () => {
    fc.assert(
      fc.property(key, whiteSpace, fc.string(), fc.string(), fc.nat(), (k, end, before, after, n) => {
        const given = `${k}${end}`
        const trimmed = given.trim()
        const encoded = encodeURIComponent(trimmed)
        const echoed = [
          trimmed,
          JSON.stringify(trimmed).slice(1, -1),
          JSON.stringify(trimmed).slice(1, -1).replace(/\//g, "\\/"),
          encoded,
          encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
          encoded.replace(/%20/g, "+")
        ][n % 6]!
        const text = Secret.scrubber([given])(`${before}${echoed}${after}`)
        expect(text).toContain("<redacted>")
        expect(text).not.toContain(trimmed)
        expect(text).not.toContain(echoed)
      }),
      { numRuns: 500 }
    )
  })
})
