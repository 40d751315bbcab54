/**
 * One side of the delivery benchmarks, run in its own process so CPU time and peak RSS are its
 * own: `batch-runner <role> <origin> <events>`. Prints one JSON line of figures. Roles:
 *
 * Awaited workload (`bench/batch.ts`): the producer awaits the last `track()` of every 1,000.
 * - `eventwire`: `mp.track()` through `new Mixpanel(token, { consumer: new BatchConsumer({ apiHost }) })`
 *   with every other option at its default; then `close()`.
 * - `consumer`: the same BatchConsumer fed messages built like the baseline builds its bodies (no
 *   client validation or sanitising), to show the consumer's own cost.
 * - `baseline`: the same events built as Mixpanel bodies by hand, `JSON.stringify`'d 50 at a time
 *   and POSTed with `node:http` over a keep-alive agent, 4 requests in flight.
 *
 * Fire-and-forget workload (`bench/fire-and-forget.ts`): `track()` is never awaited; events come in
 * chunks of 200 with a `setImmediate` between chunks, as in a busy server's request handlers.
 * - `ff-batch`: through a `BatchConsumer` with default options; `ff-client`: through the default
 *   client (`new Mixpanel(token, { apiHost })`, its per-call `Consumer`); then `close()`.
 * - `ff-baseline`: the same chunks; bodies built by hand, 50 per request, 4 in flight, over a
 *   `node:http` keep-alive agent, with an unbounded queue between the producer and the requests.
 * With `KILL_AT=<n>` in the environment, the process SIGKILLs itself right after the n-th event
 * was tracked (the parent then counts what had already arrived).
 */
import { randomUUID } from 'node:crypto'
import { Agent, request } from 'node:http'
import { BatchConsumer } from '../src/consumers/index.js'
import { Mixpanel } from '../src/index.js'
import { createMessage, type Message } from '../src/message/index.js'
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
  /** The same, over the calls after the first {@link WARM_AFTER}. */
  trackUsWarm?: number
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
  return new BatchConsumer({ apiHost: origin })
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
      messages[j] = createMessage('events', b.properties.$insert_id, b as never, Date.now())
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

/** POSTs a JSON body to the receiver's `/track` over `agent`; resolves on a 200. */
function poster(agent: Agent): (body: string) => Promise<void> {
  const url = new URL('/track?ip=0&verbose=1', origin)
  return (body: string) =>
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
}

async function runBaseline(): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const post = poster(agent)
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

const FF_CHUNK = 200
const killAt = process.env.KILL_AT === undefined ? undefined : Number(process.env.KILL_AT)

/** Calls after which the code is taken as warmed up (V8 has optimised the hot path). */
const WARM_AFTER = 10_000

/** Time spent in the calls, in µs per call: over all of them, and over those after {@link WARM_AFTER}. */
interface TrackTime {
  trackUsPerCall: number
  trackUsWarm: number
}

/**
 * Tracks `total` events in chunks of 200, a turn of the event loop between chunks, awaiting
 * nothing. Each chunk's inputs are made by `prepare` before the timed calls.
 */
async function fireAndForget<T>(
  prepare: (i: number) => T,
  track: (i: number, input: T) => void,
): Promise<TrackTime> {
  let trackNs = 0n
  let warmNs = 0n
  for (let base = 0; base < total; base += FF_CHUNK) {
    const n = Math.min(FF_CHUNK, total - base)
    const inputs = new Array<T>(n)
    for (let j = 0; j < n; j++) inputs[j] = prepare(base + j)
    const t = process.hrtime.bigint()
    for (let j = 0; j < n; j++) {
      track(base + j, inputs[j]!)
      if (base + j + 1 === killAt) process.kill(process.pid, 'SIGKILL')
    }
    const spent = process.hrtime.bigint() - t
    trackNs += spent
    if (base >= WARM_AFTER) warmNs += spent
    await new Promise((resolve) => setImmediate(resolve))
  }
  return {
    trackUsPerCall: Number(trackNs) / 1000 / total,
    trackUsWarm: Number(warmNs) / 1000 / Math.max(1, total - WARM_AFTER),
  }
}

async function runFireAndForget(role: 'ff-batch' | 'ff-client'): Promise<Figures> {
  const mp =
    role === 'ff-batch'
      ? new Mixpanel('bench-token', { consumer: new BatchConsumer({ apiHost: origin }) })
      : new Mixpanel('bench-token', { apiHost: origin })
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  const time = await fireAndForget(sampleProperties, (i, properties) => {
    void mp.track(`user-${i % 1000}`, 'Bench event', properties)
  })
  const closeResult = await mp.close({ timeoutMs: 60_000 })
  return figures(role, start, cpu, { ...time, closeResult })
}

async function runFireAndForgetBaseline(): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const post = poster(agent)
  const queue: string[] = []
  let pending: ReturnType<typeof body>[] = []
  let inFlight = 0
  let done: () => void = () => {}
  const idle = new Promise<void>((resolve) => {
    done = resolve
  })
  let producing = true
  const pump = () => {
    while (inFlight < CONCURRENCY && queue.length > 0) {
      inFlight++
      void post(queue.shift()!).then(() => {
        inFlight--
        pump()
      })
    }
    if (!producing && inFlight === 0 && queue.length === 0) done()
  }
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  const time = await fireAndForget(body, (_i, event) => {
    pending.push(event)
    if (pending.length === BATCH) {
      queue.push(JSON.stringify(pending))
      pending = []
      pump()
    }
  })
  if (pending.length > 0) queue.push(JSON.stringify(pending))
  producing = false
  pump()
  await idle
  agent.destroy()
  return figures('ff-baseline', start, cpu, time)
}

const runs: Record<string, () => Promise<Figures>> = {
  baseline: runBaseline,
  eventwire: runEventwire,
  consumer: runConsumerOnly,
  'ff-baseline': runFireAndForgetBaseline,
  'ff-batch': () => runFireAndForget('ff-batch'),
  'ff-client': () => runFireAndForget('ff-client'),
}
const run = runs[role ?? '']
if (run === undefined) throw new Error(`unknown role ${role}: expected ${Object.keys(runs).join(', ')}`)
const result = await run()
process.stdout.write(`${JSON.stringify(result)}\n`)
