/** A migration's plan and apply on a journal the test holds, so a rerun sees what the last run did. */
import { Apply, Journal, Migration, type Plan, type Sequences } from "@unisequence/core"
import { Effect } from "effect"

export const planWith = (
  source: Sequences.Sequences,
  target: Sequences.Sequences,
  journal: Journal.Journal
) => Migration.plan({ source, target }).pipe(Effect.provideService(Journal.Journal, journal))

export const applyWith = (plan: Plan.Plan, target: Sequences.Sequences, journal: Journal.Journal) =>
  Apply.apply(plan, { target }).pipe(Effect.provideService(Journal.Journal, journal))
