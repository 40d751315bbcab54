/**
 * One side of the BatchConsumer benchmark, run in its own process so CPU time and peak RSS are its
 * own: `batch-runner <role> <origin> <events>`. Prints one JSON line of figures. Roles:
 *
 * - `eventwire`: `mp.track()` through `new Mixpanel(token, { consumer: new BatchConsumer(...) })`
 *   with the default batch size (50), concurrency (4) and memory store, and `overflow: 'block'` so
 *   the producer waits for room instead of losing events; then `close()`. `EW_CAPACITY` sets
 *   `bufferCapacity` (default 10,000).
 * - `consumer`: the same BatchConsumer fed messages built like the baseline builds its bodies (no
 *   client validation or sanitising), to show the consumer's own cost.
 * - `baseline`: the same events built as Mixpanel bodies by hand, `JSON.stringify`'d 50 at a time
 *   and POSTed with `node:http` over a keep-alive agent, 4 requests in flight.
 */
import { randomUUID } from 'node:crypto'
import { Agent, request } from 'node:http'
import { BatchConsumer } from '../src/consumers/index.js'
import { Mixpanel } from '../src/index.js'
import { createMessage, type Message } from '../src/internal/index.js'
import { sampleProperties } from './lib.js'

const [role, origin, countArg] = process.argv.slice(2)
const total = Number(countArg ?? 100_000)
const CHUNK = 1000
const BATCH = 50
const CONCURRENCY = 4

interface Figures {
  role: string
  events: number
  wallMs: number
  cpuMs: number
  peakRssMb: number
  trackUsPerCall?: number
  closeResult?: unknown
}

async function runEventwire(): Promise<Figures> {
  const consumer = newConsumer()
  const mp = new Mixpanel('bench-token', { consumer })
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  let trackNs = 0n
  for (let base = 0; base < total; base += CHUNK) {
    const n = Math.min(CHUNK, total - base)
    const props = new Array(n)
    for (let j = 0; j < n; j++) props[j] = sampleProperties(base + j)
    const t = process.hrtime.bigint()
    let last: Promise<void> = Promise.resolve()
    for (let j = 0; j < n; j++) last = mp.track(`user-${(base + j) % 1000}`, 'Bench event', props[j])
    trackNs += process.hrtime.bigint() - t
    await last
  }
  const closeResult = await consumer.close({ timeoutMs: 60_000 })
  return figures('eventwire', start, cpu, { trackUsPerCall: Number(trackNs) / 1000 / total, closeResult })
}

function newConsumer(): BatchConsumer {
  return new BatchConsumer({
    apiHost: origin,
    overflow: 'block',
    bufferCapacity: Number(process.env.EW_CAPACITY ?? 10_000),
  })
}

/** A Mixpanel `/track` body for event `i`, built the way the baseline builds it. */
function body(i: number) {
  return {
    event: 'Bench event',
    properties: {
      token: 'bench-token',
      distinct_id: `user-${i % 1000}`,
      time: Date.now(),
      $insert_id: randomUUID(),
      mp_lib: 'bench',
      ...sampleProperties(i),
    },
  }
}

async function runConsumerOnly(): Promise<Figures> {
  const consumer = newConsumer()
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  let sendNs = 0n
  for (let base = 0; base < total; base += CHUNK) {
    const n = Math.min(CHUNK, total - base)
    const messages: Message[] = new Array(n)
    for (let j = 0; j < n; j++) {
      const b = body(base + j)
      messages[j] = createMessage(
        'events',
        b.properties.$insert_id,
        b as never,
        Date.now(),
        JSON.stringify(b),
      )
    }
    const t = process.hrtime.bigint()
    let last: Promise<void> = Promise.resolve()
    for (let j = 0; j < n; j++) last = consumer.send('events', messages[j]!)
    sendNs += process.hrtime.bigint() - t
    await last
  }
  const closeResult = await consumer.close({ timeoutMs: 60_000 })
  return figures('consumer', start, cpu, { trackUsPerCall: Number(sendNs) / 1000 / total, closeResult })
}

async function runBaseline(): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const url = new URL('/track?ip=0&verbose=1', origin)
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.on('data', () => {})
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          )
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  let next = 0
  const worker = async () => {
    while (next < total) {
      const base = next
      next += BATCH
      const batch = []
      for (let i = base; i < Math.min(base + BATCH, total); i++) batch.push(body(i))
      await post(JSON.stringify(batch))
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  agent.destroy()
  return figures('baseline', start, cpu, {})
}

function figures(role: string, start: bigint, cpu: NodeJS.CpuUsage, extra: Partial<Figures>): Figures {
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  const used = process.cpuUsage(cpu)
  return {
    role,
    events: total,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    ...extra,
  }
}

const runs: Record<string, () => Promise<Figures>> = {
  baseline: runBaseline,
  eventwire: runEventwire,
  consumer: runConsumerOnly,
}
const run = runs[role ?? '']
if (run === undefined) throw new Error(`unknown role ${role}: expected ${Object.keys(runs).join(', ')}`)
const result = await run()
process.stdout.write(`${JSON.stringify(result)}\n`)
