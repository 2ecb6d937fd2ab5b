/** How the Apollo simulator garbles an answer; the fault decision itself is shared (`../faults.ts`). */

/** Every string becomes a number and every number or boolean a string: valid JSON, wrong types. */
export const wrongTypes = (value: unknown): unknown => {
  if (typeof value === "string") return value.length
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) return value.map(wrongTypes)
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrongTypes(v)]))
  return value
}

export const htmlErrorPage =
  "<!DOCTYPE html><html><head><title>We're sorry, but something went wrong (500)</title></head>" +
  "<body><h1>We're sorry, but something went wrong.</h1></body></html>"
