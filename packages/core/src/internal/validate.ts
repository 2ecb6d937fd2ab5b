/**
 * A validator compiled from a schema whose decode would only copy its input: structs, arrays,
 * unions, literals, the keywords and refinements (no transformation, declaration or recursion).
 * For such a schema, decoding with `onExcessProperty: "preserve"` yields a value equal to the input
 * itself, so an input that passes can be used as it is: no object rebuilt per item of a page.
 */
import { Option, Schema } from "effect"
import * as AST from "effect/SchemaAST"

export type Check = (input: unknown) => boolean

const isInt = (ast: AST.Refinement): boolean =>
  Option.getOrUndefined(AST.getSchemaIdAnnotation(ast)) === Schema.IntSchemaId

/** The values of a union whose members are all literals, or `undefined`. */
const literalsOf = (types: ReadonlyArray<AST.AST>): ReadonlySet<unknown> | undefined => {
  const values = new Set<unknown>()
  for (const type of types) {
    if (type._tag !== "Literal") return undefined
    values.add(type.literal)
  }
  return values
}

export interface Options {
  /**
   * Checks of structs generated as code (`new Function`), each field read by its literal name: a
   * field's read is then a property access V8 caches per place, where the loop over the names is
   * one generic keyed read per field (about 2.5 times the cost per list item, `pnpm run micro`).
   * Default: where the runtime compiles code (a Content-Security-Policy or an edge runtime may not).
   */
  readonly generated: boolean
}

/** Whether this runtime makes functions from code (it may forbid it: then every check is a closure). */
const compilesCode = ((): boolean => {
  try {
    return new Function("return true")() === true
  } catch {
    return false
  }
})()

const defaults: Options = { generated: compilesCode }

/** A literal value as code, or `undefined` for one not written so simply (a bigint). */
const literalCode = (literal: AST.LiteralValue): string | undefined =>
  typeof literal === "string"
    ? JSON.stringify(literal)
    : typeof literal === "number" && Number.isFinite(literal) && !Object.is(literal, -0)
      ? String(literal)
      : typeof literal === "boolean" || literal === null
        ? String(literal)
        : undefined

/**
 * The check of a field's value `v` as an expression, for the simple types (keywords, literals,
 * `Int`, unions of them), or `undefined` (the field's compiled check is then called).
 */
const expression = (ast: AST.AST, refs: Array<unknown>): string | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return 'typeof v === "string"'
    case "NumberKeyword":
      return 'typeof v === "number"'
    case "BooleanKeyword":
      return 'typeof v === "boolean"'
    case "UnknownKeyword":
    case "AnyKeyword":
      return "true"
    case "UndefinedKeyword":
      return "v === undefined"
    case "Literal": {
      const code = literalCode(ast.literal)
      return code === undefined ? undefined : `v === ${code}`
    }
    case "Refinement":
      return ast.from._tag === "NumberKeyword" && isInt(ast) ? "Number.isSafeInteger(v)" : undefined
    case "Union": {
      const literals = literalsOf(ast.types)
      if (literals !== undefined && literals.size > 2) {
        refs.push(literals)
        return `r[${refs.length - 1}].has(v)`
      }
      const members: Array<string> = []
      for (const member of ast.types) {
        const code = expression(member, refs)
        if (code === undefined) return undefined
        members.push(`(${code})`)
      }
      return members.join(" || ")
    }
    default:
      return undefined
  }
}

/** The function the code above returns: a check (it returns only `true`, `false` or a check's answer). */
const isGenerated = (u: unknown): u is Check => typeof u === "function" && u.length === 1

interface FieldFacts {
  readonly optional: ReadonlyArray<boolean>
  readonly inherited: ReadonlyArray<boolean>
  readonly undefinedPasses: ReadonlyArray<boolean>
  readonly checks: ReadonlyArray<Check>
}

/**
 * A struct's check as generated code: the same rules as the closure below it in `compile`, each
 * field read by its literal name (names and literals are written as JSON strings; anything not
 * simple is a compiled check passed in, never code). `undefined` if the runtime refuses.
 */
const generate = (
  properties: ReadonlyArray<AST.PropertySignature>,
  facts: FieldFacts,
  owned: Check
): Check | undefined => {
  const refs: Array<unknown> = [owned]
  const lines: Array<string> = []
  properties.forEach((property, i) => {
    const name = JSON.stringify(property.name)
    let check = expression(property.type, refs)
    if (check === undefined) {
      refs.push(facts.checks[i])
      check = `r[${refs.length - 1}](v)`
    }
    const absent = facts.optional[i] ? "" : "return false;"
    if (facts.inherited[i])
      lines.push(
        `if (hasOwn(u, ${name})) { v = u[${name}]; if (!(${check})) return false; } else { ${absent} }`
      )
    else if (facts.undefinedPasses[i])
      lines.push(`v = u[${name}]; if (v !== undefined && !(${check})) return false;`)
    else
      lines.push(
        `v = u[${name}]; if (v === undefined) { if (hasOwn(u, ${name})) { if (!(${check})) return false; } else { ${absent} } } else if (!(${check})) return false;`
      )
  })
  const body = `"use strict";
const hasOwn = Object.hasOwn, prototypeOf = Object.getPrototypeOf, plain = Object.prototype, isArray = Array.isArray;
return function check(u) {
  if (typeof u !== "object" || u === null || isArray(u) || hasOwn(u, "__proto__")) return false;
  const prototype = prototypeOf(u);
  if (prototype !== plain && prototype !== null) return r[0](u);
  let v;
${lines.join("\n")}
  return true;
};`
  try {
    const made: unknown = new Function("r", body)(refs)
    return isGenerated(made) ? made : undefined
  } catch {
    return undefined
  }
}

/** An object's fields, read by name. */
type Fields = { readonly [name: PropertyKey]: unknown }

const isObject = (u: unknown): u is Fields => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * The check of `ast`, or `undefined` when the schema does more than validate (a transformation, a
 * class, a recursive or index-signature schema): those keep Effect's decode. It never accepts what
 * the decode refuses; it may refuse what the decode accepts (the caller then decodes).
 */
export const compile = (ast: AST.AST, options: Options = defaults): Check | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string"
    case "NumberKeyword":
      return (u) => typeof u === "number"
    case "BooleanKeyword":
      return (u) => typeof u === "boolean"
    case "UnknownKeyword":
    case "AnyKeyword":
      return () => true
    case "UndefinedKeyword":
      return (u) => u === undefined
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal
    }
    case "Refinement": {
      // `Schema.Int`'s filter is `Number.isSafeInteger`: asked directly, it is one call per field of
      // every item, where the filter's answer is an `Option` built through three calls.
      if (ast.from._tag === "NumberKeyword" && isInt(ast)) return (u) => Number.isSafeInteger(u)
      const from = compile(ast.from, options)
      if (from === undefined) return undefined
      return (u) => from(u) && Option.isNone(ast.filter(u, AST.defaultParseOption, ast))
    }
    // The checks below run per field of every item of a page: plain indexed loops, no iterator, no
    // callback, no tuple per field, so a check allocates nothing.
    case "Union": {
      // A union of literals (the days of a week) is one lookup, not a check per member.
      const literals = literalsOf(ast.types)
      if (literals !== undefined && literals.size > 2) return (u) => literals.has(u)
      const members: Array<Check> = []
      for (const member of ast.types) {
        const check = compile(member, options)
        if (check === undefined) return undefined
        members.push(check)
      }
      if (members.length === 2) {
        const [first, second] = members as [Check, Check]
        return (u) => first(u) || second(u)
      }
      return (u) => {
        for (let i = 0; i < members.length; i++) if (members[i]!(u)) return true
        return false
      }
    }
    case "TupleType": {
      // Arrays only (`Schema.Array(item)`): fixed tuples keep the decode.
      if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
      const item = compile(ast.rest[0]!.type, options)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return false
        for (let i = 0; i < u.length; i++) if (!item(u[i])) return false
        return true
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) return undefined
      const names: Array<PropertyKey> = []
      const optional: Array<boolean> = []
      // A name `Object.prototype` also has (`constructor`, `toString`…) reads as the field only when
      // the object has it as its own.
      const inherited: Array<boolean> = []
      // An optional field whose check takes `undefined` passes when it reads `undefined`, present or
      // not: no presence lookup for the optional fields an item leaves out.
      const undefinedPasses: Array<boolean> = []
      const checks: Array<Check> = []
      for (const property of ast.propertySignatures) {
        const check = compile(property.type, options)
        if (check === undefined) return undefined
        names.push(property.name)
        optional.push(property.isOptional)
        inherited.push(property.name in Object.prototype)
        undefinedPasses.push(property.isOptional && check(undefined))
        checks.push(check)
      }
      const count = names.length
      /** Each field looked up as an own property: for an object with a prototype of its own. */
      const owned = (u: Fields): boolean => {
        for (let i = 0; i < count; i++) {
          const name = names[i]!
          if (!Object.hasOwn(u, name)) {
            if (optional[i]) continue
            return false
          }
          if (!checks[i]!(u[name])) return false
        }
        return true
      }
      if (options.generated && names.every((name) => typeof name === "string")) {
        const generated = generate(
          ast.propertySignatures,
          { optional, inherited, undefinedPasses, checks },
          (u) => isObject(u) && owned(u)
        )
        if (generated !== undefined) return generated
      }
      return (u) => {
        // A `__proto__` key is left to the decode, which keeps it as a field (an input holding one
        // is not what Effect's own preserving decode would yield).
        if (!isObject(u) || Object.hasOwn(u, "__proto__")) return false
        const prototype = Object.getPrototypeOf(u)
        if (prototype !== Object.prototype && prototype !== null) return owned(u)
        // A plain object (what `JSON.parse` makes): a field read once, its presence asked only when
        // it reads `undefined` or its name is inherited (names were looked up in `Object.prototype`
        // when the check was compiled: one added to it later, by prototype pollution, would read).
        for (let i = 0; i < count; i++) {
          const name = names[i]!
          const value = u[name]
          if (value === undefined && undefinedPasses[i]) continue
          if (value === undefined || inherited[i]) {
            if (!Object.hasOwn(u, name)) {
              if (optional[i]) continue
              return false
            }
            if (!checks[i]!(u[name])) return false
          } else if (!checks[i]!(value)) return false
        }
        return true
      }
    }
    default:
      return undefined
  }
}
