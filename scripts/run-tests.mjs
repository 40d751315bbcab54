#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner (through tsx).
// Node 20's runner does not expand globs, so the file list is built here.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname

function collect(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) collect(full, out)
    else if (entry.name.endsWith('.test.ts')) out.push(relative(root, full))
  }
  return out
}

const filters = process.argv.slice(2)
const files = [...collect(join(root, 'src'), []), ...collect(join(root, 'test'), [])]
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()

if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}

const concurrency = process.env.EVENTWIRE_TEST_CONCURRENCY ?? '3'
// A file's deadline. The packaging test packs, installs and type-checks the package several
// times; on a busy two-core machine that alone can take four minutes.
const fileTimeoutMs = 480_000
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${fileTimeoutMs}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
)
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)))
