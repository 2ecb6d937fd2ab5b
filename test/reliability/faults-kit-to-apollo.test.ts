/** Promise 1, Kit → Apollo, 200 sequences, the journal in memory: see `faults.ts`. */
import { faultSuite, headline, kitToApollo } from "./faults.js"

faultSuite([kitToApollo], headline)
