/**
 * A short tour of unisequence on the in-memory provider: no account, no network. Run it with
 * `pnpm demo` from the repository root.
 */
import { Memory, Sequences } from "@unisequence/core"
import { Console, Effect, Stream } from "effect"

const program = Effect.gen(function* () {
  const sequences = yield* Sequences.Sequences

  yield* Console.log(`Provider: ${sequences.provider}\n`)

  // 1. Create a sequence with three steps. It starts inactive, its emails unpublished.
  const created = yield* sequences.create({
    name: "Welcome series",
    schedule: { _tag: "Weekly", days: ["monday", "wednesday", "friday"], hour: 9, timeZone: "Europe/Paris" },
    steps: [
      { delay: { value: 0, unit: "days" }, email: { subject: "Welcome aboard", html: "<p>Hello!</p>" } },
      {
        delay: { value: 2, unit: "days" },
        sendDays: ["tuesday", "thursday"],
        email: { subject: "Three tips to get started", html: "<p>Tips</p>" }
      },
      { delay: { value: 12, unit: "hours" }, email: { subject: "How is it going?", html: "<p>Reply</p>" } }
    ]
  })
  yield* Console.log(`Created "${created.name}" (${created.id}) with ${created.steps.length} steps`)

  // 2. Patch it: only the named settings change; a step edit keeps every other step's id.
  yield* sequences.update(created.id, { name: "Welcome series (v2)" })
  yield* sequences.updateStep(created.id, created.steps[1]!.id, { published: true })
  yield* Console.log(`Renamed it and published step 2`)

  // 3. Invalid input is refused before anything is written, with every broken rule at once.
  const refused = yield* sequences
    .addStep(created.id, { delay: { value: 0, unit: "hours" }, sendDays: ["monday"] })
    .pipe(Effect.match({ onFailure: (error) => error.message, onSuccess: () => "accepted (unexpected)" }))
  yield* Console.log(`Refused a bad step: ${refused}\n`)

  // 4. List every sequence (a Stream that follows the provider's pages).
  const all = yield* Stream.runCollect(sequences.list())
  for (const summary of all) {
    yield* Console.log(`Listed: ${summary.name} (${summary.id}), ${summary.stepCount ?? "?"} steps`)
  }

  // 5. Print it as a table.
  const sequence = yield* sequences.get(created.id)
  yield* Console.log(`\n${sequence.name}, ${sequence.active ? "active" : "inactive"}`)
  yield* Console.log(
    table(
      ["#", "Delay", "Send days", "Subject", "Published"],
      sequence.steps.map((step, i) => [
        String(i + 1),
        `${step.delay.value} ${step.delay.unit}`,
        step.sendDays?.map((day) => day.slice(0, 3)).join(", ") ?? "schedule",
        step.email?.subject ?? `(${step.type})`,
        step.published ? "yes" : "no"
      ])
    )
  )
})

/** A plain-text table with a header rule, columns padded to their widest cell. */
const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]?.length ?? 0)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join("  ")
      .trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

program.pipe(
  Effect.provide(Memory.layer()),
  Effect.catchAll((error) => Console.error(`demo failed: ${error.message}`)),
  Effect.runPromise
)
