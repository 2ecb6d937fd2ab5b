/** Promise 1 in both directions with the journal in SQLite and in PostgreSQL: see `faults.ts`. */
import { apolloToKit, faultSuite, journalRuns, kitToApollo } from "./faults.js"

faultSuite([kitToApollo, apolloToKit], journalRuns)
