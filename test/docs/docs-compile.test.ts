import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { generatePlanTypes, loadPlan } from '../../src/plan/index.js'
import { type CodeBlock, codeBlocks, docsPlanYaml, pages, ROOT } from './markdown.js'

const run = promisify(execFile)

/**
 * What the documentation's examples take as given, as an application would have it: a user, a
 * token, a logger... Everything else an example uses it imports or declares itself.
 */
const GLOBALS = `
type Eventwire = typeof import('eventwire')
declare const token: string
declare const apiHost: string
declare const secret: string
declare const cookieId: string
declare const userId: string
declare const user: { id: string; uuid: string; email: string; name: string; plan: string }
declare const schemas: Record<string, string>
declare const metrics: { increment(name: string, by?: number): void }
declare const log: { warn(fields: object, message: string): void }
declare const pino: () => import('eventwire').Logger
declare function runTheService(): Promise<void>
// Made by an earlier example of the same page (docs/flags.md, OpenFeature).
declare const provider: import('eventwire/openfeature').MixpanelProvider
declare const client: import('@openfeature/server-sdk').Client
declare function usersFromDb(): AsyncIterable<Record<string, unknown>>
interface User {
  uuid: string
  email: string
  name: string
  plan: string
  projectCount: number
  subscriptionState: string
  createdAt: Date
}
declare const db: {
  transaction(work: (tx: { users: { update(id: string, change: Partial<User>): Promise<void> } }) => Promise<void>): Promise<void>
  users: { find(id: string): Promise<User>; findById(id: string): Promise<(User & { projectsCount: number }) | undefined> }
}
`

/** Modules of "your application" that examples import by relative path. */
const FIXTURES: Record<string, string> = {
  // docs/stores.md: "run the contract suite against your store".
  'my-store.ts': `import { InMemoryEventStore, type InMemoryEventStoreOptions } from 'eventwire'
export class MyStore extends InMemoryEventStore {
  constructor(options: InMemoryEventStoreOptions & { name: string }) {
    super(options)
  }
}
`,
}

const CANARY = "const canary: number = 'not a number'\nexport {}\n"

function entryPaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>
  }
  const paths: Record<string, string[]> = {}
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue
    if (subpath === '.') paths.eventwire = [join(ROOT, 'src/index.ts')]
    else paths[`eventwire/${subpath.slice(2)}`] = [join(ROOT, `src/${subpath.slice(2)}/index.ts`)]
  }
  return paths
}

function fileName(block: CodeBlock): string {
  return `${block.page.replace(/[/.]/g, '-')}-L${block.line}.ts`
}

test('every TypeScript example in README.md and docs/*.md compiles with --strict against the package', async () => {
  const blocks = pages().flatMap(codeBlocks)
  const typescript = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript')
  const partial = typescript.filter((b) => b.flags.includes('no-compile'))
  assert.deepEqual(
    partial.filter((b) => b.page === 'README.md').map((b) => b.line),
    [],
    'every README example compiles',
  )
  const compiled = typescript.filter((b) => !b.flags.includes('no-compile'))
  assert.ok(compiled.length >= 40, `found ${compiled.length} examples`)

  mkdirSync(join(ROOT, 'tmp'), { recursive: true })
  // Inside the repository, so the examples' other imports (@openfeature/server-sdk...) resolve.
  const dir = mkdtempSync(join(ROOT, 'tmp', 'docs-compile-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'blocks', 'analytics'), { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(join(dir, 'globals.d.ts'), GLOBALS)
  writeFileSync(join(dir, 'canary.ts'), CANARY)
  for (const [name, source] of Object.entries(FIXTURES)) writeFileSync(join(dir, 'blocks', name), source)
  // What `eventwire plan codegen` writes for the plan in docs/tracking-plan.md.
  writeFileSync(join(dir, 'tracking-plan.yaml'), docsPlanYaml())
  writeFileSync(
    join(dir, 'blocks/analytics/plan.ts'),
    generatePlanTypes(loadPlan(join(dir, 'tracking-plan.yaml'))),
  )
  const where = new Map<string, CodeBlock>()
  for (const block of compiled) {
    const name = fileName(block)
    where.set(`blocks/${name}`, block)
    writeFileSync(join(dir, 'blocks', name), `${block.code}\nexport {}\n`)
    // An example that starts with its file name (`// analytics.ts`) is a module later ones import.
    const module = /^\/\/ ([\w-]+)\.ts\b/.exec(block.code)?.[1]
    if (module !== undefined) writeFileSync(join(dir, 'blocks', `${module}.ts`), `${block.code}\nexport {}\n`)
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        noEmit: true,
        skipLibCheck: true,
        paths: entryPaths(),
      },
      files: ['globals.d.ts', 'canary.ts', ...[...where.keys()]],
    }),
  )

  const output = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    () => '',
    (e: { stdout: string }) => e.stdout,
  )
  const errors = output
    .split('\n')
    .filter((l) => /^\S.*\(\d+,\d+\): error /.test(l))
    .map((l) => {
      const [, file, line, message] = /^(.*)\((\d+),\d+\): error (.*)$/.exec(l)!
      const block = where.get(file!)
      return block === undefined
        ? `${file}:${line}: ${message}`
        : `${block.page}:${block.line + Number(line) - 1}: ${message}`
    })
  // The canary proves that errors are seen at all; every other error is in an example.
  assert.deepEqual(
    errors.filter((e) => !e.startsWith('canary.ts:')),
    [],
    output,
  )
  assert.equal(errors.filter((e) => e.startsWith('canary.ts:1: TS2322')).length, 1, output)
})
