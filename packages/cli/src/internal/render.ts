/**
 * Text a person reads (tables, warnings in plain words) and the stable `--json` shapes scripts read.
 * Pure functions: the commands decide where the text goes.
 */
import type { Apply, Plan, Sequence } from "@unisequence/core"

// ---- plain words ----

const words = (camel: string) => camel.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()

/** `steps[1].email.previewText` → `step 2, email preview text`. */
export const humanPath = (path: string): string => {
  if (path === "") return "sequence"
  return path
    .split(".")
    .map((part) => {
      const indexed = /^(\w+)\[(\d+)\]$/.exec(part)
      if (indexed !== null) {
        const [, name = "", index = "0"] = indexed
        const singular = name.endsWith("s") ? name.slice(0, -1) : name
        return `${words(singular)} ${Number(index) + 1}`
      }
      return words(part)
    })
    .join(", ")
}

export const warningLine = (warning: {
  readonly path: string
  readonly kind: string
  readonly detail: string
}) =>
  warning.kind === "notice"
    ? `${humanPath(warning.path)}: ${warning.detail}`
    : `${humanPath(warning.path)}: ${warning.kind === "dropped" ? "dropped" : "approximated"}, ${warning.detail}`

const pad = (text: string, width: number) =>
  text.length >= width ? text : text + " ".repeat(width - text.length)
const padStart = (text: string, width: number) =>
  text.length >= width ? text : " ".repeat(width - text.length) + text

const truncate = (text: string, width: number) =>
  text.length <= width ? text : `${text.slice(0, width - 1)}…`

/** Columns laid out to fit their content; numeric columns right-aligned. */
export const table = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  numeric: ReadonlyArray<number> = []
): ReadonlyArray<string> => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (numeric.includes(i) ? padStart(cell, widths[i] ?? 0) : pad(cell, widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [line(headers), ...rows.map(line)]
}

// ---- sequences ----

export const scheduleText = (schedule: Sequence.Schedule | undefined): string => {
  if (schedule === undefined) return "provider default"
  const weekly = schedule._tag === "Weekly" ? schedule : schedule.weekly
  const days = (w: Sequence.Weekly) =>
    w.days.length === 7 ? "every day" : w.days.map((d) => d.slice(0, 3)).join(",")
  const hour = (w: Sequence.Weekly) => `${String(w.hour).padStart(2, "0")}:00 ${w.timeZone}`
  if (schedule._tag === "Weekly") return `${days(schedule)} at ${hour(schedule)}`
  const name = schedule.name ?? schedule.scheduleId
  return weekly === undefined ? `"${name}"` : `"${name}" (${days(weekly)} from ${hour(weekly)})`
}

export const delayText = (delay: Sequence.Delay) =>
  `${delay.value} ${delay.value === 1 ? delay.unit.replace(/s$/, "") : delay.unit}`

export const listLines = (summaries: ReadonlyArray<Sequence.SequenceSummary>): ReadonlyArray<string> =>
  summaries.length === 0
    ? ["no sequences"]
    : table(
        ["ID", "NAME", "ACTIVE", "STEPS"],
        summaries.map((s) => [
          s.id,
          truncate(s.name, 60),
          s.active === undefined ? "?" : s.active ? "yes" : "no",
          s.stepCount === undefined ? "" : String(s.stepCount)
        ]),
        [3]
      )

export const showLines = (sequence: Sequence.Sequence): ReadonlyArray<string> => {
  const lines = [
    `${sequence.name} (id ${sequence.id})`,
    `  active:   ${sequence.active ? "yes" : "no"}${sequence.archived === true ? " (archived)" : ""}`,
    `  schedule: ${scheduleText(sequence.schedule)}`
  ]
  if (sequence.sender != null) lines.push(`  sender:   ${sequence.sender}`)
  if (sequence.reentry !== undefined) lines.push(`  re-entry: ${sequence.reentry ? "yes" : "no"}`)
  if (sequence.holdAfterLastStep !== undefined)
    lines.push(`  evergreen (hold after last step): ${sequence.holdAfterLastStep ? "yes" : "no"}`)
  if (sequence.exclusions !== undefined && sequence.exclusions.length > 0)
    lines.push(`  excludes: ${sequence.exclusions.map((e) => `${e.type} ${e.ids.join(",")}`).join("; ")}`)
  if (sequence.labels !== undefined && sequence.labels.length > 0)
    lines.push(`  labels:   ${sequence.labels.join(", ")}`)
  lines.push(`  steps:    ${sequence.steps.length}`)
  sequence.steps.forEach((step, i) => {
    const what = step.email === undefined ? step.type : `"${truncate(step.email.subject, 50)}"`
    const days = step.sendDays == null ? "" : ` on ${step.sendDays.map((d) => d.slice(0, 3)).join(",")}`
    const variants =
      step.variants === undefined || step.variants.length === 0 ? "" : ` +${step.variants.length} variant(s)`
    lines.push(
      `    ${padStart(String(i + 1), 2)}. after ${delayText(step.delay)}${days}: ${what}${variants} [${step.published ? "published" : "draft"}] (id ${step.id})`
    )
  })
  return lines
}

/** A sequence as JSON: the neutral model without the provider's raw payloads. */
export const sequenceJson = (sequence: Sequence.Sequence) => {
  const { raw: _raw, steps, ...settings } = sequence
  return {
    ...settings,
    steps: steps.map(({ raw: _stepRaw, ...step }) => ({ ...step }))
  }
}

export const summaryJson = (s: Sequence.SequenceSummary) => ({
  id: s.id,
  name: s.name,
  active: s.active ?? null,
  archived: s.archived ?? false,
  stepCount: s.stepCount ?? null,
  createdAt: s.createdAt ?? null,
  updatedAt: s.updatedAt ?? null
})

// ---- plans ----

const actionWord: Readonly<Record<Plan.Action, string>> = {
  create: "create",
  resume: "resume",
  update: "update",
  unchanged: "unchanged",
  remove: "remove"
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

export const planSummary = (plan: Plan.Plan): string => {
  const count = (action: Plan.Action) => plan.sequences.filter((s) => s.action === action).length
  const parts = [
    `${count("create")} to create`,
    ...(count("resume") > 0 ? [`${count("resume")} to resume`] : []),
    `${count("update")} to update`,
    ...(count("remove") > 0 ? [`${count("remove")} to remove`] : []),
    `${count("unchanged")} unchanged`,
    ...(plan.blocked.length > 0 ? [`${plan.blocked.length} blocked`] : [])
  ]
  const reads = plan.reads > 0 ? ` (${plural(plan.reads, "HTTP call")} read the target to plan)` : ""
  return `${parts.join(", ")}; ${plural(plan.calls, "HTTP call")} to write and verify${reads}`
}

export const hasWork = (plan: Plan.Plan) => plan.sequences.some((s) => s.action !== "unchanged")

export const planLines = (plan: Plan.Plan, file?: string): ReadonlyArray<string> => {
  const from = plan.source === "file" ? (file ?? "the file") : plan.source
  const head = `Plan: ${from} → ${plan.target}, ${plural(plan.sequences.length + plan.blocked.length, "sequence")}`
  const safety = plan.activate
    ? "targets keep the source's active and published flags (--activate)"
    : "new targets are written inactive, their emails unpublished (pass --activate to keep the source's flags)"
  const lines: Array<string> = [head, `  ${safety}`, ""]
  if (plan.sequences.length === 0 && plan.blocked.length === 0) {
    lines.push("  nothing selected")
    return lines
  }
  const rows = plan.sequences.map((s) => [
    truncate(s.name, 48),
    actionWord[s.action],
    String(s.target.steps.length),
    String(s.calls),
    s.warnings.length === 0 ? "-" : String(s.warnings.length)
  ])
  const headerAndRows = table(["SEQUENCE", "ACTION", "STEPS", "CALLS", "WARNINGS"], rows, [2, 3, 4])
  lines.push(`  ${headerAndRows[0]}`)
  plan.sequences.forEach((s, i) => {
    lines.push(`  ${headerAndRows[i + 1]}`)
    for (const op of s.operations.filter((o) => o.kind !== "verify" && o.kind !== "reconcile"))
      if (s.action === "update") lines.push(`      · ${op.detail}`)
    // Warnings matter for what will be written; an unchanged sequence writes nothing.
    if (s.action !== "unchanged")
      for (const warning of s.warnings) lines.push(`      ! ${warningLine(warning)}`)
  })
  for (const b of plan.blocked) {
    lines.push(`  ${truncate(b.name, 48)}  BLOCKED`)
    lines.push(`      ✗ ${b.error.message}`)
  }
  lines.push("", `  ${planSummary(plan)}`)
  return lines
}

export const planJson = (plan: Plan.Plan) => ({
  kind: plan.kind,
  source: plan.source,
  target: plan.target,
  activate: plan.activate,
  calls: plan.calls,
  reads: plan.reads,
  sequences: plan.sequences.map((s) => ({
    key: s.key,
    name: s.name,
    action: s.action,
    targetId: s.targetId ?? null,
    steps: s.target.steps.length,
    calls: s.calls,
    warnings: s.warnings.map((w) => ({ path: w.path, kind: w.kind, detail: w.detail })),
    operations: s.operations.map((o) => ({ kind: o.kind, detail: o.detail, calls: o.calls }))
  })),
  blocked: plan.blocked.map((b) => ({
    key: b.key,
    name: b.name,
    error: { _tag: b.error._tag, message: b.error.message }
  }))
})

// ---- results ----

/** Every sequence the target refused during the run, with its reason. */
const failedLines = (result: Apply.Result): ReadonlyArray<string> =>
  result.failed.flatMap((f) => [`  ${truncate(f.name, 48)}  FAILED`, `      ✗ ${f.error.message}`])

export const resultLines = (result: Apply.Result): ReadonlyArray<string> => [
  ...outcomeLines(result),
  ...failedLines(result)
]

const outcomeLines = (result: Apply.Result): ReadonlyArray<string> => {
  if (result.outcomes.length === 0) return ["nothing was written"]
  const rows = result.outcomes.map((o) => [
    truncate(o.name, 48),
    o.outcome,
    o.targetId ?? "-",
    o.verification
  ])
  const lines = table(["SEQUENCE", "OUTCOME", "TARGET ID", "VERIFIED"], rows).map((l) => `  ${l}`)
  const out: Array<string> = [lines[0] ?? ""]
  result.outcomes.forEach((o, i) => {
    out.push(lines[i + 1] ?? "")
    for (const d of o.differences) out.push(`      ≠ ${d}`)
  })
  return out
}

export const resultCounts = (result: Apply.Result) => {
  const by = (outcome: Apply.Outcome["outcome"]) =>
    result.outcomes.filter((o) => o.outcome === outcome).length
  return {
    created: by("created"),
    resumed: by("resumed"),
    updated: by("updated"),
    unchanged: by("unchanged"),
    removed: by("removed"),
    verified: result.outcomes.filter((o) => o.verification === "verified").length,
    differs: result.outcomes.filter((o) => o.verification === "differs").length,
    blocked: result.blocked.length,
    failed: result.failed.length
  }
}

export const resultSummary = (result: Apply.Result): string => {
  const c = resultCounts(result)
  const parts = [
    `${c.created} created`,
    ...(c.resumed > 0 ? [`${c.resumed} resumed`] : []),
    `${c.updated} updated`,
    ...(c.removed > 0 ? [`${c.removed} removed`] : []),
    `${c.unchanged} unchanged`,
    `${c.verified} verified`,
    ...(c.differs > 0 ? [`${c.differs} differ`] : []),
    ...(c.blocked > 0 ? [`${c.blocked} blocked`] : []),
    ...(c.failed > 0 ? [`${c.failed} failed`] : [])
  ]
  return parts.join(", ")
}

export const resultJson = (result: Apply.Result) => ({
  counts: resultCounts(result),
  outcomes: result.outcomes.map((o) => ({
    key: o.key,
    name: o.name,
    targetId: o.targetId ?? null,
    outcome: o.outcome,
    verification: o.verification,
    differences: [...o.differences]
  })),
  blocked: result.blocked.map((b) => ({
    key: b.key,
    name: b.name,
    error: { _tag: b.error._tag, message: b.error.message }
  })),
  failed: result.failed.map((f) => ({
    key: f.key,
    name: f.name,
    error: { _tag: f.error._tag, message: f.error.message }
  }))
})
