// A plain JavaScript app on the Promise API, run by the pack test from the installed tarballs: no
// Effect, no TypeScript. Errors are caught by class; the client is closed.
import { kit, memory, SequenceNotFound } from "@unisequence/client"
import { KitSimulator } from "@unisequence/testing"

const sim = await KitSimulator.startAsync()
const clients = [memory(), kit({ apiKey: "kit_test_key", baseUrl: sim.url })]
try {
  for (const client of clients) {
    const created = await client.create({
      name: "Plain JavaScript",
      steps: [{ delay: { value: 0, unit: "days" }, email: { subject: "Hi", html: "<p>Hi</p>" } }]
    })
    let listed = false
    for await (const summary of client.list()) listed ||= summary.id === created.id
    let notFound = false
    try {
      await client.get("987654321")
    } catch (error) {
      notFound = error instanceof SequenceNotFound && error._tag === "SequenceNotFound"
    }
    const read = await client.get(created.id)
    console.log(
      `promise ${client.provider}: ${read.steps.length} step, listed ${listed}, not found caught ${notFound}`
    )
  }
} finally {
  for (const client of clients) await client.close()
  await sim.close()
}
