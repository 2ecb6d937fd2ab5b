/**
 * OpenAPI contract checks for tests: validate request and response bodies against a provider's own
 * document (Kit's YAML, Apollo's JSON) with Ajv, matching concrete paths such as
 * `/v4/sequences/12/emails/5` to the document's templates.
 *
 * The documents live in `../shared/specs`, next to the repository and not in it. A user's clone has no
 * `../shared`, so tests that need it skip with a reason; under CI a missing document is a failure
 * (`loadForTest` encodes that rule).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import addFormats from "ajv-formats"
import * as YAML from "yaml"
import { convertDocument } from "./internal/contract/convert.js"

export interface Operation {
  /** Upper case: `GET`, `POST`… */
  readonly method: string
  /** The document's template, e.g. `/v4/sequences/{sequence_id}/emails/{id}`. */
  readonly path: string
  readonly operationId: string | undefined
  readonly summary: string | undefined
}

export interface MatchedOperation extends Operation {
  readonly params: Readonly<Record<string, string>>
}

/**
 * `errors` empty = valid. A status, content type or body the document does not describe is
 * `documented: false` with the reason in `errors`, so callers that only check `errors` stay strict.
 */
export type Validation =
  | { readonly documented: true; readonly errors: ReadonlyArray<string> }
  | { readonly documented: false; readonly errors: ReadonlyArray<string>; readonly reason: string }

export interface Contract {
  readonly name: string
  readonly title: string
  /** The parsed document itself, for tests that walk its schemas. */
  readonly document: unknown
  readonly operations: ReadonlyArray<Operation>
  /** The operation a concrete request path belongs to (query string ignored; server base path optional). */
  match(method: string, concretePath: string): MatchedOperation | undefined
  validateRequest(method: string, concretePath: string, body: unknown): Validation
  validateResponse(
    method: string,
    concretePath: string,
    status: number,
    body: unknown,
    options?: { readonly contentType?: string }
  ): Validation
  /** Compiles every request and response schema; returns the failures (empty = all compile). */
  compileAll(): ReadonlyArray<string>
  /** Documented operations none of `calls` reached. */
  uncovered(calls: Iterable<{ readonly method: string; readonly path: string }>): ReadonlyArray<Operation>
}

export type LoadResult =
  | { readonly _tag: "Loaded"; readonly contract: Contract }
  | { readonly _tag: "Missing"; readonly reason: string }

type Obj = { readonly [key: string]: unknown }
const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)

const METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"]

// ---- locating the shared folder ----

/** The repository root: the nearest folder up from `from` holding `pnpm-workspace.yaml`. */
export const repoRoot = (from: string = process.cwd()): string | undefined => {
  let dir = path.resolve(from)
  for (;;) {
    if (fs.existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** `<repo root>/../shared` (falls back to `<cwd>/../shared` outside the workspace). */
export const sharedDir = (from: string = process.cwd()): string =>
  path.resolve(repoRoot(from) ?? path.resolve(from), "..", "shared")

// ---- JSON pointers and $ref ----

const escapePointer = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1")
const unescapePointer = (s: string): string => s.replace(/~1/g, "/").replace(/~0/g, "~")
const pointer = (parts: ReadonlyArray<string>): string => parts.map((p) => `/${escapePointer(p)}`).join("")

const resolvePointer = (doc: unknown, ref: string): unknown => {
  if (!ref.startsWith("#")) return undefined
  let node: unknown = doc
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const part = decodeURIComponent(unescapePointer(raw))
    if (Array.isArray(node)) node = node[Number(part)]
    else if (isObj(node)) node = node[part]
    else return undefined
  }
  return node
}

/** Follows OpenAPI-level `$ref`s (responses, request bodies); returns the value and its pointer. */
const deref = (doc: unknown, node: unknown, at: string): { readonly value: unknown; readonly at: string } => {
  let value = node
  let where = at
  for (let i = 0; i < 32 && isObj(value) && typeof value.$ref === "string"; i++) {
    where = value.$ref.slice(1)
    value = resolvePointer(doc, value.$ref)
  }
  return { value, at: where }
}

// ---- errors ----

const formatError = (where: string, e: ErrorObject): string => {
  const at = `${where}: ${e.instancePath === "" ? "(root)" : e.instancePath}`
  const params = e.params
  const extra =
    e.keyword === "additionalProperties" && typeof params.additionalProperty === "string"
      ? ` (${params.additionalProperty})`
      : e.keyword === "enum" && Array.isArray(params.allowedValues)
        ? ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")})`
        : ""
  return `${at} ${e.message ?? e.keyword}${extra}`
}

const notDocumented = (reason: string): Validation => ({ documented: false, errors: [reason], reason })

// ---- templates ----

interface Template {
  readonly op: Operation
  readonly regex: RegExp
  readonly names: ReadonlyArray<string>
  readonly literals: number
}

const compileTemplate = (op: Operation): Template => {
  const names: Array<string> = []
  let literals = 0
  const source = op.path
    .split("/")
    .map((seg) => {
      const m = /^\{(.+)\}$/.exec(seg)
      if (m?.[1] !== undefined) {
        names.push(m[1])
        return "([^/]+)"
      }
      if (seg !== "") literals++
      return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    })
    .join("/")
  return { op, regex: new RegExp(`^${source}/?$`), names, literals }
}

const mediaBase = (type: string): string => (type.split(";")[0] ?? "").trim().toLowerCase()

const pickMedia = (content: Obj, body: unknown, wanted: string | undefined): string | undefined => {
  const types = Object.keys(content)
  if (wanted !== undefined) {
    const w = mediaBase(wanted)
    return (
      types.find((t) => mediaBase(t) === w) ??
      types.find((t) => mediaBase(t) === `${w.split("/")[0]}/*`) ??
      types.find((t) => mediaBase(t) === "*/*")
    )
  }
  const json = types.find((t) => mediaBase(t) === "application/json") ?? types.find((t) => t.includes("json"))
  if (typeof body === "string") return types.find((t) => mediaBase(t).startsWith("text/")) ?? json ?? types[0]
  return json ?? types[0]
}

// ---- the contract ----

/** Builds a contract from a parsed OpenAPI 3.0/3.1 document. */
export const make = (document: unknown, name: string): Contract => {
  const doc = isObj(document) ? document : {}
  const converted = convertDocument(doc)
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false })
  addFormats.default(ajv)
  // OpenAPI's numeric and binary formats carry no extra constraint worth failing a test on.
  for (const f of ["int32", "int64", "float", "double", "byte", "binary", "password"]) ajv.addFormat(f, true)
  const docId = "openapi-document"
  ajv.addSchema(isObj(converted) ? converted : {}, docId)

  const info = isObj(doc.info) ? doc.info : {}
  const paths = isObj(doc.paths) ? doc.paths : {}
  const operations: Array<Operation> = []
  for (const [p, item] of Object.entries(paths)) {
    if (!isObj(item)) continue
    for (const m of METHODS) {
      const op = item[m]
      if (!isObj(op)) continue
      operations.push({
        method: m.toUpperCase(),
        path: p,
        operationId: typeof op.operationId === "string" ? op.operationId : undefined,
        summary: typeof op.summary === "string" ? op.summary : undefined
      })
    }
  }
  const templates = operations.map(compileTemplate).sort((a, b) => b.literals - a.literals)
  const servers = Array.isArray(doc.servers) ? doc.servers : []
  const basePaths = servers.flatMap((s) => {
    if (!isObj(s) || typeof s.url !== "string") return []
    try {
      const p = new URL(s.url, "http://localhost").pathname.replace(/\/$/, "")
      return p === "" ? [] : [p]
    } catch {
      return []
    }
  })

  const match = (method: string, concretePath: string): MatchedOperation | undefined => {
    const clean = (concretePath.split("?")[0] ?? "").split("#")[0] ?? ""
    const candidates = [
      clean,
      ...basePaths.filter((b) => clean.startsWith(`${b}/`)).map((b) => clean.slice(b.length))
    ]
    const wanted = method.toUpperCase()
    for (const candidate of candidates) {
      for (const t of templates) {
        if (t.op.method !== wanted) continue
        const m = t.regex.exec(candidate)
        if (m === null) continue
        const params: Record<string, string> = {}
        t.names.forEach((n, i) => {
          params[n] = decodeURIComponent(m[i + 1] ?? "")
        })
        return { ...t.op, params }
      }
    }
    return undefined
  }

  const cache = new Map<string, ValidateFunction | Error>()
  const validator = (at: string): ValidateFunction | Error => {
    const hit = cache.get(at)
    if (hit !== undefined) return hit
    let v: ValidateFunction | Error
    try {
      v = ajv.compile({ $ref: `${docId}#${at}` })
    } catch (e) {
      v = e instanceof Error ? e : new Error(String(e))
    }
    cache.set(at, v)
    return v
  }

  const run = (at: string, where: string, body: unknown): Validation => {
    const v = validator(at)
    if (v instanceof Error)
      return { documented: true, errors: [`${where}: schema does not compile: ${v.message}`] }
    if (v(body)) return { documented: true, errors: [] }
    return { documented: true, errors: (v.errors ?? []).map((e) => formatError(where, e)) }
  }

  const operationNode = (op: Operation) => {
    const at = pointer(["paths", op.path, op.method.toLowerCase()])
    return { node: resolvePointer(doc, `#${at}`), at }
  }

  const validateRequest = (method: string, concretePath: string, body: unknown): Validation => {
    const op = match(method, concretePath)
    if (op === undefined) return notDocumented(`${method.toUpperCase()} ${concretePath} is not in ${name}`)
    const { node, at } = operationNode(op)
    const label = `${op.method} ${op.path} request body`
    if (!isObj(node) || node.requestBody === undefined) {
      return body === undefined || body === null
        ? { documented: true, errors: [] }
        : notDocumented(`${label}: the document describes no request body`)
    }
    const rb = deref(doc, node.requestBody, `${at}/requestBody`)
    if (!isObj(rb.value)) return notDocumented(`${label}: unreadable requestBody`)
    if (body === undefined) {
      return { documented: true, errors: rb.value.required === true ? [`${label} is required`] : [] }
    }
    const content = isObj(rb.value.content) ? rb.value.content : {}
    const media = pickMedia(content, body, undefined)
    const mediaNode = media === undefined ? undefined : content[media]
    if (media === undefined || !isObj(mediaNode) || mediaNode.schema === undefined) {
      return notDocumented(`${label}: no schema documented`)
    }
    return run(pointer([...splitPointer(rb.at), "content", media, "schema"]), label, body)
  }

  const responseFor = (nodeResponses: Obj, status: number): string | undefined => {
    const exact = String(status)
    if (nodeResponses[exact] !== undefined) return exact
    const range = Object.keys(nodeResponses).find((k) => k.toUpperCase() === `${exact[0]}XX`)
    if (range !== undefined) return range
    return nodeResponses.default !== undefined ? "default" : undefined
  }

  const validateResponse = (
    method: string,
    concretePath: string,
    status: number,
    body: unknown,
    options?: { readonly contentType?: string }
  ): Validation => {
    const op = match(method, concretePath)
    if (op === undefined) return notDocumented(`${method.toUpperCase()} ${concretePath} is not in ${name}`)
    const { node, at } = operationNode(op)
    const responses = isObj(node) && isObj(node.responses) ? node.responses : {}
    const key = responseFor(responses, status)
    const label = `${op.method} ${op.path} ${status} response body`
    if (key === undefined) return notDocumented(`${op.method} ${op.path}: status ${status} is not documented`)
    const r = deref(doc, responses[key], `${at}/responses/${escapePointer(key)}`)
    if (!isObj(r.value)) return notDocumented(`${label}: unreadable response`)
    const content = isObj(r.value.content) ? r.value.content : undefined
    const empty = body === undefined || body === null || body === ""
    if (content === undefined || Object.keys(content).length === 0) {
      return empty
        ? { documented: true, errors: [] }
        : notDocumented(`${label}: the document describes no body`)
    }
    const media = pickMedia(content, body, options?.contentType)
    const mediaNode = media === undefined ? undefined : content[media]
    if (media === undefined)
      return notDocumented(`${label}: content type ${options?.contentType} is not documented`)
    if (!isObj(mediaNode) || mediaNode.schema === undefined)
      return notDocumented(`${label}: no schema documented`)
    return run(pointer([...splitPointer(r.at), "content", media, "schema"]), label, body)
  }

  const compileAll = (): ReadonlyArray<string> => {
    const failures: Array<string> = []
    for (const op of operations) {
      const { node, at } = operationNode(op)
      if (!isObj(node)) continue
      const targets: Array<{ readonly content: unknown; readonly at: string; readonly label: string }> = []
      if (node.requestBody !== undefined) {
        const rb = deref(doc, node.requestBody, `${at}/requestBody`)
        if (isObj(rb.value)) targets.push({ content: rb.value.content, at: rb.at, label: "request" })
      }
      for (const [status, response] of Object.entries(isObj(node.responses) ? node.responses : {})) {
        const r = deref(doc, response, `${at}/responses/${escapePointer(status)}`)
        if (isObj(r.value)) targets.push({ content: r.value.content, at: r.at, label: status })
      }
      for (const t of targets) {
        for (const [media, m] of Object.entries(isObj(t.content) ? t.content : {})) {
          if (!isObj(m) || m.schema === undefined) continue
          const v = validator(pointer([...splitPointer(t.at), "content", media, "schema"]))
          if (v instanceof Error) failures.push(`${op.method} ${op.path} ${t.label} ${media}: ${v.message}`)
        }
      }
    }
    return failures
  }

  const uncovered = (
    calls: Iterable<{ readonly method: string; readonly path: string }>
  ): ReadonlyArray<Operation> => {
    const seen = new Set<string>()
    for (const c of calls) {
      const m = match(c.method, c.path)
      if (m !== undefined) seen.add(`${m.method} ${m.path}`)
    }
    return operations.filter((op) => !seen.has(`${op.method} ${op.path}`))
  }

  return {
    name,
    title: typeof info.title === "string" ? info.title : name,
    document: doc,
    operations,
    match,
    validateRequest,
    validateResponse,
    compileAll,
    uncovered
  }
}

const splitPointer = (at: string): ReadonlyArray<string> =>
  at
    .split("/")
    .slice(1)
    .map((p) => unescapePointer(p))

// ---- checking a simulator's log ----

/** One request as both simulators log it (`KitSimulator` / `ApolloSimulator` `requests`). */
export interface LoggedExchange {
  readonly method: string
  readonly path: string
  /** The request's parsed body; `null` when there was none. */
  readonly body: unknown
  readonly status: number | null
  /** A fault the simulator injected: its answer is garbage by design and is not checked. */
  readonly fault: string | null
  readonly response: { readonly contentType: string | null; readonly text: string } | null
}

export interface LogCheck {
  /** Request bodies checked (writes only: reads carry none). */
  readonly requests: number
  /** Answers checked. */
  readonly responses: number
  /** `request|response METHOD path [status]: errors`, empty when everything is valid. */
  readonly failures: ReadonlyArray<string>
  /** `METHOD path` of exchanges no document lists (checked by nothing). */
  readonly undocumented: ReadonlyArray<string>
  /** How many schema errors `tolerate` let through. */
  readonly tolerated: number
}

const parseAnswer = (response: NonNullable<LoggedExchange["response"]>): unknown => {
  if (response.text === "") return undefined
  if (response.contentType?.includes("json") !== true) return response.text
  try {
    const value: unknown = JSON.parse(response.text)
    return value
  } catch {
    return response.text
  }
}

/**
 * Validates every request body and every whole answer of one simulator's log against the documents
 * (the first contract that lists the operation). Requests refused for auth (401) or rate (429) are
 * not the adapter's shape to check; faulted answers are skipped.
 */
export const checkLog = (
  contracts: ReadonlyArray<Contract>,
  log: ReadonlyArray<LoggedExchange>,
  options?: { readonly tolerate?: (error: string) => boolean }
): LogCheck => {
  const failures: Array<string> = []
  const undocumented: Array<string> = []
  let requests = 0
  let responses = 0
  let tolerated = 0
  const keep = (errors: ReadonlyArray<string>): ReadonlyArray<string> => {
    const kept = options?.tolerate === undefined ? errors : errors.filter((e) => !options.tolerate?.(e))
    tolerated += errors.length - kept.length
    return kept
  }
  for (const entry of log) {
    const contract = contracts.find((c) => c.match(entry.method, entry.path) !== undefined)
    if (contract === undefined) {
      undocumented.push(`${entry.method} ${entry.path}`)
      continue
    }
    const write = entry.method !== "GET" && entry.method !== "DELETE" && entry.method !== "HEAD"
    if (write && entry.status !== 401 && entry.status !== 429) {
      requests += 1
      const errors = keep(
        contract.validateRequest(entry.method, entry.path, entry.body === null ? undefined : entry.body)
          .errors
      )
      if (errors.length > 0)
        failures.push(
          `request ${entry.method} ${entry.path} ${JSON.stringify(entry.body)}: ${errors.join("; ")}`
        )
    }
    if (entry.fault !== null || entry.response === null || entry.status === null) continue
    responses += 1
    const contentType = entry.response.contentType
    const errors = keep(
      contract.validateResponse(
        entry.method,
        entry.path,
        entry.status,
        parseAnswer(entry.response),
        contentType === null ? {} : { contentType }
      ).errors
    )
    if (errors.length > 0)
      failures.push(`response ${entry.method} ${entry.path} ${entry.status}: ${errors.join("; ")}`)
  }
  return { requests, responses, failures, undocumented, tolerated }
}

// ---- loading ----

const parseDocument = (file: string, text: string): unknown =>
  /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text, { maxAliasCount: -1 })

/** Reads `sharedDir()/specs/<fileName>` (`.yml`, `.yaml` or `.json`). Throws only if the file exists but is not a document. */
export const load = (fileName: string, options?: { readonly sharedDir?: string }): LoadResult => {
  const dir = options?.sharedDir ?? sharedDir()
  const file = path.join(dir, "specs", fileName)
  if (!fs.existsSync(file)) {
    return {
      _tag: "Missing",
      reason: `${file} not found: the provider documents live in ../shared next to the repository, which a plain clone does not have`
    }
  }
  const document: unknown = parseDocument(file, fs.readFileSync(file, "utf8"))
  return { _tag: "Loaded", contract: make(document, fileName) }
}

/**
 * The project's rule for tests: without the document, skip with the reason (printed with
 * `console.warn`); under CI (`CI=true`) a missing document is a failure, so this throws.
 *
 * @example
 * const { contract, reason } = OpenApiContract.loadForTest("kit-sequences.yml")
 * describe.skipIf(contract === undefined)(`Kit contract ${reason ?? ""}`, () => { … })
 */
export const loadForTest = (
  fileName: string,
  options?: { readonly sharedDir?: string; readonly ci?: boolean }
):
  | { readonly contract: Contract; readonly reason: undefined }
  | { readonly contract: undefined; readonly reason: string } => {
  const result = load(
    fileName,
    options?.sharedDir === undefined ? undefined : { sharedDir: options.sharedDir }
  )
  if (result._tag === "Loaded") return { contract: result.contract, reason: undefined }
  if (options?.ci ?? process.env.CI === "true")
    throw new Error(`Contract document missing under CI: ${result.reason}`)
  console.warn(`Skipping contract tests: ${result.reason}`)
  return { contract: undefined, reason: result.reason }
}

// ---- the providers' documents, as the simulators' tests check them ----

/**
 * Where Kit's documents contradict themselves the simulator follows one page, and so must the check:
 * the add-by-id page documents no 422, the add-by-email page does ("Sequence is inactive"); the
 * simulator answers both alike, as PROVIDERS.md says ("same 200/201 split").
 */
export const kitDocumentConflict = (error: string): boolean =>
  /subscribers\/\{id\}: status 422 is not documented$/.test(error)

/**
 * Apollo's document lists a 404 only for `PUT /sequences/{id}`, while every operation on an unknown
 * id answers one; and its add_contact_ids answer schema disagrees with the rest of the document (and
 * with the create/update examples): touch `type` `reply` instead of `reply_to_thread`, touch `status`
 * `pending|draft` instead of `to_be_reviewed`, `wait_mode` without `minute`, `access_type` not
 * nullable. The simulator answers with the values every other endpoint documents; these are the only
 * differences tolerated, and only on that answer.
 */
export const apolloDocumentConflict = (error: string): boolean =>
  /: status 404 is not documented$/.test(error) ||
  (error.startsWith("POST /emailer_campaigns/{sequence_id}/add_contact_ids 200") &&
    /(\/emailer_touches\/\d+\/(type|status) must be equal to one of)|(\/emailer_steps\/\d+\/wait_mode must be equal to one of)|(sharing_permission\/access_type must be string)/.test(
      error
    ))

const loadedContracts = new Map<string, Contract>()

const documents = {
  kit: { files: ["kit-sequence-emails.yml", "kit-sequences.yml"], tolerate: kitDocumentConflict },
  apollo: { files: ["apollo-sequences-openapi.json"], tolerate: apolloDocumentConflict }
} as const

/**
 * Checks one simulator's log against its provider's documents: every request body, and with
 * `answers` (the documented profile) every whole answer. `undefined` when the documents are missing
 * outside CI (the caller skips, as `loadForTest` says; under CI a missing document throws).
 */
export const checkProvider = (
  provider: keyof typeof documents,
  log: ReadonlyArray<LoggedExchange>,
  options: { readonly answers: boolean } = { answers: true }
): LogCheck | undefined => {
  const { files, tolerate } = documents[provider]
  const contracts: Array<Contract> = []
  for (const file of files) {
    // One contract per document and process: its compiled validators serve every test.
    const loaded = loadedContracts.get(file) ?? loadForTest(file).contract
    if (loaded === undefined) return undefined
    loadedContracts.set(file, loaded)
    contracts.push(loaded)
  }
  const checked = options.answers ? log : log.map((entry) => ({ ...entry, response: null }))
  return checkLog(contracts, checked, { tolerate })
}
