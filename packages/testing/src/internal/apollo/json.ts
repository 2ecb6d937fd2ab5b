/** Defensive JSON helpers: every request body is `unknown` until a guard says otherwise. */

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

export type JsonRecord = Readonly<Record<string, unknown>>

export const isRecord = (u: unknown): u is JsonRecord =>
  typeof u === "object" && u !== null && !Array.isArray(u)

export const isString = (u: unknown): u is string => typeof u === "string"

export const isBoolean = (u: unknown): u is boolean => typeof u === "boolean"

export const isInteger = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u)

export const isArray = (u: unknown): u is ReadonlyArray<unknown> => Array.isArray(u)

export const isStringArray = (u: unknown): u is ReadonlyArray<string> => Array.isArray(u) && u.every(isString)

export const hasKey = (record: JsonRecord, key: string): boolean => Object.hasOwn(record, key)

/** Parses text as JSON without trusting its shape; `undefined` when it is not JSON. */
export const parseJson = (text: string): { readonly value: unknown } | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    return { value }
  } catch {
    return undefined
  }
}
