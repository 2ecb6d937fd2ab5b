/**
 * The journal's state machine, as `Apply` steps through it: how far each state is along the way,
 * what a plan action becomes once the journal says where its sequence stands, and the latest entry
 * after one more is appended. Pure.
 */
import * as Journal from "../Journal.js"
import type * as Plan from "../Plan.js"
import { actionFrom } from "./planning.js"

/** How far along a sequence is in each state: later operations are skipped when reached. */
export const rank: Readonly<Record<Journal.State, number>> = {
  creating: 0,
  created: 1,
  settled: 2,
  activated: 3,
  verified: 4,
  differs: 4,
  removed: 5
}

/** Where a run starts for one sequence: nothing done for a create, otherwise the journal's state. */
export const startingStage = (action: Plan.Action, entry: Journal.Entry | undefined): number =>
  entry === undefined || action === "create" ? -1 : rank[entry.state]

/**
 * The action to carry out when the journal may be newer than the plan (an earlier attempt, or a
 * run after planning): the journal is trusted — finished with this fingerprint is unchanged, a
 * create already begun is resumed.
 */
export const effectiveAction = (
  planned: Plan.SequencePlan,
  entry: Journal.Entry | undefined
): Plan.Action => {
  if (entry === undefined || planned.action === "remove") return planned.action
  if (actionFrom(entry, planned.fingerprint) === "unchanged") return "unchanged"
  return planned.action === "create" ? "resume" : planned.action
}

/** The latest entry of a key once `appended` follows `previous`. */
export const advance = (previous: Journal.Entry | undefined, appended: Journal.NewEntry): Journal.Entry =>
  Journal.latest([...(previous === undefined ? [] : [previous]), { v: 1, at: "", ...appended }]).get(
    appended.key
  )!
