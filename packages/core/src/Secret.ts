/**
 * Credentials as the adapters and the CLI handle them: trimmed where they are read, and scrubbed
 * from any text that may reach a person in every form a provider may echo them.
 *
 * A key pasted or read from a file often ends in a space, `\r`, `\n` or `\t`. HTTP sends a header
 * trimmed, so a provider that quotes the key quotes the trimmed one, perhaps JSON-escaped inside its
 * body or URL-encoded inside a link: looking for the key as given would miss all of these.
 *
 * @example
 * ```ts
 * import { Secret } from "@unisequence/core"
 * import { Redacted } from "effect"
 *
 * const key = Secret.trim(Redacted.make("abc/def+ghi\n"))
 * const scrub = Secret.scrubber(["abc/def+ghi\n"])
 * console.log(scrub(`bad key abc%2Fdef%2Bghi`)) // "bad key <redacted>"
 * console.log(Redacted.value(key).length) // 11
 * ```
 *
 * @module
 */
import { Redacted } from "effect"

/** What replaces a secret in text. */
export const placeholder = "<redacted>"

/** Shorter strings are too likely to occur by chance to be replaced (and too weak to be keys). */
const minimumLength = 4

/** The key without the white space around it, still redacted. */
export const trim = (secret: Redacted.Redacted<string>): Redacted.Redacted<string> => {
  const value = Redacted.value(secret)
  const trimmed = value.trim()
  return trimmed === value ? secret : Redacted.make(trimmed)
}

/** Percent-escapes with lower-case hex digits, as some servers write them. */
const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())

/**
 * Every form of `secret` a provider may echo: trimmed and as given; JSON-escaped (with or without
 * `\/`); URL-encoded as a path or query part (`%20` or `+`, upper- or lower-case hex). The trimmed
 * forms come first, so that the white space around an echoed key stays in the text, not the key.
 */
export const forms = (secret: string): ReadonlyArray<string> => {
  const found = new Set<string>()
  for (const base of [secret.trim(), secret]) {
    const json = JSON.stringify(base).slice(1, -1)
    const url = encodeURIComponent(base)
    const ofBase = [
      base,
      json,
      json.replace(/\//g, "\\/"),
      url,
      lowerHex(url),
      url.replace(/%20/g, "+"),
      lowerHex(url).replace(/%20/g, "+")
    ]
    // Longest first, so that a longer form is replaced before a shorter one inside it.
    for (const form of ofBase.sort((a, b) => b.length - a.length)) {
      if (form.length >= minimumLength) found.add(form)
    }
  }
  return [...found]
}

/** Replaces every form of every secret in a text with `<redacted>`. */
export const scrubber = (secrets: ReadonlyArray<string>): ((text: string) => string) => {
  const all = [...new Set(secrets.flatMap(forms))]
  return all.length === 0
    ? (text) => text
    : (text) =>
        all.reduce((acc, form) => (acc.includes(form) ? acc.split(form).join(placeholder) : acc), text)
}
