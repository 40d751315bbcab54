/**
 * One concept per file (STYLE.md): no TypeScript or JavaScript source file under `src/`, unit
 * tests included, is over 400 lines. Stylesheets, HTML and JSON data are not source code here.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { SRC } from './source-graph.js'

const MAX_LINES = 400

/**
 * Files over the limit today that are being split; each entry names why. Remove an entry as soon
 * as its file is split (the test says when).
 */
const ALLOWED_LONG_FILES: readonly string[] = []

/** Every `.ts`, `.js` and `.mjs` file under `src/`, as paths under `src/`. */
function sources(dir = SRC, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) sources(full, out)
    else if (/\.(ts|js|mjs)$/.test(entry.name)) out.push(relative(SRC, full))
  }
  return out.sort()
}

/** Lines of `text`, not counting a final newline. */
function lineCount(text: string): number {
  return text.length === 0 ? 0 : text.replace(/\n$/, '').split('\n').length
}

test(`no source file under src/ is over ${MAX_LINES} lines`, () => {
  const lengths = new Map(sources().map((file) => [file, lineCount(readFileSync(join(SRC, file), 'utf8'))]))
  const long = [...lengths].filter(([file, lines]) => lines > MAX_LINES && !ALLOWED_LONG_FILES.includes(file))
  const split = ALLOWED_LONG_FILES.filter((file) => (lengths.get(file) ?? 0) <= MAX_LINES)
  const problems = [
    ...long.map(([file, lines]) => `  src/${file}: ${lines} lines (split it: at most ${MAX_LINES})`),
    ...split.map((file) => `  src/${file} is within ${MAX_LINES} lines now: remove it from the allow-list`),
  ]
  assert.equal(problems.length, 0, `\n${problems.join('\n')}`)
})

test('line counting counts lines, not newlines', () => {
  assert.equal(lineCount(''), 0)
  assert.equal(lineCount('a'), 1)
  assert.equal(lineCount('a\n'), 1)
  assert.equal(lineCount('a\nb\n'), 2)
  assert.equal(lineCount('a\n\nb'), 3)
})
