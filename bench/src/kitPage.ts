/** A page of Kit's sequence list, as the plain-fetch baselines read it (no wire decoding). */
export interface Page {
  readonly sequences: ReadonlyArray<unknown>
  readonly pagination: { readonly has_next_page: boolean; readonly end_cursor: string | null }
}

export const isPage = (u: unknown): u is Page =>
  typeof u === "object" &&
  u !== null &&
  "sequences" in u &&
  Array.isArray(u.sequences) &&
  "pagination" in u &&
  typeof u.pagination === "object" &&
  u.pagination !== null
