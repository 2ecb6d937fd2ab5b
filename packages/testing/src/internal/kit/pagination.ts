/**
 * Kit-style cursor pagination. A cursor is base64 of the JSON sort key of an item, like Kit's own
 * (`WzFd` = `[1]`); clients must treat it as opaque. Lists are addressed by index so the caller can
 * back them with a sorted array and avoid materialising the whole list.
 */
import { isInteger, parseJson } from "./json.js"
import { lowerBound } from "./store.js"

export type Key = ReadonlyArray<number>

export const DEFAULT_PER_PAGE = 500
export const MAX_PER_PAGE = 1000

export const encodeCursor = (key: Key): string => Buffer.from(JSON.stringify(key)).toString("base64")

export const decodeCursor = (cursor: string, arity: number): Key | undefined => {
  const parsed = parseJson(Buffer.from(cursor, "base64").toString("utf8"))
  if (!parsed.ok) return undefined
  const v = parsed.value
  if (!Array.isArray(v) || v.length !== arity || !v.every(isInteger)) return undefined
  return v.filter(isInteger)
}

const compareKeys = (a: Key, b: Key): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return a.length - b.length
}

export interface PageQuery {
  readonly after: Key | undefined
  readonly before: Key | undefined
  readonly perPage: number
  readonly includeTotalCount: boolean
}

export interface Pagination {
  readonly has_previous_page: boolean
  readonly has_next_page: boolean
  /** `null` on an empty page: there is no item to point at. */
  readonly start_cursor: string | null
  readonly end_cursor: string | null
  readonly per_page: number
  readonly total_count?: number
}

/**
 * Reads `after`, `before`, `per_page`, `include_total_count`. `per_page` above the documented maximum
 * is clamped to 1000 (the documents give a maximum, not an error); below 1 or not a number is a 422.
 */
export const parsePageQuery = (
  query: Readonly<Record<string, string>>,
  arity: number
): PageQuery | { readonly error: string } => {
  let perPage = DEFAULT_PER_PAGE
  const rawPerPage = query.per_page
  if (rawPerPage !== undefined && rawPerPage !== "") {
    if (!/^\d+$/.test(rawPerPage) || Number(rawPerPage) < 1) {
      return { error: "per_page must be an integer between 1 and 1000" }
    }
    perPage = Math.min(Number(rawPerPage), MAX_PER_PAGE)
  }
  const cursor = (name: "after" | "before"): Key | undefined | "invalid" => {
    const raw = query[name]
    if (raw === undefined || raw === "") return undefined
    return decodeCursor(raw, arity) ?? "invalid"
  }
  const after = cursor("after")
  const before = cursor("before")
  if (after === "invalid") return { error: "after is not a valid cursor" }
  if (before === "invalid") return { error: "before is not a valid cursor" }
  return { after, before, perPage, includeTotalCount: query.include_total_count === "true" }
}

/**
 * One page of a list sorted ascending by `keyAt`. With `after`, the page starts right after the
 * cursor; with `before`, it is the `perPage` items that end right before it.
 */
export const paginate = <A>(
  length: number,
  keyAt: (index: number) => Key,
  itemAt: (index: number) => A,
  q: PageQuery
): { readonly items: ReadonlyArray<A>; readonly pagination: Pagination } => {
  const lo = q.after === undefined ? 0 : lowerBound(length, (i) => compareKeys(keyAt(i), q.after ?? []) <= 0)
  const hi =
    q.before === undefined ? length : lowerBound(length, (i) => compareKeys(keyAt(i), q.before ?? []) < 0)
  let start = lo
  let end = Math.min(hi, lo + q.perPage)
  if (q.before !== undefined && q.after === undefined) {
    end = hi
    start = Math.max(lo, hi - q.perPage)
  }
  if (end < start) end = start
  const items: Array<A> = []
  for (let i = start; i < end; i++) items.push(itemAt(i))
  const pagination: Pagination = {
    has_previous_page: start > 0,
    has_next_page: end < length,
    start_cursor: end > start ? encodeCursor(keyAt(start)) : null,
    end_cursor: end > start ? encodeCursor(keyAt(end - 1)) : null,
    per_page: q.perPage,
    ...(q.includeTotalCount ? { total_count: length } : {})
  }
  return { items, pagination }
}
