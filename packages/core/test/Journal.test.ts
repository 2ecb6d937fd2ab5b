import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { Journal, type JournalLease } from "../src/index.js"
import * as JournalLines from "../src/internal/journalLines.js"

/** The real file system, counting `sync` calls on the files it opens. */
const countingSyncs = (syncs: Array<string>) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs) => ({
      ...fs,
      open: (path: string, options?: FileSystem.OpenFileOptions) =>
        Effect.map(
          fs.open(path, options),
          (file) =>
            // The file is a class instance: a proxy keeps its other members as they are.
            new Proxy(file, {
              get: (target, member) =>
                member === "sync"
                  ? Effect.zipRight(
                      Effect.sync(() => syncs.push(path)),
                      target.sync
                    )
                  : Reflect.get(target, member)
            })
        )
    }))
  ).pipe(Layer.provide(NodeContext.layer))

const tempFile = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  return `${dir}/nested/dir/run.jsonl`
})

describe("Journal", () => {
  it("latest keeps what earlier entries learnt when a later one omits it", () => {
    const at = "2026-01-01T00:00:00.000Z"
    const byKey = Journal.latest([
      { v: 1, key: "a", state: "creating", token: "t1", at },
      { v: 1, key: "b", state: "created", targetId: "9", at },
      { v: 1, key: "a", state: "created", targetId: "1", stepIds: ["s"], at },
      { v: 1, key: "a", state: "verified", fingerprint: "f", at }
    ])
    expect(byKey.get("a")).toEqual({
      v: 1,
      key: "a",
      state: "verified",
      targetId: "1",
      token: "t1",
      stepIds: ["s"],
      fingerprint: "f",
      at
    })
    expect(byKey.get("b")?.targetId).toBe("9")
  })

  it("parse skips blank lines and counts lines cut short", () => {
    const whole = '{"v":1,"key":"a","state":"created","at":"x"}'
    const { entries, skipped } = JournalLines.parse(`${whole}\n\n${whole.slice(0, 20)}\n${whole}\n`)
    expect(entries.map((e) => e.key)).toEqual(["a", "a"])
    expect(skipped).toBe(1)
  })

  it.effect("line and parse round-trip an entry", () =>
    Effect.gen(function* () {
      const entry = yield* JournalLines.stamp({ key: "k", state: "creating", token: "abc" })
      expect(entry.v).toBe(1)
      expect(JournalLines.parse(JournalLines.line(entry)).entries).toEqual([entry])
    })
  )

  it.scoped("layerFile: appends lines, creates the directory, reads them back in order", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const journal = yield* Journal.makeFile(file)
      expect(yield* journal.read).toEqual([])
      yield* journal.append({ key: "a", state: "creating", token: "t" })
      yield* journal.append({ key: "a", state: "created", targetId: "1" })
      const entries = yield* journal.read
      expect(entries.map((e) => [e.key, e.state])).toEqual([
        ["a", "creating"],
        ["a", "created"]
      ])
      const text = yield* (yield* FileSystem.FileSystem).readFileString(file)
      expect(text.split("\n")).toHaveLength(3)
      // The same file through the layer sees the same entries.
      const again = yield* Journal.readLatest.pipe(Effect.provide(Journal.layerFile(file)))
      expect(again.get("a")).toMatchObject({ state: "created", targetId: "1", token: "t" })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped(
    "layerFile: a line cut short by a crash is skipped and the next entry starts on its own line",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const file = yield* tempFile
        const journal = yield* Journal.makeFile(file)
        yield* journal.append({ key: "a", state: "created", targetId: "1" })
        yield* fs.writeFileString(file, '{"v":1,"key":"b","sta', { flag: "a" })
        expect((yield* journal.read).map((e) => e.key)).toEqual(["a"])
        yield* journal.append({ key: "b", state: "created", targetId: "2" })
        expect((yield* journal.read).map((e) => [e.key, e.targetId])).toEqual([
          ["a", "1"],
          ["b", "2"]
        ])
      }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("layerFile: the line of each create is synced to disk, the others are not", () => {
    const syncs: Array<string> = []
    return Effect.gen(function* () {
      const file = yield* tempFile
      const journal = yield* Journal.makeFile(file)
      yield* journal.append({ key: "a", state: "creating", token: "t" })
      yield* journal.append({ key: "a", state: "created", targetId: "1" })
      yield* journal.append({ key: "a", state: "verified", targetId: "1" })
      yield* journal.append({ key: "b", state: "creating", token: "u" })
      expect(syncs).toEqual([file, file])
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, countingSyncs(syncs))))
  })

  it.scoped("layerFile: an unwritable place is a JournalError naming it", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/file`, "")
      const journal = yield* Journal.makeFile(`${dir}/file/run.jsonl`)
      const error = yield* Effect.flip(journal.append({ key: "a", state: "created" }))
      expect(error._tag).toBe("JournalError")
      expect(error.location).toBe(`${dir}/file/run.jsonl`)
      expect(error.message).toContain(`journal ${dir}/file/run.jsonl:`)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("layerMemory: each build is a new, empty journal", () =>
    Effect.gen(function* () {
      yield* Effect.flatMap(Journal.Journal, (j) => j.append({ key: "a", state: "created" })).pipe(
        Effect.provide(Journal.layerMemory)
      )
      expect((yield* Journal.readLatest.pipe(Effect.provide(Journal.layerMemory))).size).toBe(0)
    })
  )

  it.effect("makeMemory: starts from text cut short and keeps the text a file would hold", () =>
    Effect.gen(function* () {
      const journal = yield* Journal.makeMemory('{"v":1,"key":"a","state":"created","at":"x"}\n{"v":1,"ke')
      expect((yield* journal.read).map((e) => e.key)).toEqual(["a"])
      yield* journal.append({ key: "b", state: "verified" })
      expect((yield* journal.read).map((e) => e.key)).toEqual(["a", "b"])
    })
  )
})

describe("Journal.layerFile: one run at a time", () => {
  const here: JournalLease.Identity = { host: "host-a", pid: 10, alive: (pid) => pid !== 666 }
  const build = (file: string, options: JournalLease.Options = { identity: here }) =>
    Layer.build(Journal.layerFile(file, options)).pipe(
      Effect.map((context) => Context.get(context, Journal.Journal))
    )
  const lockOf = (holder: Partial<JournalLease.Holder>) =>
    JSON.stringify({
      owner: "other-run",
      host: "host-b",
      pid: 20,
      since: "2026-01-01T00:00:00.000Z",
      expires: "2999-01-01T00:00:00.000Z",
      ...holder
    })

  it.scoped("holds a lock file beside the journal while the run lasts, and removes it at the end", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = yield* tempFile
      const scope = yield* Scope.make()
      const journal = yield* build(file).pipe(Scope.extend(scope))
      yield* journal.append({ key: "1", state: "verified" })
      const lock = JSON.parse(yield* fs.readFileString(`${file}.lock`))
      expect(lock).toMatchObject({ host: "host-a", pid: 10 })
      yield* Scope.close(scope, Exit.void)
      expect(yield* fs.exists(`${file}.lock`)).toBe(false)
      expect(yield* fs.exists(file)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a second run fails at once with JournalBusy saying who holds it since when", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const first = yield* build(file)
      yield* first.append({ key: "1", state: "creating", token: "t" })
      const exit = yield* Effect.exit(build(file))
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(Option.map(error, (e) => e._tag)).toEqual(Option.some("JournalBusy"))
      expect(Option.getOrThrow(error).message).toMatch(
        /^journal .*run\.jsonl is in use by another run, process 10 on host-a, since \d{4}-/
      )
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a lock left by a process gone from this host is taken over, and the run resumes", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = yield* tempFile
      const before = yield* build(file).pipe(Effect.scoped)
      yield* Effect.scoped(
        Effect.flatMap(build(file), (j) => j.append({ key: "1", state: "created", targetId: "x" }))
      )
      expect(before.location).toBe(file)
      yield* fs.writeFileString(`${file}.lock`, lockOf({ host: "host-a", pid: 666 }))
      const journal = yield* build(file)
      expect((yield* journal.read).map((e) => e.targetId)).toEqual(["x"])
      expect(JSON.parse(yield* fs.readFileString(`${file}.lock`))).toMatchObject({ pid: 10 })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive(
    "a lock of another host holds until it expires; an expired or unreadable one is taken over",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const file = yield* tempFile
        yield* fs.makeDirectory(`${file}/..`, { recursive: true })
        yield* fs.writeFileString(`${file}.lock`, lockOf({}))
        const held = yield* Effect.exit(build(file).pipe(Effect.scoped))
        expect(
          Exit.isFailure(held) && Cause.failureOption(held.cause).pipe(Option.map((e) => e._tag))
        ).toEqual(Option.some("JournalBusy"))
        yield* fs.writeFileString(`${file}.lock`, lockOf({ expires: "2020-01-01T00:00:00.000Z" }))
        yield* build(file).pipe(Effect.scoped)
        yield* fs.writeFileString(`${file}.lock`, '{"owner":"cut sh')
        yield* build(file).pipe(Effect.scoped)
        expect(yield* fs.exists(`${file}.lock`)).toBe(false)
      }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("eight runs opening one journal at once: exactly one holds it", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const exits = yield* Effect.all(
        Array.from({ length: 8 }, () => Effect.exit(build(file))),
        { concurrency: "unbounded" }
      )
      expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
      expect(
        exits
          .flatMap((exit) => (Exit.isFailure(exit) ? Option.toArray(Cause.failureOption(exit.cause)) : []))
          .map((e) => e._tag)
      ).toEqual(Array.from({ length: 7 }, () => "JournalBusy"))
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a run whose lease was taken over stops before its next append", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = yield* tempFile
      const journal = yield* build(file)
      yield* journal.append({ key: "1", state: "creating", token: "t" })
      // As if this run had stalled past its lease and another had taken the journal over.
      yield* fs.writeFileString(`${file}.lock`, lockOf({}))
      const exit = yield* Effect.exit(journal.append({ key: "1", state: "created", targetId: "x" }))
      expect(
        Exit.isFailure(exit) && Cause.failureOption(exit.cause).pipe(Option.map((e) => e.message))
      ).toEqual(Option.some(expect.stringContaining("taken over by process 20 on host-b")))
      expect((yield* journal.read).map((e) => e.state)).toEqual(["creating"])
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
