// Checks the API reference's examples: every `@example` in the documented modules is extracted to
// .examples/ and type-checked against the workspace packages, and every public export of
// @unisequence/client (and the module comment of each documented module) carries one.
// `node examples.mjs` exits non-zero on a missing example or a type error.
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import ts from "typescript"

const docs = import.meta.dirname
const root = NodePath.resolve(docs, "..")
const out = NodePath.join(docs, ".examples")

/** Every export of these needs its own example. */
export const promiseModules = ["Client", "Errors", "Migration", "SequenceFile"].map(
  (m) => `packages/client/src/${m}.ts`
)
/** These need an example in their module comment. */
export const modules = [
  "packages/client/src/index.ts",
  "packages/core/src/Sequences.ts",
  "packages/core/src/SequenceError.ts",
  "packages/core/src/Memory.ts",
  "packages/core/src/Migration.ts",
  "packages/core/src/SequenceFile.ts",
  "packages/core/src/Capabilities.ts",
  "packages/kit/src/Kit.ts",
  "packages/apollo/src/Apollo.ts",
  "packages/testing/src/KitSimulator.ts",
  "packages/testing/src/ApolloSimulator.ts"
]

/** Every ```ts block of these pages is an example too. */
export const guides = ["docs/testing.md", "docs/sequence-file.md"]

const fence = /```(?:ts|typescript|js)?\n([\s\S]*?)```/g

/** The code of an `@example` tag: its fenced blocks, or the whole text when it has none. */
export const codeOf = (text) => {
  const blocks = [...text.matchAll(fence)].map((m) => m[1])
  return blocks.length > 0 ? blocks : [text]
}

const tagText = (tag) =>
  typeof tag.comment === "string" ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? "")

const examplesOf = (node) =>
  ts
    .getJSDocTags(node)
    .filter((tag) => tag.tagName.text === "example")
    .flatMap((tag) => codeOf(tagText(tag)))

/** The JSDoc nodes of a file's first statement: where a module comment lives. */
const moduleExamples = (source) => {
  const first = source.statements[0]
  if (first === undefined) return []
  return (first.jsDoc ?? [])
    .flatMap((doc) => doc.tags ?? [])
    .filter((tag) => tag.tagName.text === "example")
    .flatMap((tag) => codeOf(tagText(tag)))
}

const nameOf = (node) => {
  if (ts.isVariableStatement(node)) return node.declarationList.declarations[0]?.name.getText()
  return node.name?.getText()
}

const isExported = (node) =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

export const collect = () => {
  const problems = []
  const snippets = []
  const read = (file) =>
    ts.createSourceFile(
      file,
      NodeFs.readFileSync(NodePath.join(root, file), "utf8"),
      ts.ScriptTarget.ES2022,
      true
    )
  for (const file of modules) {
    const found = moduleExamples(read(file))
    if (found.length === 0) problems.push(`${file}: the module comment has no @example`)
    found.forEach((code, i) => snippets.push({ id: `${file}#module-${i}`, code }))
  }
  for (const file of guides) {
    const text = NodeFs.readFileSync(NodePath.join(root, file), "utf8")
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
    if (blocks.length === 0) problems.push(`${file}: no ts example`)
    blocks.forEach((code, i) => snippets.push({ id: `${file}#${i}`, code }))
  }
  for (const file of promiseModules) {
    const source = read(file)
    for (const statement of source.statements) {
      if (!isExported(statement)) continue
      const name = nameOf(statement)
      const found = examplesOf(
        ts.isVariableStatement(statement) ? statement.declarationList.declarations[0] : statement
      )
      const own = found.length > 0 ? found : examplesOf(statement)
      if (own.length === 0) problems.push(`${file}: export ${name} has no @example`)
      own.forEach((code, i) => snippets.push({ id: `${file}#${name}-${i}`, code }))
    }
  }
  return { problems, snippets }
}

const fileName = (id) => id.replace(/^packages\//, "").replace(/[^A-Za-z0-9]+/g, "-") + ".ts"

/** Writes each snippet as its own module in `dir` (under docs/) and type-checks them all. */
export const typecheck = async (snippets, dir = out) => {
  NodeFs.rmSync(dir, { recursive: true, force: true })
  NodeFs.mkdirSync(dir, { recursive: true })
  for (const { id, code } of snippets) {
    // Each example is its own module, so top-level await and names never clash.
    NodeFs.writeFileSync(NodePath.join(dir, fileName(id)), `// ${id}\n${code}\nexport {}\n`)
  }
  NodeFs.writeFileSync(
    NodePath.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: "../tsconfig.examples.json",
      include: ["*.ts"],
      // Built once by `tsc -b` (and kept by `pnpm typecheck`): the examples are checked against declarations.
      references: ["client", "core", "kit", "apollo", "testing"].map((p) => ({ path: `../../packages/${p}` }))
    })
  )
  const tsc = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-b", dir],
      {
        cwd: docs
      }
    )
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, output }))
  })
  return tsc.status === 0 ? [] : [`examples do not type-check:\n${tsc.output}`]
}

export const check = async () => {
  const { problems, snippets } = collect()
  return { problems: [...problems, ...(await typecheck(snippets))], count: snippets.length }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { problems, count } = await check()
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem)
    process.exit(1)
  }
  console.log(`${count} examples type-check`)
}
