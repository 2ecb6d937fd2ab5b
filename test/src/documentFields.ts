/**
 * The fields of a provider's documented response schemas, walked from its OpenAPI documents, and
 * non-default values for each (the documents' own example values first, then values of the
 * documented type). Used to prove that translation drops nothing without a word.
 */
import type { Capabilities } from "@unisequence/core"

type Obj = { readonly [key: string]: unknown }
const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)

/** A documented field: the part it belongs to (`campaign`, `email`…), its path in it, its schema. */
export interface Field {
  readonly part: string
  readonly path: ReadonlyArray<string>
  readonly schema: Obj
}

const resolve = (document: unknown, node: unknown): unknown => {
  let value = node
  for (let i = 0; i < 16 && isObj(value) && typeof value.$ref === "string"; i++) {
    let next: unknown = document
    for (const part of value.$ref.replace(/^#\//, "").split("/")) next = isObj(next) ? next[part] : undefined
    value = next
  }
  return value
}

/** The object schema an array or object schema holds (the array's items), or undefined. */
const objectOf = (document: unknown, node: unknown): Obj | undefined => {
  const schema = resolve(document, node)
  if (!isObj(schema)) return undefined
  if (schema.type === "array" || schema.items !== undefined) return objectOf(document, schema.items)
  return isObj(schema.properties) && Object.keys(schema.properties).length > 0 ? schema : undefined
}

/** The 2xx JSON response schemas of every operation of `document`. */
const responseSchemas = (document: unknown): ReadonlyArray<unknown> => {
  const paths = isObj(document) && isObj(document.paths) ? document.paths : {}
  return Object.values(paths).flatMap((item) =>
    Object.values(isObj(item) ? item : {}).flatMap((operation) => {
      const responses = isObj(operation) && isObj(operation.responses) ? operation.responses : {}
      return Object.entries(responses).flatMap(([status, response]) => {
        const r = resolve(document, response)
        if (!status.startsWith("2") || !isObj(r) || !isObj(r.content)) return []
        return Object.values(r.content).flatMap((media) => (isObj(media) ? [media.schema] : []))
      })
    })
  )
}

/**
 * Every leaf field of the objects that `parts` names (a response property name → the part it is:
 * `{ emailer_steps: "step", steps: "step" }`), found in every 2xx response schema of `documents`,
 * nested objects walked to their leaves. The first schema that types a field wins.
 */
export const documentedFields = (
  documents: ReadonlyArray<unknown>,
  parts: Readonly<Record<string, string>>
): ReadonlyArray<Field> => {
  const found = new Map<string, Field>()
  const leaves = (document: unknown, part: string, path: ReadonlyArray<string>, schema: Obj) => {
    for (const [key, node] of Object.entries(isObj(schema.properties) ? schema.properties : {})) {
      const property = resolve(document, node)
      if (!isObj(property)) continue
      const at = [...path, key]
      if (
        property.type !== "array" &&
        isObj(property.properties) &&
        Object.keys(property.properties).length > 0
      ) {
        leaves(document, part, at, property)
        continue
      }
      const id = `${part}.${at.join(".")}`
      const seen = found.get(id)
      if (seen === undefined || (seen.schema.type === undefined && property.type !== undefined))
        found.set(id, { part, path: at, schema: property })
    }
  }
  const visit = (document: unknown, node: unknown, depth: number) => {
    const schema = resolve(document, node)
    if (!isObj(schema) || depth > 12) return
    for (const key of ["items", "additionalProperties"])
      if (schema[key] !== undefined) visit(document, schema[key], depth + 1)
    for (const key of ["oneOf", "anyOf", "allOf"])
      if (Array.isArray(schema[key])) for (const s of schema[key]) visit(document, s, depth + 1)
    for (const [key, property] of Object.entries(isObj(schema.properties) ? schema.properties : {})) {
      const part = Object.hasOwn(parts, key) ? parts[key] : undefined
      const object = part === undefined ? undefined : objectOf(document, property)
      if (part !== undefined && object !== undefined) leaves(document, part, [], object)
      visit(document, property, depth + 1)
    }
  }
  for (const document of documents) for (const schema of responseSchemas(document)) visit(document, schema, 0)
  return [...found.values()]
}

/** Every value the documents' examples and enums give a property, by property name. */
export const documentExamples = (
  documents: ReadonlyArray<unknown>
): ReadonlyMap<string, ReadonlyArray<unknown>> => {
  const byKey = new Map<string, Array<unknown>>()
  const add = (key: string, value: unknown) => {
    const list = byKey.get(key) ?? []
    if (!list.some((v) => JSON.stringify(v) === JSON.stringify(value))) list.push(value)
    byKey.set(key, list)
  }
  const collect = (value: unknown) => {
    if (Array.isArray(value)) for (const item of value) collect(item)
    else if (isObj(value))
      for (const [key, v] of Object.entries(value)) {
        add(key, v)
        collect(v)
      }
  }
  const find = (node: unknown) => {
    if (Array.isArray(node)) for (const item of node) find(item)
    else if (isObj(node))
      for (const [key, value] of Object.entries(node)) {
        // A property's documented values (often only on the request that writes it).
        if (key === "properties" && isObj(value))
          for (const [name, property] of Object.entries(value))
            if (isObj(property) && Array.isArray(property.enum)) for (const v of property.enum) add(name, v)
        if (key === "example") collect(value)
        else if (key === "examples" && isObj(value))
          for (const e of Object.values(value)) collect(isObj(e) && "value" in e ? e.value : e)
        else find(value)
      }
  }
  for (const document of documents) find(document)
  return byKey
}

/** Nothing set: absent, null, blank, or an empty list or object. */
export const isEmpty = (u: unknown): boolean =>
  u === undefined ||
  u === null ||
  (typeof u === "string" && u.trim() === "") ||
  (Array.isArray(u) && u.length === 0) ||
  (isObj(u) && Object.values(u).every(isEmpty))

/** Values of a schema's type, none of them empty. */
export const valuesOfType = (schema: Obj, key: string, base: unknown): ReadonlyArray<unknown> => {
  if (Array.isArray(schema.enum)) return schema.enum
  for (const alternatives of [schema.oneOf, schema.anyOf])
    if (Array.isArray(alternatives))
      return alternatives.flatMap((a) => (isObj(a) ? valuesOfType(a, key, base) : []))
  switch (schema.type) {
    case "boolean":
      return [true, false]
    case "integer":
      return [typeof base === "number" ? base + 1 : 3, 7]
    case "number":
      return [typeof base === "number" ? base + 1.5 : 2.5, 7]
    case "string":
      return schema.format === "date-time" ? ["2031-01-02T03:04:05Z"] : [`changed ${key}`]
    case "array": {
      const items = isObj(schema.items) ? schema.items : {}
      return valuesOfType(items, key, undefined)
        .slice(0, 2)
        .map((item) => [item])
    }
    case "object":
      return [{ changed: key }]
    default:
      return [7, `changed ${key}`, true]
  }
}

/**
 * Non-default values to try for `field` whose value is `base` in the answer: the documents' example
 * values for that property name, then values of its documented type; never `base`, never empty.
 */
export const valuesFor = (
  field: Field,
  base: unknown,
  examples: ReadonlyMap<string, ReadonlyArray<unknown>>
): ReadonlyArray<unknown> => {
  const key = field.path[field.path.length - 1] ?? ""
  const all = [...(examples.get(key) ?? []), ...valuesOfType(field.schema, key, base)]
  const seen = new Set<string>([JSON.stringify(base)])
  return all.filter((value) => {
    const text = JSON.stringify(value)
    if (isEmpty(value) || seen.has(text)) return false
    seen.add(text)
    return true
  })
}

/** What an adapter's raw field list says of `path`: carried, meaningless, default-only, or unlisted. */
export const rawFieldKind = (
  fields: Capabilities.RawFields,
  path: ReadonlyArray<string>
): "carried" | "meaningless" | "unlessDefault" | "unlisted" => {
  let spec: Capabilities.RawField | undefined = { ...fields }
  for (const key of path) {
    if (spec === undefined || typeof spec === "string" || spec._tag === "RawDefault") break
    spec = Object.hasOwn(spec, key) ? (spec as Capabilities.RawFields)[key] : undefined
  }
  // Core's rule: figures about the past (`unique_opened`, `open_rate`) are never settings.
  if (spec === undefined && /^unique_|_rate$/.test(path[path.length - 1] ?? "")) return "meaningless"
  if (spec === undefined) return "unlisted"
  if (spec === "carried" || spec === "meaningless") return spec
  return spec._tag === "RawDefault" ? "unlessDefault" : "carried"
}

/** The schema a value has, for a field an answer carries that no document lists. */
const schemaOf = (value: unknown): Obj =>
  typeof value === "boolean"
    ? { type: "boolean" }
    : typeof value === "number"
      ? { type: Number.isInteger(value) ? "integer" : "number" }
      : typeof value === "string"
        ? { type: "string" }
        : Array.isArray(value)
          ? { type: "array", items: value.length > 0 ? schemaOf(value[0]) : {} }
          : {}

/**
 * Every leaf field of `object` (a part of an answer, nested objects walked), typed by its value,
 * that `known` does not list: what a simulator (or a provider) answers beyond its documents.
 */
export const answeredFields = (
  part: string,
  object: unknown,
  known: ReadonlyArray<Field>
): ReadonlyArray<Field> => {
  const listed = new Set(known.filter((f) => f.part === part).map((f) => f.path.join(".")))
  const leaves = (value: unknown, path: ReadonlyArray<string>): ReadonlyArray<Field> =>
    Object.entries(isObj(value) ? value : {}).flatMap(([key, v]) => {
      const at = [...path, key]
      if (isObj(v) && Object.keys(v).length > 0) return leaves(v, at)
      return listed.has(at.join(".")) ? [] : [{ part, path: at, schema: schemaOf(v) }]
    })
  return leaves(object, [])
}
