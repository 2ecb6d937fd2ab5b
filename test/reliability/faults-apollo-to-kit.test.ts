/** Promise 1, Apollo → Kit: see `faults.ts`. */
import { apolloToKit, faultSuite } from "./faults.js"

faultSuite(apolloToKit)
