/**
 * Dependencies point one way (docs/architecture.md): no import cycle between the folders of
 * `src/`, nor between its files. Type-only imports count: a cycle of types is still a design
 * that cannot be read bottom-up.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cycles, fileGraph, folderGraph, type Graph, specifiersIn } from './source-graph.js'

/**
 * Cycles that exist today and are being removed; each line names its cycle exactly as the test
 * prints it. Remove an entry as soon as its cycle is gone (the test says when).
 */
const ALLOWED_FOLDER_CYCLES: readonly string[] = []

const ALLOWED_FILE_CYCLES: readonly string[] = []

/** Fails listing every cycle of `graph` that is not allowed, and every allowed one that is gone. */
function assertOnlyAllowed(
  what: string,
  graph: Graph,
  allowed: readonly string[],
  detail = (c: string) => c,
) {
  const found = cycles(graph)
  const unexpected = found.filter((cycle) => !allowed.includes(cycle))
  const gone = allowed.filter((cycle) => !found.includes(cycle))
  const lines = [
    ...unexpected.map((cycle) => `  import cycle between ${what}: ${detail(cycle)}`),
    ...gone.map((cycle) => `  allowed cycle no longer exists, remove it from the allow-list: ${cycle}`),
  ]
  assert.equal(lines.length, 0, `\n${lines.join('\n')}`)
}

test('no import cycle between the folders of src/', () => {
  const { graph, witness } = folderGraph(fileGraph())
  assertOnlyAllowed('folders', graph, ALLOWED_FOLDER_CYCLES, (cycle) => {
    const steps = cycle.split(' → ')
    const via = steps.slice(1).map((to, i) => witness.get(`${steps[i]} → ${to}`))
    return `${cycle} (${via.join('; ')})`
  })
})

test('no import cycle between the files of src/', () => {
  assertOnlyAllowed('files', fileGraph(), ALLOWED_FILE_CYCLES)
})

test('the check sees value, type-only, re-export and dynamic imports, and finds every cycle', () => {
  const text = [
    "import { a } from './a.js'",
    "import type { B } from './b.js'",
    "import { type C } from './c.js'",
    "export { d } from './d.js'",
    "export type { E } from './e.js'",
    "export * from './f.js'",
    "const g = await import('./g.js')",
    "let h: import('./h.js').H",
    "import i = require('./i.js')",
  ].join('\n')
  assert.deepEqual(specifiersIn(text), [
    './a.js',
    './b.js',
    './c.js',
    './d.js',
    './e.js',
    './f.js',
    './g.js',
    './h.js',
    './i.js',
  ])
  const graph: Graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts', 'd.ts']],
    ['d.ts', ['e.ts']],
    ['e.ts', ['d.ts']],
  ])
  assert.deepEqual(cycles(graph), ['a.ts → b.ts → c.ts → a.ts', 'd.ts → e.ts → d.ts'])
  assert.deepEqual(
    cycles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', []],
      ]),
    ),
    [],
  )
})
