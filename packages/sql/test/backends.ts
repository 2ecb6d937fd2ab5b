/**
 * The databases the SQL journal is tested on, for real: SQLite in a temporary file, and a
 * PostgreSQL server started for the test run. Outside CI a machine without PostgreSQL skips the
 * PostgreSQL half with a message; under CI=true it is a failure.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Postgres } from "@unisequence/testing"
import type { ConfigError, Layer } from "effect"
import { afterAll, beforeAll } from "vitest"

export interface Backend {
  readonly name: "sqlite" | "postgres"
  /** A new client (its own connections) to the backend's one database: a second run. */
  readonly client: () => Layer.Layer<SqlClient.SqlClient, SqlError | ConfigError.ConfigError>
}

const pgStatus = Postgres.available()
export const postgresMissing = pgStatus.ok ? undefined : pgStatus.reason
if (postgresMissing !== undefined) {
  if (process.env.CI === "true") throw new Error(`PostgreSQL is required under CI: ${postgresMissing}`)
  console.warn(`[sql] PostgreSQL tests skipped: ${postgresMissing}`)
}

/** Sets up every available backend for the file's tests; returns them once `beforeAll` has run. */
export const backends = (): ReadonlyArray<Backend> => {
  const list: Array<Backend> = []
  let dir = ""
  let pg: Postgres.Postgres | undefined
  beforeAll(async () => {
    dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-sql-"))
    const filename = NodePath.join(dir, "journal.db")
    list.push({ name: "sqlite", client: () => SqliteClient.layer({ filename }) })
    if (postgresMissing === undefined) {
      pg = await Postgres.startAsync()
      const url = pg.url
      list.push({ name: "postgres", client: () => PgClient.layer({ url }) })
    }
  }, 120_000)
  afterAll(async () => {
    await pg?.stop()
    if (dir !== "") NodeFs.rmSync(dir, { recursive: true, force: true })
  })
  return list
}

export const backendNames: ReadonlyArray<Backend["name"]> =
  postgresMissing === undefined ? ["sqlite", "postgres"] : ["sqlite"]
