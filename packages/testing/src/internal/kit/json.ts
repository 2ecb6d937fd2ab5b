/** Defensive JSON helpers: request bodies are untrusted, so everything is narrowed with guards. */

export type JsonObject = { readonly [key: string]: unknown }

export const isObject = (u: unknown): u is JsonObject =>
  typeof u === "object" && u !== null && !Array.isArray(u)

export const isInteger = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u)

export const isStringArray = (u: unknown): u is ReadonlyArray<string> =>
  Array.isArray(u) && u.every((x) => typeof x === "string")

export const has = (o: JsonObject, key: string): boolean => Object.hasOwn(o, key)

/** `JSON.parse` without throwing; `undefined` when the text is not JSON. */
export const parseJson = (
  text: string
): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    const value: unknown = JSON.parse(text)
    return { ok: true, value }
  } catch {
    return { ok: false }
  }
}

/** Kit's timestamps have second precision and a `Z` suffix: `2023-02-17T11:43:55Z`. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")
