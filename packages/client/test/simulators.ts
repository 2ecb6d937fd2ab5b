/**
 * A Kit and an Apollo simulator for the file's tests (Apollo with the single-sequence read the
 * adapter needs), started before them and closed after.
 */
import { ApolloSimulator, KitSimulator } from "@unisequence/testing"
import { afterAll, beforeAll } from "vitest"

export const simulators = () => {
  const sims: { kit?: KitSimulator.KitSimulator; apollo?: ApolloSimulator.ApolloSimulator } = {}
  beforeAll(async () => {
    sims.kit = await KitSimulator.startAsync()
    sims.apollo = await ApolloSimulator.startAsync({ quirks: { readOneSequence: true } })
  })
  afterAll(async () => {
    await sims.kit?.close()
    await sims.apollo?.close()
  })
  return {
    get kit() {
      return sims.kit!
    },
    get apollo() {
      return sims.apollo!
    }
  }
}
