import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { BatchConsumer } from '../../src/consumers/index.js'
import { createMessage, draftMessage, type Message } from '../../src/message/index.js'
import { InMemoryEventStore } from '../../src/stores/index.js'
import { cleanup, harness, sorted, startReceiver, tick, trackMany, waitFor } from './helpers.js'

describe('BatchConsumer', () => {
  afterEach(cleanup)
  test('sends a batch as soon as batchSize messages wait, the rest on flush()', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, batchSize: 50, flushIntervalMs: 0 })
    const ids = trackMany(h.mp, 120)
    await waitFor(() => receiver.requests.length === 2, 'two full batches')
    await tick(10)
    assert.deepEqual(
      receiver.requests.map((r) => r.records.length),
      [50, 50],
    )
    await h.consumer.flush()
    assert.deepEqual(
      receiver.requests.map((r) => r.records.length),
      [50, 50, 20],
    )
    assert.deepEqual(
      receiver.requests.flatMap((r) =>
        r.records.map((x) => (x.properties as { $insert_id: string }).$insert_id),
      ),
      ids,
      'in order',
    )
    assert.equal(receiver.requests[0]!.path, '/track')
    assert.equal(receiver.requests[0]!.query.get('verbose'), '1')
    await h.consumer.close()
    await receiver.close()
  })

  test('an event is what its properties were at the call, though it is serialised later', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, flushIntervalMs: 0 })
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))
    const context = { step: 1, tags: ['a'], deep: { n: 1 } }
    const props = { plan: 'free', context, list: [1, { n: 1 }] as unknown[], at, gone: undefined as unknown }
    const tracked = h.mp.track('u1', 'Snapshot', props)
    // The batch consumer writes the JSON in its intake, after this synchronous code.
    props.plan = 'pro'
    props.gone = 'here'
    context.step = 2
    context.tags.push('b')
    context.deep.n = 2
    ;(props.list[1] as { n: number }).n = 2
    props.list.push(3)
    at.setTime(0)
    await tracked
    await h.consumer.flush()
    const sent = receiver.requests[0]!.records[0]!.properties as Record<string, unknown>
    assert.deepEqual(
      { plan: sent.plan, context: sent.context, list: sent.list, at: sent.at, gone: sent.gone },
      {
        plan: 'free',
        context: { step: 1, tags: ['a'], deep: { n: 1 } },
        list: [1, { n: 1 }],
        at: '2024-01-02T03:04:05.006Z',
        gone: undefined,
      },
    )
    assert.ok(!('gone' in sent))
    await h.consumer.close()
    await receiver.close()
  })

  test('a burst of messages is serialised a slice at a time, with turns of the event loop between', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, flushIntervalMs: 0 })
    let rendered = 0
    const ids: string[] = []
    const accepted: Array<Promise<void>> = []
    for (let i = 0; i < 2000; i++) {
      const id = `burst-${i}`
      ids.push(id)
      const draft = {
        render(insertId: string): string {
          rendered++
          // Each message takes at least 10 µs to write, so the burst (20 ms or more) cannot fit in
          // one slice of time whatever the machine's speed.
          const until = performance.now() + 0.01
          while (performance.now() < until) {}
          return JSON.stringify({ event: 'Burst', properties: { token: 't', $insert_id: insertId, n: i } })
        },
      }
      accepted.push(h.consumer.send('events', draftMessage('events', id, draft, Date.now())))
    }
    // A callback queued after the burst runs once the first slice is written, before the last.
    const seenByNextTurn = await new Promise<number>((resolve) => setImmediate(() => resolve(rendered)))
    assert.ok(
      seenByNextTurn > 0 && seenByNextTurn < 2000,
      `${seenByNextTurn} of 2000 written before the next turn`,
    )
    await Promise.all(accepted)
    assert.equal(rendered, 2000, 'each message written once')
    await h.consumer.flush()
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids), 'all delivered')
    assert.equal(
      receiver.requests.reduce((n, r) => n + r.records.length, 0),
      2000,
      'each once',
    )
    await h.consumer.close()
    await receiver.close()
  })

  test('a hand-made message whose JSON cannot be read is dropped as rejected and its call rejects; the rest of its tick is sent', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, flushIntervalMs: 0 })
    const drops: Array<{ reason: string; code: string | undefined }> = []
    h.consumer.on('drop', (e) => drops.push({ reason: e.reason, code: (e.error as { code?: string })?.code }))
    // Made by hand, not by createMessage(): its JSON cannot be read, and it has no body.
    const broken = {
      id: 'broken-1',
      kind: 'events',
      createdAt: Date.now(),
      get json(): string {
        throw new Error('no JSON here')
      },
      bytes: 0,
    } as unknown as Message
    const sent = [
      h.consumer.send(
        'events',
        createMessage('events', 'ok-1', { event: 'A', properties: { token: 't', $insert_id: 'ok-1' } }, 0),
      ),
      h.consumer.send('events', broken),
      h.consumer.send(
        'events',
        createMessage('events', 'ok-2', { event: 'B', properties: { token: 't', $insert_id: 'ok-2' } }, 0),
      ),
    ]
    const settled = await Promise.allSettled(sent)
    assert.deepEqual(
      settled.map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }).code : s.status)),
      ['fulfilled', 'EVENTWIRE_INVALID_PROPERTY', 'fulfilled'],
      'only the call whose message was refused rejects',
    )
    await h.consumer.flush()
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), ['ok-1', 'ok-2'])
    assert.deepEqual(h.dropped('rejected'), ['broken-1'])
    assert.deepEqual(drops, [{ reason: 'rejected', code: 'EVENTWIRE_INVALID_PROPERTY' }])
    assert.equal(h.consumer.stats().dropped.rejected, 1)
    await h.consumer.close()
    await receiver.close()
  })

  test('never has more than maxConcurrentRequests requests in flight', async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 30 }))
    // maxBatchSize keeps every request at 10 messages, also while a backlog waits.
    const h = harness({ apiHost: receiver.origin, batchSize: 10, maxBatchSize: 10, maxConcurrentRequests: 3 })
    const inFlight: number[] = []
    h.consumer.on('request', () => inFlight.push(h.consumer.stats().inFlightRequests))
    const ids = trackMany(h.mp, 300)
    await h.consumer.flush()
    assert.equal(receiver.requests.length, 30)
    assert.equal(Math.max(...inFlight), 3)
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    await h.consumer.close()
    await receiver.close()
  })

  test('flush() waits for retries; overlapping calls share one promise; wait: false returns at once', async () => {
    const receiver = await startReceiver((_req, index) => (index < 2 ? { status: 500 } : undefined))
    const h = harness({ apiHost: receiver.origin, retryBackoffFactor: 0.02 })
    const ids = trackMany(h.mp, 10)
    const first = h.consumer.flush()
    assert.equal(h.consumer.flush(), first, 'nothing accepted in between: the same promise')
    void h.mp.track('user', 'Later', { $insert_id: 'later-1' })
    const second = h.consumer.flush()
    assert.notEqual(second, first)
    await first
    assert.ok(receiver.requests.length >= 3, 'resolved only after the retries')
    for (const id of ids) assert.ok(receiver.uniqueInsertIds().has(id))
    await second
    assert.ok(receiver.uniqueInsertIds().has('later-1'))
    assert.equal(await h.consumer.flush(), undefined, 'nothing outstanding')
    void h.mp.track('user', 'No wait', { $insert_id: 'nowait-1' })
    const before = receiver.requests.length
    await h.consumer.flush({ wait: false })
    await waitFor(
      () => receiver.requests.length === before + 1,
      'the request started by flush({ wait: false })',
    )
    await h.consumer.close()
    await receiver.close()
  })

  test('startOnInit: false sends nothing until start(), but flush() sends regardless', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, batchSize: 5, startOnInit: false, flushIntervalMs: 10 })
    trackMany(h.mp, 12, 'x')
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(receiver.requests.length, 0)
    assert.equal(h.consumer.stats().queued, 12)
    await h.consumer.flush()
    assert.equal(receiver.uniqueInsertIds().size, 12)
    trackMany(h.mp, 3, 'z')
    await h.consumer.flush({ wait: false })
    await waitFor(() => receiver.uniqueInsertIds().size === 15, 'flush({ wait: false }) before start()')
    trackMany(h.mp, 5, 'y')
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(receiver.uniqueInsertIds().size, 15)
    h.consumer.start()
    await waitFor(() => receiver.uniqueInsertIds().size === 20, 'sending after start()')
    await h.consumer.close()
    await receiver.close()
  })

  test('emits request (no secrets), success and drained; stats() counts requests and bytes', async () => {
    const receiver = await startReceiver()
    const h = harness({
      apiHost: receiver.origin,
      serviceAccount: { username: 'sa-user', secret: 'sa-secret-value', projectId: 42 },
    })
    const requests: Array<{ url: string; auth: string | undefined; count: number; bytes: number }> = []
    let succeeded = 0
    let drained = 0
    h.consumer.on('request', (e) =>
      requests.push({ url: e.url, auth: e.headers.authorization, count: e.messageCount, bytes: e.bodyBytes }),
    )
    h.consumer.on('success', (e) => {
      succeeded += e.messages.length
    })
    h.consumer.on('drained', () => drained++)
    for (let i = 0; i < 3; i++)
      void h.mp.import(`user-${i}`, 'Imported', 1_700_000_000_000, { $insert_id: `imp-${i}` })
    await h.consumer.flush()
    assert.equal(requests.length, 1)
    assert.equal(requests[0]!.url, `${receiver.origin}/import`)
    assert.equal(requests[0]!.auth, '[redacted]')
    assert.equal(requests[0]!.count, 3)
    assert.ok(!JSON.stringify(requests).includes('sa-secret-value'))
    assert.equal(succeeded, 3)
    assert.equal(drained, 1)
    const stats = h.consumer.stats()
    assert.equal(stats.requests, 1)
    assert.equal(stats.bytesSent, requests[0]!.bytes)
    assert.equal(stats.sent, 3)
    assert.equal(stats.queued + stats.inFlight + stats.inFlightRequests, 0)
    await h.consumer.close()
    await receiver.close()
  })

  test('each kind goes to its own endpoint in its own batches', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, batchSize: 3 })
    void h.mp.track('u1', 'E1')
    void h.mp.people.set('u1', { plan: 'pro' })
    void h.mp.track('u2', 'E2')
    void h.mp.groups.set('company', 'acme', { size: 10 })
    void h.mp.people.set('u2', { plan: 'free' })
    void h.mp.track('u3', 'E3')
    await h.consumer.flush()
    const byPath = Object.fromEntries(receiver.requests.map((r) => [r.path, r.records.length]))
    assert.deepEqual(byPath, { '/track': 3, '/engage': 2, '/groups': 1 })
    assert.equal(h.consumer.stats().sent, 6)
    await h.consumer.close()
    await receiver.close()
  })

  test('drop() reports messages dropped before the consumer (e.g. plan violations) like its own drops', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin })
    const events: Array<{ reason: string; count: number }> = []
    h.consumer.on('drop', (e) => events.push({ reason: e.reason, count: e.count }))
    const messages = ['p-1', 'p-2'].map((id) =>
      createMessage('events', id, { event: 'Bad', properties: {} }, 0),
    )
    h.consumer.drop('events', messages, 'plan_violation', new Error('unknown event'))
    assert.deepEqual(h.dropped('plan_violation'), ['p-1', 'p-2'])
    assert.deepEqual(events, [{ reason: 'plan_violation', count: 2 }])
    assert.equal(h.consumer.stats().dropped.plan_violation, 2)
    assert.deepEqual(await h.consumer.close(), { sent: 0, failed: 0, dropped: 2, pending: 0 })
    assert.equal(receiver.requests.length, 0)
  })

  test('send() rejects an unknown endpoint', async () => {
    const consumer = new BatchConsumer({ apiHost: 'http://127.0.0.1:9' })
    const message = createMessage('events', 'id-1', { event: 'x', properties: {} }, 0)
    await assert.rejects(consumer.send('nope' as never, message), { code: 'EVENTWIRE_UNKNOWN_ENDPOINT' })
    await consumer.close()
  })

  test('a store passed in: messages it already holds are delivered and awaited by flush(); it is not closed', async () => {
    const receiver = await startReceiver()
    const store = new InMemoryEventStore({ bufferCapacity: 100 })
    await store.add(
      [0, 1, 2].map((i) =>
        createMessage(
          'events',
          `kept-${i}`,
          { event: 'Kept', properties: { token: 't', $insert_id: `kept-${i}` } },
          0,
        ),
      ),
    )
    const h = harness({ apiHost: receiver.origin, store, startOnInit: false })
    trackMany(h.mp, 2, 'new')
    await h.consumer.flush()
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), ['kept-0', 'kept-1', 'kept-2', 'new-0', 'new-1'])
    assert.deepEqual(await h.consumer.close(), { sent: 5, failed: 0, dropped: 0, pending: 0 })
    const after = await store.add([createMessage('events', 'after', { event: 'A', properties: {} }, 0)])
    assert.equal(after.accepted, 1, 'the store is still open')
    await store.close()
    await receiver.close()
  })
})
