/**
 * What the migration and sequence-file functions need of a client, kept out of its public shape.
 */
import type { Sequences } from "@unisequence/core"

export interface Internal {
  readonly provider: string
  /** The client's `Sequences` service, its layers built once by the client's runtime. */
  readonly service: () => Promise<Sequences.Sequences>
}

const internals = new WeakMap<object, Internal>()

export const register = (client: object, internal: Internal): void => {
  internals.set(client, internal)
}

export const internalOf = (client: object, field: string): Internal => {
  const found = internals.get(client)
  if (found === undefined)
    throw new TypeError(`${field} must be a client made by kit(), apollo() or memory()`)
  return found
}
