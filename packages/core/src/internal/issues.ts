/**
 * One issue per field path out of Effect's schema errors, which report a union's every alternative
 * and an optional or nullable field's "Expected undefined" or "Expected null" beside the real problem.
 */
export interface RawIssue {
  readonly path: string
  readonly message: string
}

const expectedActual = /^Expected (.+), actual (.+)$/s

/** The "not there" alternative of an optional or nullable field (`Expected undefined`, `Expected null`). */
const absentAlternative = /^Expected (undefined|null)(,| \|)/

const isBelow = (path: string, other: string) =>
  other !== path && (other.startsWith(`${path}.`) || other.startsWith(`${path}[`))

/**
 * Collapses the issues at each path into one: an optional or nullable field's "Expected undefined"
 * or "Expected null" is dropped when the field was found wrong deeper down; a transformation's or refinement's own words are kept
 * over the generic "Expected <schema>"; a union's alternatives become one "Expected A | B".
 */
export const collapse = <I extends RawIssue>(raw: ReadonlyArray<I>): ReadonlyArray<I> => {
  const byPath = new Map<string, Array<I>>()
  for (const issue of raw) {
    if (absentAlternative.test(issue.message) && raw.some((o) => isBelow(issue.path, o.path))) continue
    byPath.set(issue.path, [...(byPath.get(issue.path) ?? []), issue])
  }
  return [...byPath.values()].map((issues) => {
    const first = issues[0]!
    if (issues.length === 1) return first
    const specific = issues.filter((i) => !expectedActual.test(i.message))
    const distinct = (list: ReadonlyArray<I>) => [...new Set(list.map((i) => i.message))].join("; ")
    if (specific.length > 0) return { ...specific[0]!, message: distinct(specific) }
    const matches = issues.map((i) => expectedActual.exec(i.message)!)
    const actual = matches[0]![2]
    return matches.every((m) => m[2] === actual)
      ? {
          ...first,
          message: `Expected ${[...new Set(matches.map((m) => m[1]))].join(" | ")}, actual ${actual}`
        }
      : { ...first, message: distinct(issues) }
  })
}
