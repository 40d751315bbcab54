/**
 * Collector ingestion throughput: 100,000 twelve-property events from eventwire's `Mixpanel`
 * client with a `BatchConsumer` (batches of 2000, `overflow: 'block'`) into the local collector, which runs in its own
 * process on a SQLite file (WAL) — decode, Mixpanel rules, one transaction per request. Reports
 * events/s end to end and checks `uniqueInsertIds` = events.
 * `npx tsx bench/collector.ts [events]`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCollector } from '../src/collector/index.js'
import { BatchConsumer, Mixpanel } from '../src/index.js'
import { printTable, sampleProperties } from './lib.js'

const TIME_LIMIT_MS = 180_000

if (process.argv[2] === '--serve') {
  // Child: the collector alone in this process, so its CPU is not shared with the sender.
  const dir = mkdtempSync(join(tmpdir(), 'eventwire-bench-collector-'))
  const collector = await startCollector({ port: 0, db: join(dir, 'bench.db') })
  process.stdout.write(`${collector.url}\n`)
  process.once('SIGTERM', () => {
    void collector.close().then(() => {
      rmSync(dir, { recursive: true, force: true })
      process.exit(0)
    })
  })
} else {
  await main(Number(process.argv[2] ?? 100_000))
}

async function main(events: number): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const deadline = setTimeout(() => {
    console.error(`bench/collector.ts did not finish within ${TIME_LIMIT_MS / 1000} s`)
    child.kill('SIGKILL')
    process.exit(1)
  }, TIME_LIMIT_MS)
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer]
    const url = line.toString().trim()
    const consumer = new BatchConsumer({ apiHost: url, batchSize: 2000, overflow: 'block' })
    const mp = new Mixpanel('bench-token', { consumer })

    const started = process.hrtime.bigint()
    const cpuStart = process.cpuUsage()
    let pending: Promise<void>[] = []
    for (let i = 0; i < events; i++) {
      pending.push(mp.track(`user-${i % 5000}`, 'Bench event', sampleProperties(i)))
      if (pending.length === 2000) {
        await Promise.all(pending)
        pending = []
      }
    }
    await Promise.all(pending)
    await mp.flush()
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6
    const cpu = process.cpuUsage(cpuStart)
    const closed = await mp.close()

    const stats = (await (await fetch(`${url}/_/stats`)).json()) as {
      events: number
      good: number
      bad: number
      requests: number
      uniqueInsertIds: number
    }
    printTable([
      {
        events,
        stored: stats.events,
        good: stats.good,
        requests: stats.requests,
        uniqueInsertIds: stats.uniqueInsertIds,
        'wall s': (wallMs / 1000).toFixed(2),
        'events/s': Math.round(events / (wallMs / 1000)).toLocaleString('en-US'),
        'sender CPU s': ((cpu.user + cpu.system) / 1e6).toFixed(2),
      },
    ])
    const ok = stats.uniqueInsertIds === events && stats.good === events && closed.failed === 0
    console.log(ok ? `OK: uniqueInsertIds = ${events}` : `MISMATCH: ${JSON.stringify({ stats, closed })}`)
    if (!ok) process.exitCode = 1
  } finally {
    clearTimeout(deadline)
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}
