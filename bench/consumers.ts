/**
 * track() cost per call with each consumer, against a loopback receiver in a separate process.
 * `Consumer` waits for Mixpanel's answer per call; `BufferedConsumer` sends 50 per request.
 */
import { BufferedConsumer, Consumer, type EventConsumer, Mixpanel } from '../src/index.js'
import { printTable, sampleProperties, startChildReceiver } from './lib.js'

const receiver = await startChildReceiver()
const rows: Array<Record<string, string | number>> = []

async function measure(
  label: string,
  consumer: EventConsumer,
  count: number,
  concurrency: number,
): Promise<void> {
  const mp = new Mixpanel('bench-token', { consumer })
  const before = await receiver.count()
  const start = process.hrtime.bigint()
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      await mp.track(`user-${i % 1000}`, 'Bench event', sampleProperties(i))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await mp.flush()
  const ns = Number(process.hrtime.bigint() - start)
  await mp.close()
  const after = await receiver.count()
  rows.push({
    consumer: label,
    events: count,
    'track() µs/call': (ns / 1000 / count).toFixed(2),
    'events/s': Math.round(count / (ns / 1e9)),
    received: after.records - before.records,
    requests: after.requests - before.requests,
  })
}

await measure('Consumer (1 in flight)', new Consumer({ apiHost: receiver.origin }), 3_000, 1)
await measure('Consumer (16 in flight)', new Consumer({ apiHost: receiver.origin }), 10_000, 16)
await measure(
  'BufferedConsumer (50)',
  new BufferedConsumer({ apiHost: receiver.origin, maxSize: 50 }),
  50_000,
  1,
)
await measure(
  'BufferedConsumer (2000)',
  new BufferedConsumer({ apiHost: receiver.origin, maxSize: 2000 }),
  50_000,
  1,
)
await receiver.stop()

console.log('\n## track() cost per consumer (loopback receiver in a child process)\n')
printTable(rows)
