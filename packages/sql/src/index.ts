/**
 * @unisequence/sql: the migration journal in a database through `@effect/sql` (SQLite, PostgreSQL,
 * any database with an `@effect/sql` driver), with an exclusive lease per journal.
 */
export * as ProcessIdentity from "./ProcessIdentity.js"
export * as SqlJournal from "./SqlJournal.js"
