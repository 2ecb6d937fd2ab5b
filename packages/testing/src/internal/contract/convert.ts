/**
 * OpenAPI → JSON Schema (draft-07, what Ajv runs). OpenAPI 3.0 schemas differ in a few keywords:
 * `nullable` (Ajv refuses it without `type`, and the Kit documents use it that way), plus annotations
 * such as `example` and `x-*`. The walk is schema-aware so a property *named* `nullable` or `type`
 * is never mistaken for a keyword.
 */

type Obj = { readonly [key: string]: unknown }
const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)

const DROP = new Set(["nullable", "example", "discriminator", "xml", "externalDocs"])
const SCHEMA_MAPS = ["properties", "patternProperties", "definitions", "$defs", "dependentSchemas"]
const SCHEMA_ARRAYS = ["allOf", "anyOf", "oneOf", "prefixItems"]
const SCHEMA_SINGLE = [
  "additionalProperties",
  "not",
  "contains",
  "if",
  "then",
  "else",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "additionalItems"
]

const mapValues = (o: unknown, f: (u: unknown) => unknown): unknown =>
  isObj(o) ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) : o

export const convertSchema = (schema: unknown): unknown => {
  if (!isObj(schema)) return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (DROP.has(key) || key.startsWith("x-")) continue
    if (SCHEMA_MAPS.includes(key)) out[key] = mapValues(value, convertSchema)
    else if (SCHEMA_ARRAYS.includes(key)) out[key] = Array.isArray(value) ? value.map(convertSchema) : value
    else if (SCHEMA_SINGLE.includes(key)) out[key] = convertSchema(value)
    else if (key === "items")
      out[key] = Array.isArray(value) ? value.map(convertSchema) : convertSchema(value)
    else out[key] = value
  }
  if (schema.nullable !== true) return out
  const type = out.type
  if (typeof type === "string") {
    out.type = [type, "null"]
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    return out
  }
  if (Array.isArray(type)) {
    if (!type.includes("null")) out.type = [...type, "null"]
    return out
  }
  // No `type`: either anything goes already, or the constraints (enum, $ref, allOf…) must also admit null.
  const constrained = Object.keys(out).some(
    (k) => !["description", "title", "default", "examples"].includes(k)
  )
  return constrained ? { anyOf: [{ type: "null" }, out] } : out
}

/**
 * Converts every schema of a document: `components.schemas.*` and any `schema` under the OpenAPI
 * objects (parameters, media types, headers). Examples and extensions are copied untouched.
 */
export const convertDocument = (doc: unknown): unknown => {
  const walk = (node: unknown, key: string | undefined, inSchemas: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, undefined, false))
    if (!isObj(node)) return node
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(node)) {
      if (k === "example" || k === "examples" || k.startsWith("x-")) out[k] = v
      else if (inSchemas || k === "schema") out[k] = convertSchema(v)
      else out[k] = walk(v, k, key === "components" && k === "schemas")
    }
    return out
  }
  return walk(doc, undefined, false)
}
