#!/usr/bin/env node
// Delivery smoke test in other JavaScript runtimes: for each runtime given, runs
// scripts/runtime-smoke-child.mjs (eventwire's built package, dist/) against a loopback receiver
// running here under Node.js, and checks that every event arrived.
// Usage: node scripts/runtime-smoke.mjs bun=/path/to/bun deno=/path/to/deno [node=/path/to/node]
// Needs `npm run build` first. Exits 1 if any scenario lost an event.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const CHILD = join(root, 'scripts/runtime-smoke-child.mjs')
const EVENTS = 500
const IMPORTS = 100
const TIMEOUT_MS = 90_000
const SCENARIOS = ['batch', 'consumer', 'at-exit', 'sqlite']

if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first')
  process.exit(1)
}
const runtimes = process.argv.slice(2).map((arg) => {
  const [name, path] = arg.split('=')
  if (!path || !['bun', 'deno', 'node'].includes(name)) {
    console.error(`expected bun=<path>, deno=<path> or node=<path>, got ${arg}`)
    process.exit(1)
  }
  return { name, path }
})
if (runtimes.length === 0) {
  console.error('usage: node scripts/runtime-smoke.mjs bun=<path> deno=<path> [node=<path>]')
  process.exit(1)
}

const { startTestReceiver } = await import('../dist/testing/index.js')
const receiver = await startTestReceiver()
const dir = mkdtempSync(join(tmpdir(), 'eventwire-runtime-smoke-'))

/** The command line that runs the child script under `runtime`. */
function command(runtime, args) {
  // Deno finds node_modules through the package.json in the working directory.
  if (runtime.name === 'deno') return [runtime.path, ['run', '--allow-all', '--no-lock', CHILD, ...args]]
  return [runtime.path, [CHILD, ...args]]
}

/** Runs one child to its end (killed after TIMEOUT_MS); resolves with its exit and output. */
function runChild(runtime, args) {
  const [file, argv] = command(runtime, args)
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    child.stderr.on('data', (chunk) => {
      err += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ code: null, signal: null, out, err: `${err}${error.message}` })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, out, err })
    })
  })
}

/** Distinct `$insert_id`s delivered to `path` that start with `prefix-`. */
function delivered(path, prefix) {
  const ids = new Set()
  for (const record of receiver.delivered(path)) {
    const id = record.properties?.$insert_id
    if (typeof id === 'string' && id.startsWith(`${prefix}-`)) ids.add(id)
  }
  return ids
}

/** What went wrong in one scenario, or [] when all arrived. */
function check(runtime, scenario, prefix, result) {
  const problems = []
  if (result.code !== 0) {
    problems.push(
      `exited with ${result.signal ?? result.code}: ${result.err.trim().split('\n').slice(-8).join('\n')}`,
    )
  }
  const events = [...delivered('/track', prefix)].filter((id) => !id.startsWith(`${prefix}-import-`))
  if (events.length !== EVENTS) problems.push(`${events.length}/${EVENTS} events delivered`)
  if (scenario === 'batch') {
    const imports = delivered('/import', `${prefix}-import`).size
    if (imports !== IMPORTS) problems.push(`${imports}/${IMPORTS} imports delivered`)
    const requests = receiver.requests.filter(
      (r) => r.path === '/import' && r.records.some((rec) => rec.properties?.$insert_id?.startsWith(prefix)),
    )
    if (requests.length === 0 || requests.some((r) => r.headers['content-encoding'] !== 'gzip')) {
      problems.push('the /import requests were not all gzip-encoded')
    }
  }
  const last = result.out.trim().split('\n').pop() ?? ''
  let printed
  try {
    printed = JSON.parse(last)
  } catch {
    problems.push(`printed no report: ${last}`)
    return problems
  }
  if (printed.report !== undefined) {
    const expected = EVENTS + (scenario === 'batch' ? IMPORTS : 0)
    const { sent, failed, dropped, pending } = printed.report
    if (sent !== expected || failed !== 0 || dropped !== 0 || pending !== 0) {
      problems.push(`close() reported ${JSON.stringify(printed.report)}, expected ${expected} sent`)
    }
  }
  if (scenario === 'sqlite' && runtime.name !== 'node' && printed.driver !== 'node:sqlite') {
    problems.push(`the SQLite store used ${printed.driver}, expected node:sqlite`)
  }
  return problems
}

let passed = 0
let failed = 0
for (const runtime of runtimes) {
  const version = spawnSync(runtime.path, ['--version'], { encoding: 'utf8' })
  console.log(`# ${runtime.name}: ${(version.stdout ?? '').trim().split('\n')[0] || version.error?.message}`)
  for (const scenario of SCENARIOS) {
    const prefix = `${runtime.name}-${scenario}`
    const sqlitePath = join(dir, `${prefix}.db`)
    const started = Date.now()
    const result = await runChild(runtime, [receiver.origin, scenario, prefix, String(EVENTS), sqlitePath])
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const problems = check(runtime, scenario, prefix, result)
    if (problems.length === 0) {
      passed++
      console.log(`ok - ${runtime.name} ${scenario}: ${EVENTS}/${EVENTS} delivered (${seconds} s)`)
    } else {
      failed++
      console.log(`not ok - ${runtime.name} ${scenario} (${seconds} s)\n  ${problems.join('\n  ')}`)
    }
  }
}

await receiver.close()
rmSync(dir, { recursive: true, force: true })
console.log(`smoke: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
