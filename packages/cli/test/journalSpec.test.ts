import { Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import * as JournalSpec from "../src/internal/journalSpec.js"

const parsed = (text: string) => Either.getOrThrowWith(JournalSpec.parse(text), (e) => new Error(e))

describe("--journal", () => {
  it("a path is a JSON-lines file", () => {
    expect(parsed(".unisequence/run.jsonl")).toEqual({ _tag: "File", path: ".unisequence/run.jsonl" })
    expect(parsed("/abs/run.jsonl")).toEqual({ _tag: "File", path: "/abs/run.jsonl" })
  })

  it("sqlite:FILE is a SQLite database (sqlite:///abs too)", () => {
    expect(parsed("sqlite:state/journal.db")).toEqual({ _tag: "Sqlite", path: "state/journal.db" })
    expect(parsed("sqlite:///var/lib/journal.db")).toEqual({ _tag: "Sqlite", path: "/var/lib/journal.db" })
    expect(JournalSpec.parse("sqlite:")).toEqual(Either.left(expect.stringContaining("needs a file")))
  })

  it("postgres:// keeps the whole URL redacted and shows it without the password", () => {
    const text = "postgres://app:s3cret-pw@db.internal:5433/state?sslmode=require"
    const spec = parsed(text)
    expect(spec._tag).toBe("Postgres")
    if (spec._tag !== "Postgres") return
    expect(Redacted.value(spec.url)).toBe(text)
    expect(spec.shown).toBe("postgres://app:***@db.internal:5433/state?sslmode=require")
    expect(JournalSpec.show(spec)).not.toContain("s3cret-pw")
    // Printed, logged or serialised, the spec never carries the password.
    expect(String(spec.url)).not.toContain("s3cret-pw")
    expect(JSON.stringify(spec)).not.toContain("s3cret-pw")
    expect(parsed("postgresql://app@db/state")).toMatchObject({
      _tag: "Postgres",
      shown: "postgresql://app@db/state"
    })
  })

  it("a bad URL is refused without repeating it", () => {
    const bad = JournalSpec.parse("mysql://root:hunter2@db/x")
    expect(bad).toEqual(Either.left(expect.stringContaining("unsupported scheme mysql://")))
    expect(JSON.stringify(bad)).not.toContain("hunter2")
    const noHost = JournalSpec.parse("postgres://:hunter2@/x")
    expect(Either.isLeft(noHost)).toBe(true)
    expect(JSON.stringify(noHost)).not.toContain("hunter2")
  })
})
