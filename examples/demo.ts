/**
 * `npm run demo`: the embedded defaults, end to end, with nothing to install.
 *
 * Starts the local collector (SQLite in .eventwire/demo.db, the sample tracking plan, the sample flag
 * definitions), runs a small example service against it for a few seconds — BatchConsumer, plan
 * enforcement, profile updates with the server-side defaults, a locally evaluated flag with
 * deduplicated exposures — prints what the collector received, and leaves the debugger running.
 * `npm run demo -- --once` exits after the summary.
 */

import { startCollector } from '../src/collector/index.js'
import { BatchConsumer, Mixpanel, type PlanViolation } from '../src/index.js'

const once = process.argv.includes('--once')
const seconds = once ? 1 : 4
const here = (path: string) => new URL(path, import.meta.url).pathname

const collector = await startCollector({
  port: once ? 0 : 8787,
  db: '.eventwire/demo.db',
  plan: here('./plan/tracking-plan.yaml'),
  flags: here('./flags.json'),
}).catch(() =>
  // Port 8787 taken: any free port will do.
  startCollector({
    port: 0,
    db: '.eventwire/demo.db',
    plan: here('./plan/tracking-plan.yaml'),
    flags: here('./flags.json'),
  }),
)
await fetch(`${collector.url}/_/reset`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{}',
})
console.log(`collector and debugger: ${collector.url}\n`)

const violations: PlanViolation[] = []
const mp = new Mixpanel('demo-project-token', {
  consumer: new BatchConsumer({ apiHost: collector.url, batchSize: 50, flushIntervalMs: 500 }),
  plan: here('./plan/tracking-plan.yaml'),
  planPolicy: 'fix',
  onViolation: (v) => violations.push(v),
  localFlags: { apiHost: collector.url, pollingIntervalMs: 1_000 },
})
await mp.localFlags.ready()

const plans = ['free', 'pro', 'team'] as const
const started = Date.now()
let users = 0
while (Date.now() - started < seconds * 1000) {
  const id = `user-${String(users).padStart(4, '0')}`
  const plan = plans[users % 3]!
  await mp.track(id, 'User signs up', {
    platform: 'server',
    signup_method: users % 2 === 0 ? 'email' : 'google',
    plan,
    // Every seventh signup comes from an old client that sends booleans as strings: 'fix' repairs it.
    marketing_opt_in: users % 7 === 0 ? 'true' : users % 2 === 0,
  } as never)
  await mp.people.set(id, { $name: `Demo user ${users}`, plan })
  if (users % 10 === 0)
    await mp.groups.set('company_id', `company-${users % 3}`, { name: `Company ${users % 3}` })
  const checkout = mp.localFlags.getVariant('new-checkout', false, { distinct_id: id })
  // Repeated evaluations for the same user send one exposure event, not one per call.
  mp.localFlags.isEnabled('new-checkout', { distinct_id: id })
  if (users % 5 === 0) {
    await mp.track(id, 'Order completed', {
      platform: 'server',
      order_id: crypto.randomUUID(),
      revenue: 49 + users,
      currency: 'EUR',
      payment_method: checkout.value === true ? 'paypal' : 'card',
      items: [{ sku: `sku-${users % 4}`, quantity: 1 + (users % 3), price: 49 }],
    } as never)
  }
  // An event nobody planned: reported, and stored as invalid by the collector.
  if (users % 25 === 0) await mp.track(id, 'Debug ping', { platform: 'server' } as never)
  users++
  await new Promise((resolve) => setTimeout(resolve, 20))
}
const result = await mp.close({ timeoutMs: 5_000 })
const stats = (await (await fetch(`${collector.url}/_/stats`)).json()) as Record<string, unknown>

console.log(`example service: ${users} users in ${seconds}s`)
console.log(
  `  delivered ${result.sent}, failed ${result.failed}, dropped ${result.dropped}, pending ${result.pending}`,
)
console.log(
  `  plan issues reported: ${violations.length} calls (${[...new Set(violations.flatMap((v) => v.issues.map((i) => i.code)))].join(', ')})`,
)
console.log('\ncollector /_/stats:')
for (const [key, value] of Object.entries(stats)) {
  if (typeof value !== 'object') console.log(`  ${key.padEnd(16)} ${value}`)
}
if (once) {
  await collector.close()
} else {
  console.log(`\nOpen ${collector.url} to browse events, profiles and flags. Ctrl-C to stop.`)
  const stop = () => void collector.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
