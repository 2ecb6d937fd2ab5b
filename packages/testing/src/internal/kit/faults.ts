/** How the Kit simulator garbles an answer; the fault decision itself is shared (`../faults.ts`). */

/** Every `id` becomes the string `"abc"`: a response a strict decoder must reject. */
export const withWrongTypes = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(withWrongTypes)
  if (typeof u === "object" && u !== null) {
    return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, k === "id" ? "abc" : withWrongTypes(v)]))
  }
  return u
}

export const htmlPage = (status: number): string =>
  `<!DOCTYPE html>\n<html><head><title>${status} Error</title></head>` +
  `<body><h1>Something went wrong</h1><p>We're sorry, but something went wrong (${status}).</p></body></html>\n`
