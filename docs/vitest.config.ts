import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "**/.tsbuild/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report feeds the one-line total that `pnpm test` prints at the end.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest/report.json" }
  }
})
