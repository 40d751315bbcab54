import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { BatchConsumer } from '../consumers/index.js'
import type { EventwireError } from '../errors/index.js'
import type { HttpRequest } from '../transport/index.js'
import { createFakeClock } from './fake-clock.js'
import { createMemoryTransport } from './memory-transport.js'

const track = (records: object[], headers: Record<string, string> = {}): HttpRequest => {
  const body = JSON.stringify(records)
  return {
    url: 'https://api.example.com/track?ip=0&verbose=1',
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    bodyBytes: body.length,
  }
}

const event = (id: string) => ({ event: 'E', properties: { $insert_id: id } })

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('createMemoryTransport', () => {
  test('records and decodes requests, answers as Mixpanel does by default', async () => {
    const transport = createMemoryTransport()
    const response = await transport.send(track([event('a'), event('b')]))
    assert.equal(response.status, 200)
    assert.deepEqual(JSON.parse(response.body), { status: 1, error: null })
    assert.equal(transport.requests.length, 1)
    assert.equal(transport.requests[0]!.path, '/track')
    assert.equal(transport.requests[0]!.query.get('verbose'), '1')
    assert.equal(transport.requests[0]!.headers['content-type'], 'application/json')
    assert.deepEqual([...transport.uniqueInsertIds()].sort(), ['a', 'b'])
    assert.equal(transport.delivered('/track').length, 2)
    const gzipped = gzipSync(JSON.stringify([event('c')]))
    await transport.send({ ...track([]), headers: { 'content-encoding': 'gzip' }, body: gzipped })
    assert.ok(transport.uniqueInsertIds().has('c'))
    transport.reset()
    assert.equal(transport.requests.length, 0)
    assert.equal(transport.uniqueInsertIds().size, 0)
  })

  test('scripted answers: status, body and headers; errors do not count as delivered', async () => {
    const transport = createMemoryTransport({
      handler: (_req, index) =>
        index === 0 ? { status: 429, headers: { 'Retry-After': '3' }, body: 'slow down' } : undefined,
    })
    const refused = await transport.send(track([event('a')]))
    assert.equal(refused.status, 429)
    assert.equal(refused.headers['retry-after'], '3')
    assert.equal(refused.body, 'slow down')
    assert.equal(transport.delivered().length, 0)
    assert.equal((await transport.send(track([event('a')]))).status, 200)
    assert.equal(transport.delivered().length, 1)
    transport.handle(() => {
      throw new Error('handler broke')
    })
    assert.equal((await transport.send(track([event('b')]))).status, 500)
  })

  test('reset fails the request with a retryable network error', async () => {
    const transport = createMemoryTransport({ handler: () => ({ action: 'reset' }) })
    await assert.rejects(transport.send(track([event('a')])), (error: EventwireError) => {
      assert.equal(error.code, 'EVENTWIRE_NETWORK_ERROR')
      assert.equal(error.retryable, true)
      assert.match(error.message, /ECONNRESET/)
      return true
    })
  })

  test('delayMs and hang run on the given clock; the deadline times a request out', async () => {
    const clock = createFakeClock()
    const transport = createMemoryTransport({
      clock,
      requestTimeoutMs: 1000,
      handler: (_req, index) => (index === 0 ? { status: 200, delayMs: 500 } : { action: 'hang' }),
    })
    let answered = false
    const delayed = transport.send(track([event('a')])).then((r) => {
      answered = true
      return r
    })
    await settle()
    await clock.advance(499)
    await settle()
    assert.equal(answered, false)
    assert.equal(transport.pending, 1)
    await clock.advance(1)
    assert.equal((await delayed).status, 200)
    const hung = transport.send(track([event('b')])).catch((error: unknown) => error)
    await settle()
    await clock.advance(999)
    await settle()
    assert.equal(transport.pending, 1)
    await clock.advance(1)
    assert.deepEqual(
      await hung.then((e) => ({
        code: (e as EventwireError).code,
        retryable: (e as EventwireError).retryable,
      })),
      { code: 'EVENTWIRE_TIMEOUT', retryable: true },
    )
    assert.equal(transport.pending, 0)
  })

  test('an aborted signal and close() end requests in flight', async () => {
    const transport = createMemoryTransport({ handler: () => ({ action: 'hang' }) })
    const controller = new AbortController()
    const aborted = transport.send(track([event('a')]), controller.signal)
    await settle()
    controller.abort(new Error('stop'))
    await assert.rejects(aborted, { code: 'EVENTWIRE_ABORTED' })
    const open = transport.send(track([event('b')]))
    await settle()
    await transport.close()
    await assert.rejects(open, { code: 'EVENTWIRE_NETWORK_ERROR', retryable: true })
    await assert.rejects(transport.send(track([event('c')])), { code: 'EVENTWIRE_NETWORK_ERROR' })
  })

  test('a consumer sends through it; options that configure the HTTP transport are refused beside it', async () => {
    const transport = createMemoryTransport()
    const consumer = new BatchConsumer({ transport, flushIntervalMs: 0 })
    await consumer.send('events', [])
    assert.throws(() => new BatchConsumer({ transport, requestTimeoutMs: 5 }), {
      code: 'EVENTWIRE_INVALID_OPTION',
      option: 'requestTimeoutMs',
    })
    assert.throws(() => new BatchConsumer({ transport: {} as never }), { option: 'transport' })
    assert.throws(() => createMemoryTransport({ handler: 1 as never }), { option: 'handler' })
    assert.throws(() => createMemoryTransport({ port: 1 } as never), { code: 'EVENTWIRE_INVALID_OPTION' })
    await consumer.close()
    // A transport you pass is not closed by close(): it still answers.
    assert.equal((await transport.send(track([event('z')]))).status, 200)
  })
})
