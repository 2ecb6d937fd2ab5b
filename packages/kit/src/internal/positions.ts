/**
 * Plans the requests that turn Kit's current email positions into a desired order.
 *
 * Kit's positions are zero-based and unique (a taken position is a 422), and every request changes
 * one email, so a reorder is a sequence of single moves that must never collide. Only the relative
 * order matters, so the plan keeps as many emails where they are as it can, and gives the rest
 * positions that fit between the kept ones. Pure: the adapter carries the plan out.
 */

/** An email as Kit holds it now. */
export interface Current {
  readonly id: string
  readonly position: number
}

/** An entry of the desired order: an email that exists, or the `index`-th email to create. */
export type Target =
  | { readonly _tag: "Existing"; readonly id: string }
  | { readonly _tag: "New"; readonly index: number }

export interface Input {
  /** Every email of the sequence; those absent from `order` are deleted. */
  readonly current: ReadonlyArray<Current>
  /** The final order. */
  readonly order: ReadonlyArray<Target>
  /**
   * The first email of `order` must end at position 0: it is an immediate send (`0 days`), which
   * Kit only allows on the first email.
   */
  readonly pinFirst?: boolean
}

export type Operation =
  | { readonly _tag: "Delete"; readonly id: string }
  /** `final: false` is a detour to a free position, to break a cycle of moves. */
  | { readonly _tag: "Move"; readonly id: string; readonly position: number; readonly final: boolean }
  | { readonly _tag: "Create"; readonly index: number; readonly position: number }

export interface Plan {
  /** In the order to send them: deletes, then moves, then creates. */
  readonly operations: ReadonlyArray<Operation>
  /** The position each entry of `order` ends at. */
  readonly positions: ReadonlyArray<number>
  /** Existing emails that keep their position. */
  readonly kept: ReadonlyArray<string>
  /** Cycles of moves broken with a detour (each costs one extra request). */
  readonly cycles: number
}

/**
 * Indices (into `keys`) of a longest non-decreasing subsequence, O(n log n). Ties keep the earliest
 * candidates so the result is deterministic.
 */
export const longestNonDecreasing = (keys: ReadonlyArray<number>): ReadonlyArray<number> => {
  // tails[k] = index of the smallest possible tail of a run of length k + 1
  const tails: Array<number> = []
  const previous: Array<number> = new Array<number>(keys.length).fill(-1)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    // first tail strictly greater than key (non-decreasing allows equal keys to extend)
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (keys[tails[mid]!]! <= key) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) previous[i] = tails[lo - 1]!
    tails[lo] = i
  }
  const out: Array<number> = []
  let at = tails.length === 0 ? -1 : tails[tails.length - 1]!
  while (at >= 0) {
    out.push(at)
    at = previous[at]!
  }
  return out.reverse()
}

export const plan = (input: Input): Plan => {
  const { current, order } = input
  const pinFirst = input.pinFirst === true
  const positionOf = new Map(current.map((email) => [email.id, email.position]))
  const desiredIds = new Set(order.flatMap((t) => (t._tag === "Existing" ? [t.id] : [])))

  // Candidates to keep: existing emails at a desired index they can hold (enough room before them).
  const candidates: Array<{ readonly index: number; readonly key: number }> = []
  order.forEach((target, index) => {
    if (target._tag !== "Existing") return
    const position = positionOf.get(target.id)
    if (position === undefined) return
    if (position < index) return
    if (pinFirst && index === 0 && position !== 0) return
    candidates.push({ index, key: position - index })
  })
  const keptIndices = new Set(
    longestNonDecreasing(candidates.map((c) => c.key)).map((i) => candidates[i]!.index)
  )

  // Positions now held by emails that stay: never a target for anything else.
  const keptPositions = new Set<number>()
  for (const index of keptIndices) {
    const target = order[index]!
    if (target._tag === "Existing") keptPositions.add(positionOf.get(target.id)!)
  }
  // Positions held by emails that move: usable, but only once their holder has left.
  const movingPositions = new Set<number>()
  order.forEach((target, index) => {
    if (target._tag === "Existing" && !keptIndices.has(index)) movingPositions.add(positionOf.get(target.id)!)
  })
  const isFree = (p: number) => !keptPositions.has(p) && !movingPositions.has(p)

  // Assign the others, gap by gap between kept emails, preferring positions nobody holds.
  const positions: Array<number> = new Array<number>(order.length).fill(-1)
  let gapStart = 0
  let lowerBound = -1
  const fillGap = (from: number, to: number, upper: number) => {
    const count = to - from
    if (count === 0) return
    const chosen: Array<number> = []
    if (pinFirst && from === 0) chosen.push(0)
    const want = count - chosen.length
    const free: Array<number> = []
    const taken: Array<number> = []
    for (let p = lowerBound + 1; free.length < want && p < upper; p++) {
      if (chosen.includes(p)) continue
      if (isFree(p)) free.push(p)
      else if (!keptPositions.has(p)) taken.push(p)
    }
    chosen.push(...free)
    // Not enough free positions between two kept emails: use those that moving emails will vacate.
    for (const p of taken) {
      if (chosen.length >= count) break
      chosen.push(p)
    }
    chosen.sort((a, b) => a - b)
    for (let k = 0; k < count; k++) positions[from + k] = chosen[k]!
  }
  order.forEach((target, index) => {
    if (!keptIndices.has(index) || target._tag !== "Existing") return
    const position = positionOf.get(target.id)!
    fillGap(gapStart, index, position)
    positions[index] = position
    gapStart = index + 1
    lowerBound = position
  })
  fillGap(gapStart, order.length, Number.POSITIVE_INFINITY)

  // Moves: each waits for the email holding its target to leave; cycles take a detour.
  const operations: Array<Operation> = current
    .filter((email) => !desiredIds.has(email.id))
    .map((email) => ({ _tag: "Delete", id: email.id }) as const)
  const moves = new Map<string, number>()
  order.forEach((target, index) => {
    if (target._tag === "Existing" && !keptIndices.has(index)) moves.set(target.id, positions[index]!)
  })
  const pinned = pinFirst && order[0]?._tag === "Existing" ? order[0].id : undefined

  const detourBase = Math.max(-1, ...current.map((email) => email.position), ...positions) + 1
  let cycles = 0
  // Where every surviving email sits as the plan runs, both ways.
  const at = new Map<string, number>()
  const occupant = new Map<number, string>()
  for (const email of current) {
    if (!desiredIds.has(email.id)) continue
    at.set(email.id, email.position)
    occupant.set(email.position, email.id)
  }
  const moveTo = (id: string, position: number, final: boolean) => {
    occupant.delete(at.get(id)!)
    occupant.set(position, id)
    at.set(id, position)
    operations.push({ _tag: "Move", id, position, final })
  }
  const blockerOf = (id: string) => occupant.get(moves.get(id)!)

  const pending = new Set(moves.keys())
  while (pending.size > 0) {
    let progress = false
    for (const id of [...pending]) {
      const blocker = blockerOf(id)
      if (blocker === undefined || blocker === id) {
        moveTo(id, moves.get(id)!, true)
        pending.delete(id)
        progress = true
      }
    }
    if (progress) continue
    // Every pending move waits on another: follow the waits from any of them into the cycle.
    const seen: Array<string> = []
    let walker = pending.values().next().value!
    while (!seen.includes(walker)) {
      seen.push(walker)
      walker = blockerOf(walker)!
    }
    const cycle = seen.slice(seen.indexOf(walker))
    // Detour a member that may sit anywhere: never the immediate first email.
    const member = cycle.find((id) => id !== pinned) ?? cycle[0]!
    moveTo(member, detourBase + cycles, false)
    cycles++
  }

  order.forEach((target, index) => {
    if (target._tag === "New")
      operations.push({ _tag: "Create", index: target.index, position: positions[index]! })
  })

  const kept = [...keptIndices].flatMap((index) => {
    const target = order[index]!
    return target._tag === "Existing" ? [target.id] : []
  })
  return { operations, positions, kept, cycles }
}
