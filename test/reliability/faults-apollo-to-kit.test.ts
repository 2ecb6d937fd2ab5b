/** Promise 1, Apollo → Kit, 200 sequences, the journal in memory: see `faults.ts`. */
import { apolloToKit, faultSuite, headline } from "./faults.js"

faultSuite([apolloToKit], headline)
