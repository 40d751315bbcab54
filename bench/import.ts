/**
 * `npx tsx bench/import.ts [events]`: `importFile` of 1,000,000 generated events from an NDJSON
 * temp file into a loopback receiver running in its own process (gzip, strict=1, concurrency 10,
 * checkpoint on). Reports events/s (target ≥ 50,000/s) and peak RSS, which must stay flat: the
 * file is streamed, never loaded.
 */

import { once } from 'node:events'
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { importFile } from '../src/bulk/index.js'
import { printTable, startChildReceiver } from './lib.js'

const COUNT = Number(process.argv[2] ?? 1_000_000)

async function writeInput(path: string, count: number): Promise<void> {
  const out = createWriteStream(path)
  let chunk = ''
  for (let i = 0; i < count; i++) {
    chunk += `{"event":"Page viewed","properties":{"distinct_id":"user-${i % 5000}","time":${1_700_000_000 + (i % 86_400)},"path":"/projects/${i % 100}","plan":"${i % 3 === 0 ? 'pro' : 'free'}","amount":${(i % 500) / 10},"firstVisit":${i % 2 === 0},"seq":${i}}}\n`
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.end(chunk)
  await once(out, 'finish')
}

const dir = mkdtempSync(join(tmpdir(), 'eventwire-bench-import-'))
const file = join(dir, 'events.ndjson')
await writeInput(file, COUNT)
const receiver = await startChildReceiver()
let peakRss = process.memoryUsage().rss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 100)
const baseRss = process.memoryUsage().rss
const rssAt: number[] = []
try {
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const result = await importFile(file, {
    token: 'bench-token',
    apiHost: receiver.origin,
    onProgress: (p) => {
      const decile = Math.floor((p.fileBytes / p.sizeBytes) * 5)
      if (decile > 0 && rssAt[decile - 1] === undefined) rssAt[decile - 1] = process.memoryUsage().rss
    },
  })
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  clearInterval(sampler)
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  const counted = await receiver.count()
  if (!result.complete || result.sent !== COUNT || counted.records !== COUNT) {
    throw new Error(`incomplete: sent ${result.sent}, receiver counted ${counted.records}`)
  }
  printTable([
    {
      events: COUNT.toLocaleString('en-US'),
      'input MB': (statSync(file).size / 1e6).toFixed(0),
      seconds: seconds.toFixed(2),
      'events/s': Math.round(COUNT / seconds).toLocaleString('en-US'),
      requests: result.requests,
      'gzip MB sent': (counted.bytes / 1e6).toFixed(1),
      'CPU s (this process)': cpuSeconds.toFixed(1),
      'events per CPU s': Math.round(COUNT / cpuSeconds).toLocaleString('en-US'),
      'RSS before MB': (baseRss / 1e6).toFixed(0),
      'peak RSS MB': (peakRss / 1e6).toFixed(0),
    },
  ])
  // Flat memory: RSS after each fifth of the input should stay level, not grow with the file.
  console.log(
    `RSS at 20/40/60/80/100% of the input (MB): ${rssAt.map((r) => (r / 1e6).toFixed(0)).join(' / ')}`,
  )
  console.log(
    `load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores shared)`,
  )
} finally {
  clearInterval(sampler)
  await receiver.stop()
  rmSync(dir, { recursive: true, force: true })
}
