import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { isEventwireError } from '../../src/errors/index.js'
import { HttpTransport } from '../../src/transport/index.js'

let server: Server
let origin: string

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/never') return
      if (req.url === '/big') {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('z'.repeat(3 * 1024 * 1024))
        return
      }
      res.writeHead(207, { 'content-type': 'application/json', 'x-echo': req.url ?? '' })
      res.end(JSON.stringify({ got: Buffer.concat(chunks).toString('utf8'), method: req.method }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const post = (path: string, body = '[1]') =>
  ({
    url: `${origin}${path}`,
    method: 'POST',
    headers: {},
    body,
    bodyBytes: Buffer.byteLength(body),
  }) as const

describe('HttpTransport', () => {
  test('returns any status with its headers and the whole body, query included in the path', async () => {
    const transport = new HttpTransport()
    const res = await transport.send(post('/track?ip=0&verbose=1', '[{"é":"☃"}]'))
    assert.equal(res.status, 207)
    assert.equal(res.headers['x-echo'], '/track?ip=0&verbose=1')
    assert.deepEqual(JSON.parse(res.body), { got: '[{"é":"☃"}]', method: 'POST' })
    await transport.close()
  })

  test('a response body over 1 MB is read to its end but not kept', async () => {
    const transport = new HttpTransport()
    const res = await transport.send(post('/big'))
    assert.equal(res.status, 500)
    assert.ok(res.body.length <= 1024 * 1024, `${res.body.length} characters kept`)
    await transport.close()
  })

  test('no response by the deadline rejects with a retryable EVENTWIRE_TIMEOUT', async () => {
    const transport = new HttpTransport({ requestTimeoutMs: 200 })
    const started = Date.now()
    const error = await transport.send(post('/never')).catch((e: unknown) => e)
    assert.ok(isEventwireError(error))
    assert.equal(error.code, 'EVENTWIRE_TIMEOUT')
    assert.equal(error.retryable, true)
    assert.ok(Date.now() - started < 5_000)
    await transport.close()
  })

  test("the caller's signal aborts every request given it, through one listener", async () => {
    const transport = new HttpTransport({ requestTimeoutMs: 30_000 })
    const controller = new AbortController()
    const pending = Array.from({ length: 20 }, () =>
      transport.send(post('/never'), controller.signal).catch((e: unknown) => e),
    )
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
    controller.abort(new Error('deadline'))
    const errors = await Promise.all(pending)
    for (const error of errors) {
      assert.ok(isEventwireError(error))
      assert.equal(error.code, 'EVENTWIRE_ABORTED')
    }
    // Already aborted: refused at once.
    const late = await transport.send(post('/track'), controller.signal).catch((e: unknown) => e)
    assert.ok(isEventwireError(late) && late.code === 'EVENTWIRE_ABORTED')
    await transport.close()
  })

  test('connection refused and a bad URL reject with EVENTWIRE_NETWORK_ERROR', async () => {
    const transport = new HttpTransport()
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    for (const url of [`http://127.0.0.1:${port}/track`, 'not a url']) {
      const error = await transport
        .send({ url, method: 'POST', headers: {}, body: '[]', bodyBytes: 2 })
        .catch((e: unknown) => e)
      assert.ok(isEventwireError(error), String(error))
      assert.equal(error.code, 'EVENTWIRE_NETWORK_ERROR')
    }
    await transport.close()
  })
})
