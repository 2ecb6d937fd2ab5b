import type { Bench } from "../bench.js"
import { bench as callCounts } from "./callCounts.js"
import { bench as cliStartup } from "./cliStartup.js"
import { bench as getOne } from "./getOne.js"
import { bench as listAll } from "./listAll.js"
import { bench as migrateAll } from "./migrateAll.js"
import { apolloBench, kitBench } from "./rateLimited.js"

export const all: ReadonlyArray<Bench> = [
  getOne,
  listAll,
  callCounts,
  kitBench,
  apolloBench,
  migrateAll,
  cliStartup
]
