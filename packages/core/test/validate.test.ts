import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import * as HttpPipeline from "../src/HttpPipeline.js"
import * as Validate from "../src/internal/validate.js"

const Item = Schema.Struct({
  id: Schema.Int,
  name: Schema.String,
  kind: Schema.Literal("a", "b"),
  note: Schema.optional(Schema.NullOr(Schema.String)),
  tags: Schema.Array(Schema.String),
  extra: Schema.optional(Schema.Unknown),
  nested: Schema.optional(Schema.Struct({ on: Schema.Boolean, at: Schema.Number }))
})
const Page = Schema.Struct({ items: Schema.Array(Item), next: Schema.NullOr(Schema.String) })

const decodePreserving = Schema.decodeUnknownEither(Page, { onExcessProperty: "preserve" })

// Both forms of a struct's check: generated code (where the runtime allows it) and closures.
describe.each([true, false])("Validate.compile, structs generated as code: %s", (generated) => {
  const compile = (ast: Schema.Schema.AnyNoContext["ast"]) => Validate.compile(ast, { generated })
  const check = compile(Page.ast)

  it("compiles a schema that only validates", () => {
    expect(check).toBeDefined()
  })

  it("refuses schemas that transform, declare or recurse (they keep the decode)", () => {
    expect(compile(Schema.NumberFromString.ast)).toBeUndefined()
    expect(
      compile(Schema.Struct({ a: Schema.optionalWith(Schema.Int, { default: () => 0 }) }).ast)
    ).toBeUndefined()
    expect(compile(Schema.Record({ key: Schema.String, value: Schema.Int }).ast)).toBeUndefined()
    expect(compile(Schema.Date.ast)).toBeUndefined()
    class K extends Schema.Class<K>("K")({ a: Schema.Int }) {}
    expect(compile(K.ast)).toBeUndefined()
  })

  it("accepts what the preserving decode yields unchanged, excess fields included", () => {
    fc.assert(
      fc.property(
        Arbitrary.make(Page),
        fc.dictionary(
          fc.string().filter((k) => k !== "__proto__"),
          fc.jsonValue()
        ),
        (page, excess) => {
          const input = { ...excess, ...page }
          expect(check!(input)).toBe(true)
          const decoded = decodePreserving(input)
          expect(Either.isRight(decoded) && decoded.right).toStrictEqual(input)
        }
      )
    )
  })

  it("a `__proto__` field of an answer is left to the decode, and stays a field, never the prototype", () => {
    const input: unknown = JSON.parse('{"items":[],"next":null,"__proto__":{"polluted":true}}')
    expect(check!(input)).toBe(false)
    const decoded = HttpPipeline.json(Page, { onExcessProperty: "preserve" })
    if (decoded._tag !== "Json") throw new Error("a JSON answer")
    const value = Either.getOrThrow(decoded.decode(input))
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.hasOwn(value, "__proto__")).toBe(true)
    expect(Reflect.get(value, "polluted")).toBeUndefined()
  })

  it("reads a field only as the object's own: inherited names, other prototypes and none agree with the decode", () => {
    // Field names `Object.prototype` also has: absent from a plain object, they are absent.
    const Named = Schema.Struct({ constructor: Schema.String, toString: Schema.optional(Schema.Number) })
    const named = compile(Named.ast)!
    const decodeNamed = Schema.decodeUnknownEither(Named, { onExcessProperty: "preserve" })
    // Anything passes `Unknown`: only the own-property rule can refuse an inherited value here.
    const Anything = Schema.Struct({ hasOwnProperty: Schema.Unknown })
    const anything = compile(Anything.ast)!
    const decodeAnything = Schema.decodeUnknownEither(Anything)
    class Carrier {
      get id() {
        return 1
      }
    }
    const inherited = Object.assign(Object.create({ id: 1, name: "x", kind: "a", tags: [] }), {})
    const bare = Object.assign(Object.create(null), { items: [], next: null })
    const item = compile(Item.ast)!
    const decodeItem = Schema.decodeUnknownEither(Item)
    // [check, decode, input, what the check says]: it never accepts what the decode refuses, and it
    // refuses a field that is only inherited (the decode is then the judge).
    const cases: ReadonlyArray<
      readonly [Validate.Check, (u: unknown) => Either.Either<unknown, unknown>, unknown, boolean]
    > = [
      [named, decodeNamed, {}, false],
      [named, decodeNamed, { toString: 1 }, false],
      [named, decodeNamed, { constructor: "c" }, true],
      [named, decodeNamed, { constructor: "c", toString: 2 }, true],
      [named, decodeNamed, { constructor: "c", toString: "no" }, false],
      [named, decodeNamed, JSON.parse('{"constructor":"c"}'), true],
      [anything, decodeAnything, {}, false],
      [anything, decodeAnything, { hasOwnProperty: null }, true],
      [item, decodeItem, inherited, false],
      [item, decodeItem, new Carrier(), false],
      [check!, decodePreserving, bare, true]
    ]
    for (const [validate, decode, input, accepted] of cases) {
      expect([input, validate(input)]).toStrictEqual([input, accepted])
      if (accepted) expect(Either.isRight(decode(input))).toBe(true)
    }
  })

  it("agrees with the decode on unions of literals, integers and optional fields that read `undefined`", () => {
    const Shape = Schema.Struct({
      day: Schema.Literal("mon", "tue", "wed", 7, null, true),
      count: Schema.Int,
      positive: Schema.optional(Schema.Int.pipe(Schema.positive())),
      note: Schema.optional(Schema.String),
      toString: Schema.optional(Schema.String)
    })
    const shape = compile(Shape.ast)!
    const decodeShape = Schema.decodeUnknownEither(Shape)
    const base = { day: "tue", count: 3 }
    const inputs: ReadonlyArray<unknown> = [
      base,
      { ...base, day: 7 },
      { ...base, day: null },
      { ...base, day: true },
      { ...base, day: "7" },
      { ...base, day: false },
      { ...base, day: undefined },
      { ...base, count: 1.5 },
      { ...base, count: Number.MAX_SAFE_INTEGER + 1 },
      { ...base, count: Number.NaN },
      { ...base, count: Number.POSITIVE_INFINITY },
      { ...base, count: "3" },
      { ...base, positive: 2 },
      { ...base, positive: 0 },
      { ...base, positive: 2.5 },
      { ...base, positive: undefined },
      { ...base, note: undefined },
      { ...base, note: null },
      { ...base, toString: undefined },
      { ...base, toString: "s" },
      { day: "mon" }
    ]
    for (const input of inputs)
      expect([input, shape(input)]).toStrictEqual([input, Either.isRight(decodeShape(input))])
    fc.assert(
      fc.property(
        fc.record({ day: fc.jsonValue(), count: fc.jsonValue(), note: fc.jsonValue() }),
        (input) => {
          expect(shape(input)).toBe(Either.isRight(decodeShape(input)))
        }
      )
    )
  })

  it("field names and literals of every kind, written as code or not, agree with the decode", () => {
    // A name that reads like a template literal in code.
    const template = ["`j$", "{k}`"].join("")
    const names = [
      'a"b',
      "c\\d",
      "e\nf",
      "*/ g",
      "h'i",
      "0",
      "été",
      template,
      "__proto__x",
      "hasOwn",
      "u",
      "v",
      "r"
    ]
    const Odd = Schema.Struct({
      ...Object.fromEntries(names.map((name) => [name, Schema.optional(Schema.String)])),
      quoted: Schema.Literal('say "hi"', "back\\slash", "new\nline"),
      big: Schema.optional(Schema.Literal(1n, 2n, 3n))
    })
    const odd = compile(Odd.ast)!
    // The generated form is the one checked here where it is asked for (it is named `check`).
    expect(odd.name === "check").toBe(generated)
    // A symbol-named field keeps the closures.
    const tagged = Symbol.for("tagged")
    const Tagged = Schema.Struct({ [tagged]: Schema.Number, a: Schema.String })
    const checkTagged = compile(Tagged.ast)!
    expect(checkTagged.name).not.toBe("check")
    expect([checkTagged({ [tagged]: 1, a: "x" }), checkTagged({ a: "x" })]).toEqual([true, false])
    const decodeOdd = Schema.decodeUnknownEither(Odd)
    const inputs: ReadonlyArray<unknown> = [
      { quoted: 'say "hi"' },
      { quoted: "new\nline", 'a"b': "x", "e\nf": "y", "*/ g": "z" },
      { quoted: "back\\slash", "c\\d": 1 },
      { quoted: "say hi" },
      { quoted: 'say "hi"', big: 2n },
      { quoted: 'say "hi"', big: 4n },
      { quoted: 'say "hi"', [template]: null },
      { quoted: 'say "hi"', r: "fine", u: "fine", v: 3 }
    ]
    for (const input of inputs)
      expect([input, odd(input)]).toStrictEqual([input, Either.isRight(decodeOdd(input))])
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names, "quoted"), fc.jsonValue()), (input) => {
        if (odd(input)) expect(Either.isRight(decodeOdd(input))).toBe(true)
      })
    )
  })

  it("never accepts what the decode refuses", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        if (check!(json)) expect(Either.isRight(decodePreserving(json))).toBe(true)
      })
    )
    const good = { items: [{ id: 1, name: "x", kind: "a", tags: [] }], next: null }
    expect(check!(good)).toBe(true)
    for (const bad of [
      { ...good, next: undefined },
      { items: [{ id: 1.5, name: "x", kind: "a", tags: [] }], next: null },
      { items: [{ id: 1, name: "x", kind: "c", tags: [] }], next: null },
      { items: [{ id: 1, name: "x", kind: "a" }], next: null },
      { items: [{ id: 1, name: "x", kind: "a", tags: [2] }], next: null },
      { items: [{ id: 1, name: "x", kind: "a", tags: [], nested: { on: true } }], next: null },
      { items: {}, next: null },
      [],
      null
    ]) {
      expect(check!(bad)).toBe(false)
      expect(Either.isLeft(decodePreserving(bad))).toBe(true)
    }
  })
})
