// Delivers events with eventwire's built package (dist/) in whatever runtime runs this file:
// Node.js, Bun or Deno. Started by scripts/runtime-smoke.mjs, which checks what arrived.
// Usage: <runtime> scripts/runtime-smoke-child.mjs <origin> <scenario> <prefix> <count> [sqlite-path]
// Scenarios: batch (BatchConsumer defaults, plus gzip'd /import batches), consumer (Consumer
// defaults), at-exit (BatchConsumer defaults, no close(): delivered when the process ends), sqlite
// (BatchConsumer over a SqliteEventStore).
import { BatchConsumer, Consumer, Mixpanel } from '../dist/index.js'

/** /import events in the batch scenario: their bodies pass the 1 KiB gzip threshold. */
const IMPORTS = 100

const [origin, scenario, prefix, countText, sqlitePath] = process.argv.slice(2)
const count = Number(countText)
let store
let consumer
if (scenario === 'consumer') {
  consumer = new Consumer({ apiHost: origin })
} else if (scenario === 'sqlite') {
  const { SqliteEventStore } = await import('../dist/sqlite/index.js')
  store = await SqliteEventStore.open({ path: sqlitePath })
  consumer = new BatchConsumer({ apiHost: origin, store })
} else {
  consumer = new BatchConsumer({ apiHost: origin })
}
const mp = new Mixpanel('smoke-token', { consumer })
for (let i = 0; i < count; i++) {
  void mp.track(`user-${i % 7}`, 'Smoke Event', { $insert_id: `${prefix}-${i}`, i })
}
if (scenario === 'batch') {
  const time = Date.now() - 3_600_000
  for (let i = 0; i < IMPORTS; i++) {
    void mp.import(`user-${i % 7}`, 'Smoke Import', time, { $insert_id: `${prefix}-import-${i}`, i })
  }
}
if (scenario === 'at-exit') {
  // No close(): the consumer's exit hook delivers what it holds when the event loop empties.
  console.log(JSON.stringify({ scenario, closed: false }))
} else {
  const report = await consumer.close()
  await store?.close()
  console.log(JSON.stringify({ scenario, report, driver: store?.driver }))
}
