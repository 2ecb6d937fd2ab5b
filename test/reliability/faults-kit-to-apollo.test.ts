/** Promise 1, Kit → Apollo: see `faults.ts`. */
import { faultSuite, kitToApollo } from "./faults.js"

faultSuite(kitToApollo)
