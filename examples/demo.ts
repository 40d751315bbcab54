/**
 * `npm run demo`: the embedded defaults, end to end, with nothing to install.
 *
 * Exports the sample tracking plan as an Iglu folder, starts the local collector (SQLite in
 * .eventwire/demo.db, the sample plan, those Iglu schemas, the sample flag definitions), runs a
 * small example service against it for a few seconds — BatchConsumer, plan enforcement, every
 * planned event also sent to Snowplow as a self-describing event, profile updates with the
 * server-side defaults, a locally evaluated flag with deduplicated exposures — prints what the
 * collector received, and leaves the debugger running.
 * `npm run demo -- --once` exits after the summary; `--data <dir>` keeps the data elsewhere;
 * `--port <n>` listens on another port than 8787. A port in use is replaced by a free one.
 */

import { join } from 'node:path'
import { startCollector } from '../src/collector/index.js'
import { BatchConsumer, FanoutConsumer, Mixpanel, type PlanViolation } from '../src/index.js'
import { exportPlanSchemas, igluEventName, writeSchemaExport } from '../src/plan/index.js'
import { Emitter } from '../src/snowplow/index.js'

const once = process.argv.includes('--once')
const dataFlag = process.argv.indexOf('--data')
const data = dataFlag > 0 ? process.argv[dataFlag + 1]! : '.eventwire'
const seconds = once ? 1 : 4
const here = (path: string) => new URL(path, import.meta.url).pathname
const plan = here('./plan/tracking-plan.yaml')

// The plan as Iglu schemas (com.acme/<event_name>/jsonschema/1-0-0): what Snowplow validates against.
const iglu = exportPlanSchemas(plan, { vendor: 'com.acme' })
writeSchemaExport(iglu, join(data, 'demo-iglu'))
const schemaOf = new Map(iglu.schemas.filter((s) => s.kind === 'event').map((s) => [s.subject, s.uri!]))

const options = {
  db: join(data, 'demo.db'),
  plan,
  iglu: join(data, 'demo-iglu'),
  flags: here('./flags.json'),
}
const portFlag = process.argv.indexOf('--port')
const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : once ? 0 : 8787
const collector = await startCollector({ port, ...options }).catch((error: { code?: string }) => {
  if (error.code !== 'EVENTWIRE_COLLECTOR_LISTEN_FAILED' || port === 0) throw error
  // The port is taken (another demo, or `eventwire dev`): any free port will do, and the URL says which.
  console.log(`port ${port} is in use: the collector takes a free port instead`)
  return startCollector({ port: 0, ...options })
})
await fetch(`${collector.url}/_/reset`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{}',
})
console.log(`collector and debugger: ${collector.url}\n`)

const violations: PlanViolation[] = []
const snowplowEmitter = new Emitter({
  endpoint: collector.url,
  appId: 'demo',
  batchSize: 25,
  flushIntervalMs: 500,
  // Planned events have their exported schema; an unplanned one names a schema the folder lacks,
  // and the collector files it under bad (iglu_schema_not_found), as Snowplow Micro would.
  eventSchema: (event) => schemaOf.get(event) ?? `iglu:com.acme/${igluEventName(event)}/jsonschema/1-0-0`,
})
const mp = new Mixpanel('demo-project-token', {
  consumer: new FanoutConsumer([
    new BatchConsumer({ apiHost: collector.url, batchSize: 50, flushIntervalMs: 500 }),
    snowplowEmitter,
  ]),
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
const snowplow = collector.events({ source: 'snowplow', limit: 10_000 })
const mixpanelEvents = collector.events({ source: 'mixpanel', kind: 'event', limit: 10_000 }).length

console.log(`example service: ${users} users in ${seconds}s`)
console.log(
  `  delivered ${result.sent}, failed ${result.failed}, dropped ${result.dropped}, pending ${result.pending}`,
)
console.log(
  `  plan issues reported: ${violations.length} calls (${[...new Set(violations.flatMap((v) => v.issues.map((i) => i.code)))].join(', ')})`,
)
console.log(`  mixpanel: ${mixpanelEvents} events`)
console.log(
  `  snowplow: ${snowplow.length} self-describing events, ${snowplow.filter((e) => e.valid).length} valid against the exported Iglu schemas, ${snowplow.filter((e) => e.issues.some((i) => i.code === 'iglu_schema_not_found')).length} unplanned (no schema)`,
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
