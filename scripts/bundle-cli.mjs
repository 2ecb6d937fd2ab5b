#!/usr/bin/env node
// Bundles the CLI's executable alone (no tsc), as `pnpm build` does: `node scripts/bundle-cli.mjs OUT`
// writes OUT/bin/unisequence.js and its bundles. The start-up benchmark measures this output.
import { join } from "node:path"
import { bundleBin } from "./internal/bundle.mjs"
import { root } from "./internal/manifest.mjs"

const out = process.argv[2]
if (out === undefined) {
  console.error("usage: node scripts/bundle-cli.mjs OUT_DIR")
  process.exit(2)
}
await bundleBin(join(root, "packages/cli"), out)
