/** Runs a selection of benchmarks against one simulator host and collects their figures. */
import * as Adapters from "./adapters.js"
import type { Size } from "./bench.js"
import { all } from "./benches/index.js"
import type { Figure } from "./figures.js"
import * as Host from "./simulators/host.js"

export interface RunOptions {
  readonly only?: ReadonlyArray<number>
  readonly size: Size
  readonly mode?: Host.Mode
  readonly progress?: (message: string) => void
}

export const run = async (options: RunOptions): Promise<ReadonlyArray<Figure>> => {
  const progress = options.progress ?? (() => {})
  const selected = all.filter((b) => options.only === undefined || options.only.includes(b.id))
  const host = await Host.start(options.mode ?? "child")
  const figures: Array<Figure> = []
  try {
    for (const bench of selected) {
      progress(`[${bench.id}] ${bench.title}…`)
      const started = Date.now()
      figures.push(...(await bench.run({ host, size: options.size, progress })))
      progress(`[${bench.id}] done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    }
  } finally {
    await Adapters.release()
    await host.close()
  }
  return figures
}
