/**
 * Every example runs as a user would run it (`tsx examples/<name>.ts`), on the simulators (no keys in
 * its environment), and prints what it promises. All of them run in one process, one after the other
 * (`runExamples.ts`: each imported as `tsx` would run it, its output and exit code its own), so Node,
 * tsx and the packages load once rather than once per example.
 */
import { Executable } from "@unisequence/testing"
import * as NodePath from "node:path"
import { beforeAll, describe, expect, it } from "vitest"

const dir = NodePath.resolve(import.meta.dirname, "..")
const secrets = ["kit_test_key", "apollo_master_key", "kit_not_a_real_key"]
const examples = [
  "switch-provider.ts",
  "migrate-kit-to-apollo.ts",
  "sequences-as-code.ts",
  "enroll.ts",
  "errors.ts",
  "promise-api.mjs"
]

interface Outcome {
  readonly file: string
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

let outcomes: ReadonlyArray<Outcome> = []

// No keys: the examples start their own simulators.
beforeAll(async () => {
  const ran = await Executable.run(["--import", "tsx", "test/runExamples.ts", ...examples], { cwd: dir })
  if (ran.code !== 0) throw new Error(`the examples' run exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`)
  const parsed: unknown = JSON.parse(ran.stdout)
  outcomes = Array.isArray(parsed) ? parsed : []
  expect(outcomes.map((o) => o.file)).toEqual(examples)
  expect(ran.stderr).toBe("")
})

const expectRun = (file: string, patterns: ReadonlyArray<RegExp>) => {
  const ran = outcomes.find((o) => o.file === file)
  if (ran === undefined) throw new Error(`${file} did not run`)
  expect(ran.stderr, ran.stderr).toBe("")
  expect(ran.code).toBe(0)
  for (const pattern of patterns) expect(ran.stdout).toMatch(pattern)
  for (const secret of secrets) expect(ran.stdout + ran.stderr).not.toContain(secret)
  return ran.stdout
}

describe("examples", () => {
  it("switch-provider.ts runs the same code on memory, Kit and Apollo", () => {
    const out = expectRun("switch-provider.ts", [
      /^\[memory\] "Onboarding \(switch-provider example\)" .*: 3 steps, active false/m,
      /^\[kit\] .*: 3 steps, active false: 0 days "Welcome!", 2 days "Your first project", 3 days "Tips from the team"$/m,
      /^\[apollo\] .*: 3 steps, active false: 0 days "Welcome!", 2 days "Your first project", 3 days "Tips from the team"$/m,
      /^same code, three providers$/m
    ])
    expect(out.trim().split("\n")).toHaveLength(4)
  })

  it("migrate-kit-to-apollo.ts plans with warnings, applies, verifies, and a rerun is unchanged", () => {
    expectRun("migrate-kit-to-apollo.ts", [
      /^plan: create "Welcome series" \(2 steps, \d+ calls\)$/m,
      /^ {2}warning: steps\[1\]\.sendDays dropped: /m,
      /^applied: "Welcome series" created, verified$/m,
      /^migrated 1, verified 1$/m,
      /^rerun: unchanged$/m
    ])
  })

  it("sequences-as-code.ts applies sequences.json and a second plan has nothing to do", () => {
    expectRun("sequences-as-code.ts", [
      /^plan: create "Onboarding \(as code\)"/m,
      /^plan: create "Trial ending \(as code\)"/m,
      /^applied: "Onboarding \(as code\)" created as \S+, verified$/m,
      /^second plan: Onboarding \(as code\): unchanged; Trial ending \(as code\): unchanged$/m
    ])
  })

  it("enroll.ts enrols a Kit subscriber (once) and an Apollo contact", () => {
    expectRun("enroll.ts", [
      /^kit: ada@example\.com in "Newsletter welcome": added 1; enrolling again: added 0, already enrolled 1$/m,
      /^apollo: contact 66e34b81740c50074e3d1bd4 in "Outbound: founders": added 1$/m
    ])
  })

  it("errors.ts handles each failure by its tag", () => {
    expectRun("errors.ts", [
      /^get an unknown id: SequenceNotFound: no sequence 987654321$/m,
      /^get with a wrong key: AuthenticationFailed: check the kit key$/m,
      /^create with an hour of 25: InvalidInput: schedule\.hour: /m,
      /^a call step on Kit: Unsupported: /m,
      /^list the first sequence: ok$/m
    ])
  })

  it("promise-api.mjs uses the Promise API from plain JavaScript", () => {
    const out = expectRun("promise-api.mjs", [
      /^created "Welcome \(promise example\)" with 2 steps$/m,
      /^listed: Welcome \(promise example\)$/m,
      /^caught SequenceNotFound: no sequence 987654321$/m,
      /^migrated "Welcome \(promise example\)": created, verified$/m,
      /^done: 1 migrated, 0 blocked$/m
    ])
    expect(out.trim().split("\n")).toHaveLength(5)
  })
})
