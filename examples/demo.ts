/**
 * `npm run demo`: sends events, profile and group updates through each eventwire consumer to a
 * loopback receiver started in this process, then prints what arrived.
 */
import { BufferedConsumer, Consumer, type EventConsumer, Mixpanel } from '../src/index.js'
import { startTestReceiver } from '../src/testing/index.js'

const receiver = await startTestReceiver()
console.log(`receiver listening on ${receiver.origin}\n`)

async function runService(label: string, consumer: EventConsumer): Promise<void> {
  const mp = new Mixpanel('demo-project-token', { consumer })
  const userId = '6f1c2a9e-1d1b-4b53-9a44-2d5d2f0f7c11'
  await mp.track(userId, 'Signed up', { plan: 'pro', referrer: 'newsletter', signedUpAt: new Date() })
  await mp.track(userId, 'Project created', { projectId: 42, template: 'blank', tags: ['demo'] })
  await mp.import(userId, 'Legacy login', new Date(Date.now() - 30 * 86_400_000), { source: 'backfill' })
  await mp.people.set(userId, { $name: 'Ada Lovelace', plan: 'pro' })
  await mp.people.increment(userId, { projects: 1 })
  await mp.groups.set('company_id', 'acme', { name: 'Acme Ltd', seats: 25 })
  const result = await mp.close()
  console.log(
    `${label.padEnd(18)} sent=${result.sent} failed=${result.failed} dropped=${result.dropped} pending=${result.pending}`,
  )
}

await runService('Consumer', new Consumer({ apiHost: receiver.origin }))
await runService('BufferedConsumer', new BufferedConsumer({ apiHost: receiver.origin, maxSize: 50 }))

console.log('\nWhat arrived:')
for (const request of receiver.requests) {
  const summary = request.records.map((r) =>
    typeof r.event === 'string'
      ? r.event
      : Object.keys(r).find(
          (k) =>
            k.startsWith('$') &&
            !['$token', '$distinct_id', '$group_key', '$group_id', '$ip', '$ignore_time'].includes(k),
        ),
  )
  console.log(
    `  ${request.method} ${request.path.padEnd(8)} ${String(request.records.length).padStart(3)} record(s): ${summary.join(', ')}`,
  )
}
const sample = receiver.requests.find((r) => r.path === '/track')?.records[0]
console.log('\nOne event as received:')
console.log(JSON.stringify(sample, null, 2))
await receiver.close()
