/**
 * A throwaway PostgreSQL server for tests: `initdb` in a temporary directory, started on a free
 * port of 127.0.0.1 with password authentication, stopped and deleted at the end. It uses the
 * server binaries installed on the machine (Debian's `postgresql` package); `available()` says
 * whether there are any, so a test can skip (or, under CI, fail) with a message.
 *
 * ```ts
 * const pg = await Postgres.startAsync()
 * // pg.url: postgres://unisequence:…@127.0.0.1:PORT/postgres
 * await pg.stop()
 * ```
 */
import { execFileSync, spawn } from "node:child_process"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Effect, Redacted } from "effect"

export interface Postgres {
  /** `postgres://USER:PASSWORD@127.0.0.1:PORT/postgres`: it carries the password. */
  readonly url: Redacted.Redacted<string>
  readonly port: number
  readonly user: string
  readonly password: Redacted.Redacted<string>
  /** Stops the server at once and deletes its files. */
  readonly stop: () => Promise<void>
}

const versionOf = (dir: string) => Number.parseInt(dir, 10) || 0

/** The directory of `initdb` and `pg_ctl`: Debian keeps them off PATH, per major version. */
export const binDir = (): string | undefined => {
  const debian = "/usr/lib/postgresql"
  if (NodeFs.existsSync(debian)) {
    const versions = NodeFs.readdirSync(debian)
      .filter((v) => NodeFs.existsSync(NodePath.join(debian, v, "bin", "initdb")))
      .sort((a, b) => versionOf(b) - versionOf(a))
    if (versions[0] !== undefined) return NodePath.join(debian, versions[0], "bin")
  }
  for (const dir of (process.env.PATH ?? "").split(NodePath.delimiter)) {
    if (dir !== "" && NodeFs.existsSync(NodePath.join(dir, "initdb"))) return dir
  }
  return undefined
}

/** Whether a server can be started here; when not, why. */
export const available = (): { readonly ok: true } | { readonly ok: false; readonly reason: string } =>
  binDir() === undefined
    ? { ok: false, reason: "no PostgreSQL server binaries (initdb) found: apt-get install -y postgresql" }
    : { ok: true }

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = NodeNet.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** The server refuses to run as root: it runs as the `postgres` user then. */
const runAs = (): { readonly uid: number; readonly gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
  return { uid, gid }
}

const run = (file: string, args: ReadonlyArray<string>, user: ReturnType<typeof runAs>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "", LC_ALL: "C" },
      ...(user === undefined ? {} : { uid: user.uid, gid: user.gid })
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${NodePath.basename(file)} exited ${code}: ${output}`))
    )
  })

export const startAsync = async (): Promise<Postgres> => {
  const bin = binDir()
  if (bin === undefined) throw new Error("PostgreSQL is not installed: apt-get install -y postgresql")
  const user = runAs()
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "unisequence-pg-"))
  NodeFs.chmodSync(dir, 0o700)
  if (user !== undefined) NodeFs.chownSync(dir, user.uid, user.gid)
  const data = NodePath.join(dir, "data")
  const password = NodeCrypto.randomBytes(12).toString("hex")
  const pwfile = NodePath.join(dir, "pw")
  NodeFs.writeFileSync(pwfile, password, { mode: 0o600 })
  if (user !== undefined) NodeFs.chownSync(pwfile, user.uid, user.gid)
  const name = "unisequence"
  try {
    await run(
      NodePath.join(bin, "initdb"),
      ["-D", data, "-U", name, "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--no-sync"],
      user
    )
    NodeFs.rmSync(pwfile)
    const port = await freePort()
    await run(
      NodePath.join(bin, "pg_ctl"),
      [
        "start",
        "-D",
        data,
        "-w",
        "-t",
        "60",
        "-l",
        NodePath.join(dir, "server.log"),
        "-o",
        // No durability needed for a test server; its socket stays in its own directory.
        `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c max_connections=200`
      ],
      user
    )
    let stopped = false
    return {
      url: Redacted.make(`postgres://${name}:${password}@127.0.0.1:${port}/postgres`),
      port,
      user: name,
      password: Redacted.make(password),
      stop: async () => {
        if (stopped) return
        stopped = true
        await run(NodePath.join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"], user).catch(
          () => undefined
        )
        NodeFs.rmSync(dir, { recursive: true, force: true })
      }
    }
  } catch (error) {
    const log = NodePath.join(dir, "server.log")
    const detail = NodeFs.existsSync(log) ? `\n${NodeFs.readFileSync(log, "utf8")}` : ""
    NodeFs.rmSync(dir, { recursive: true, force: true })
    throw new Error(
      `could not start PostgreSQL: ${error instanceof Error ? error.message : String(error)}${detail}`
    )
  }
}

/** A server for the scope. */
export const start = Effect.acquireRelease(
  Effect.tryPromise({
    try: startAsync,
    catch: (error) => (error instanceof Error ? error : new Error(String(error)))
  }),
  (pg) => Effect.promise(pg.stop)
)
