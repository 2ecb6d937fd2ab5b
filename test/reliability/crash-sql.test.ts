/** Promise 2 on the SQL journals, SQLite and PostgreSQL: 6 kill points each (`crash.ts`). */
import { crashSuite } from "./crash.js"

crashSuite(["sqlite", "postgres"])
