/**
 * This Node process as a journal lease knows it: its host and pid, and whether a process of this
 * host still runs, so that a lease left by a run killed on this host is taken over at once instead
 * of after its expiry.
 */
import * as NodeOs from "node:os"
import type { JournalLease } from "@unisequence/core"

/** Whether a process of this host is still running (one we may not signal is running). */
export const processAlive = (pid: number): boolean => {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return !(error instanceof Error && "code" in error && error.code === "ESRCH")
  }
}

export const identity: JournalLease.Identity = {
  host: NodeOs.hostname(),
  pid: process.pid,
  alive: processAlive
}
