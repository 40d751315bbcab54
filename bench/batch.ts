/**
 * BatchConsumer throughput: 100,000 twelve-property events (strings, numbers, booleans, a nested
 * object, an array, a Date) through `Mixpanel` + `BatchConsumer` to a loopback receiver in a
 * separate process, beside a raw `node:http` keep-alive baseline POSTing the same events 50 per
 * request, in the same run.
 *
 * The runner (`batch-runner.ts`) and the receiver (`batch-receiver.ts`) are bundled with esbuild
 * and run by plain `node`, as an installed package would be, so CPU seconds and peak RSS are those
 * of the code measured and not of a TypeScript loader. Each side runs in its own process.
 *
 * `npx tsx bench/batch.ts [events] [rounds]` (defaults 100000 and 5; best round reported).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { printTable } from './lib.js'

const events = Number(process.argv[2] ?? 100_000)
const rounds = Number(process.argv[3] ?? 5)
const TARGETS = { ratio: 0.75, trackUs: 2, rssMb: 150 }

interface Count {
  requests: number
  bytes: number
  records: number
  unique: number
}

interface Figures {
  wallMs: number
  cpuMs: number
  peakRssMb: number
  trackUsPerCall?: number
}

const outDir = mkdtempSync(join(tmpdir(), 'eventwire-bench-'))
for (const name of ['batch-runner', 'batch-receiver']) {
  await build({
    entryPoints: [new URL(`./${name}.ts`, import.meta.url).pathname],
    outfile: join(outDir, `${name}.mjs`),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    banner: {
      js: "import { createRequire as createBenchRequire } from 'node:module'; const require = createBenchRequire(import.meta.url);",
    },
  })
}

const receiver: ChildProcess = spawn(process.execPath, [join(outDir, 'batch-receiver.mjs')], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
const [line] = (await once(receiver.stdout!, 'data')) as [Buffer]
const origin = `http://127.0.0.1:${line.toString().trim()}`

async function receiverCall(path: string): Promise<Count> {
  const res = await fetch(`${origin}${path}`, { method: path === '/_reset' ? 'POST' : 'GET' })
  return (await res.json()) as Count
}

/** One run of one role in a fresh process; returns a table row. */
async function run(label: string, role: string, env: Record<string, string> = {}) {
  await receiverCall('/_reset')
  const child = spawn(process.execPath, [join(outDir, 'batch-runner.mjs'), role, origin, String(events)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`${label} exited with ${code}`)
  const figures = JSON.parse(out.trim().split('\n').pop()!) as Figures
  const count = await receiverCall('/_count')
  return {
    run: label,
    delivered: count.unique,
    'events/s': Math.round(count.unique / (figures.wallMs / 1000)),
    'track() µs/call': figures.trackUsPerCall === undefined ? '-' : figures.trackUsPerCall.toFixed(2),
    'CPU s': (figures.cpuMs / 1000).toFixed(2),
    'peak RSS MB': Math.round(figures.peakRssMb),
    requests: count.requests,
    'bytes/event': Math.round(count.bytes / Math.max(1, count.records)),
  }
}

const configs: Array<[string, string, Record<string, string>]> = [
  ['node:http baseline', 'baseline', {}],
  ['eventwire (defaults)', 'eventwire', {}],
  ['BatchConsumer only', 'consumer', {}],
]
const rows: Array<Awaited<ReturnType<typeof run>>> = []
try {
  for (let round = 0; round < rounds; round++) {
    for (const [label, role, env] of configs) rows.push(await run(label, role, env))
  }
} finally {
  receiver.kill('SIGTERM')
  await once(receiver, 'exit')
  rmSync(outDir, { recursive: true, force: true })
}

/** The round with the most events/s for each configuration. */
const best = configs.map(([label]) =>
  rows.filter((r) => r.run === label).reduce((a, b) => (b['events/s'] > a['events/s'] ? b : a)),
)
console.log(`\n## BatchConsumer vs a raw node:http baseline (${events} events, best of ${rounds} rounds)\n`)
printTable(best)
console.log('\nEvery round:\n')
printTable(rows)
const baseline = best[0]!['events/s']
for (const row of best.slice(1)) {
  const ratio = row['events/s'] / baseline
  // Each round against the baseline run just before it: how much the machine's noise moves the ratio.
  const paired = rows
    .filter((r) => r.run === row.run)
    .map(
      (r) =>
        r['events/s'] / rows[rows.indexOf(r) - configs.findIndex(([label]) => label === r.run)]!['events/s'],
    )
  const median = [...paired].sort((a, b) => a - b)[Math.floor(paired.length / 2)]!
  // The targets are for events tracked through the client; the consumer-only row is a diagnostic.
  const target = (text: string) => (row.run.startsWith('eventwire') ? ` (target ${text})` : '')
  console.log(
    `\n${row.run}: ${ratio.toFixed(2)}× baseline events/s${target(`≥ ${TARGETS.ratio}`)}, ` +
      `${row.run.startsWith('eventwire') ? 'track()' : 'send()'} ${row['track() µs/call']} µs/call${target(`≤ ${TARGETS.trackUs}`)}, ` +
      `peak RSS ${row['peak RSS MB']} MB${target(`≤ ${TARGETS.rssMb}`)}; ` +
      `round by round ${paired.map((r) => r.toFixed(2)).join(', ')} (median ${median.toFixed(2)})`,
  )
}
