/**
 * Cold start, as a serverless function pays it: a fresh `node` process that runs
 * `await import('eventwire')` (the built package, dist/), builds a client for a loopback receiver
 * and calls `track()` once without awaiting it; beside bare Node (the same kind of process, doing
 * nothing), in the same rounds. Time is `performance.now()` inside the process, which counts from
 * the process's start; memory is its RSS. The extra cost is the process's figure minus bare Node's
 * of the same round. Every client then flushes, so the table also shows the time and memory
 * until the first event has been delivered, which includes loading the HTTP client (undici) and a
 * loopback round trip; the receiver counts that every event arrived.
 *
 * Rows: the default client (its per-call `Consumer`) and a client with a `BatchConsumer`, as
 * docs/serverless.md recommends. `npm run build` first; `npx tsx bench/cold-start.ts [rounds]`
 * (default 15). Reports the median and the range of every figure over the rounds.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { printTable, startChildReceiver } from './lib.js'

const rounds = Number(process.argv[2] ?? 15)
const TARGETS = { ms: 60, rssMb: 12 }
const root = new URL('..', import.meta.url).pathname

/** What a child reports: milliseconds since its start, and RSS in bytes. */
interface Figures {
  /** When the script began (bare Node: its whole startup). */
  startMs: number
  startRss: number
  /** After the first `track()` returned. */
  trackedMs?: number
  trackedRss?: number
  /** CPU time (user + system) from the script's start until `track()` returned. */
  trackedCpuMs?: number
  /** After `flush()` resolved: the event delivered. */
  deliveredMs?: number
  deliveredRss?: number
  /** npm packages loaded when `track()` returned. */
  packages?: string[]
}

// Both scripts import createRequire first, so that the eventwire one can list the packages loaded
// at the moment track() returns (asynchronous work, such as a send, starts loading more after it).
const BARE = `
import { createRequire } from 'node:module'
const startMs = performance.now()
const startRss = process.memoryUsage.rss()
console.log(JSON.stringify({ startMs, startRss }))
`

/** The eventwire child; `consumer` is `default` or `batch`. */
const client = (consumer: string) => `
import { createRequire } from 'node:module'
const startMs = performance.now()
const startRss = process.memoryUsage.rss()
const startCpu = process.cpuUsage()
const { BatchConsumer, Mixpanel } = await import('eventwire')
const mp = new Mixpanel('bench-token', ${
  consumer === 'batch'
    ? '{ consumer: new BatchConsumer({ apiHost: process.env.RECEIVER }) }'
    : '{ apiHost: process.env.RECEIVER }'
})
void mp.track('user-1', 'Cold start', { plan: 'pro', items: 3 })
const trackedMs = performance.now()
const trackedRss = process.memoryUsage.rss()
const cpu = process.cpuUsage(startCpu)
const trackedCpuMs = (cpu.user + cpu.system) / 1000
const packages = [...new Set(Object.keys(createRequire(import.meta.url).cache)
  .map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1])
  .filter((name) => name !== undefined))]
await mp.flush()
const deliveredMs = performance.now()
const deliveredRss = process.memoryUsage.rss()
await mp.close()
console.log(JSON.stringify({ startMs, startRss, trackedMs, trackedRss, trackedCpuMs, deliveredMs, deliveredRss, packages }))
`

const ROWS: Array<[label: string, script: string]> = [
  ['bare Node', BARE],
  ['default client (Consumer)', client('default')],
  ['client with BatchConsumer', client('batch')],
]

/** Runs one script in a fresh `node` (no tsx, no loader); resolves with what it reported. */
async function runChild(script: string, receiver: string): Promise<Figures> {
  // The package resolves `eventwire` to its own dist/ from the repository's root.
  const env: NodeJS.ProcessEnv = { ...process.env, RECEIVER: receiver }
  delete env.NODE_OPTIONS
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null]
  if (code !== 0) throw new Error(`a cold-start child exited with ${code ?? signal}`)
  return JSON.parse(out.trim().split('\n').pop()!) as Figures
}

/** Fails without dist/, and warns when a source file is newer than it. */
function checkBuild(): void {
  const built = join(root, 'dist/index.js')
  if (!existsSync(built)) {
    console.error('dist/ is missing: run `npm run build` first')
    process.exit(1)
  }
  const builtAt = statSync(built).mtimeMs
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((entry) =>
      entry.isDirectory() ? newer(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs > builtAt,
    )
  if (newer(join(root, 'src')))
    console.warn('warning: src/ changed since dist/ was built; run `npm run build`')
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const range = (values: number[], digits = 1) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`
const figure = (values: number[], digits = 1) =>
  `${median(values).toFixed(digits)} (${range(values, digits)})`
const MB = 1024 * 1024

checkBuild()
const receiver = await startChildReceiver()
const results = new Map<string, Figures[]>(ROWS.map(([label]) => [label, []]))
try {
  for (let round = 0; round < rounds; round++) {
    // Interleaved, so a busy moment of the machine touches every row alike.
    for (const [label, script] of ROWS) results.get(label)!.push(await runChild(script, receiver.origin))
  }
  const { records } = await receiver.count()
  const expected = rounds * (ROWS.length - 1)
  if (records !== expected) throw new Error(`the receiver counted ${records} events, expected ${expected}`)
} finally {
  await receiver.stop()
}

const bare = results.get('bare Node')!
const rows = ROWS.map(([label]) => {
  const list = results.get(label)!
  if (label === 'bare Node') {
    return {
      run: label,
      'ms since start': figure(list.map((r) => r.startMs)),
      'import + track() ms': '–',
      'import + track() CPU ms': '–',
      'RSS MB': figure(list.map((r) => r.startRss / MB)),
      'RSS above bare MB': '–',
      'delivered: ms since start': '–',
      'delivered: RSS above bare MB': '–',
      'packages at track()': '–',
    }
  }
  // Each process against the bare Node process of the same round.
  const above = (rss: number, i: number) => (rss - bare[i]!.startRss) / MB
  return {
    run: label,
    'ms since start': figure(list.map((r) => r.trackedMs!)),
    'import + track() ms': figure(list.map((r) => r.trackedMs! - r.startMs)),
    'import + track() CPU ms': figure(list.map((r) => r.trackedCpuMs!)),
    'RSS MB': figure(list.map((r) => r.trackedRss! / MB)),
    'RSS above bare MB': figure(list.map((r, i) => above(r.trackedRss!, i))),
    'delivered: ms since start': figure(list.map((r) => r.deliveredMs!)),
    'delivered: RSS above bare MB': figure(list.map((r, i) => above(r.deliveredRss!, i))),
    'packages at track()': [...new Set(list.flatMap((r) => r.packages!))].join(', ') || 'none',
  }
})

console.log(
  `\n## Cold start: fresh process, \`await import('eventwire')\` (dist/), new client, first track(); median (range) of ${rounds} rounds\n`,
)
printTable(rows)
console.log()
for (const [label] of ROWS.slice(1)) {
  const list = results.get(label)!
  const ms = median(list.map((r) => r.trackedMs! - r.startMs))
  const rss = median(list.map((r, i) => (r.trackedRss! - bare[i]!.startRss) / MB))
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
  console.log(
    `${label}: import + first track() ${ms.toFixed(1)} ms (target ≤ ${TARGETS.ms} ms: ${verdict(ms <= TARGETS.ms)}); ` +
      `${rss.toFixed(1)} MB above bare Node (target ≤ ${TARGETS.rssMb} MB: ${verdict(rss <= TARGETS.rssMb)})`,
  )
}
