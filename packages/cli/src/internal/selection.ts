/** `--select`: which sources a migration reads (`all`, `ids:1,2,3`, `name:TEXT`). */
import { Migration } from "@unisequence/core"
import { Effect } from "effect"
import { UsageError } from "./errors.js"

export const parseSelection = (text: string): Effect.Effect<Migration.Selection, UsageError> => {
  const trimmed = text.trim()
  if (trimmed === "all") return Effect.succeed(Migration.all)
  if (trimmed.startsWith("ids:")) {
    const ids = trimmed
      .slice(4)
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
    return ids.length === 0
      ? Effect.fail(new UsageError({ message: "--select ids: needs at least one id (ids:1,2,3)" }))
      : Effect.succeed(Migration.ids(ids))
  }
  if (trimmed.startsWith("name:") && trimmed.length > 5)
    return Effect.succeed(Migration.nameContains(trimmed.slice(5)))
  return Effect.fail(
    new UsageError({ message: `--select: expected all, ids:1,2,3 or name:TEXT, got "${text}"` })
  )
}
