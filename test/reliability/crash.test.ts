/** Promise 2 on the file journal, the CLI's own: 20 kill points and a journal cut inside its only line (`crash.ts`). */
import { crashSuite } from "./crash.js"

crashSuite(["file"])
