import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Agent } from 'undici'
import { isEventwireError } from '../../src/errors/index.js'
import { HttpTransport, type TransportOptions } from '../../src/transport/index.js'

let server: Server
let origin: string

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/never') return
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] })
        res.end(
          JSON.stringify({
            encoding: req.headers['content-encoding'] ?? null,
            got: gunzipSync(Buffer.concat(chunks)).toString('utf8'),
          }),
        )
        return
      }
      if (req.url === '/moved') {
        res.writeHead(307, { location: '/elsewhere' }).end()
        return
      }
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

// Every behaviour holds for both engines: undici (Node.js, Deno) and fetch (Bun, or a fetch given).
const ENGINES = {
  undici: (options: TransportOptions = {}) => new HttpTransport(options),
  fetch: (options: TransportOptions = {}) => new HttpTransport({ ...options, fetch: globalThis.fetch }),
}

for (const [engine, make] of Object.entries(ENGINES)) {
  describe(`HttpTransport (${engine})`, () => {
    test('sends through the engine it was built for', () => {
      assert.equal(make().engine, engine)
    })

    test('a gzip body is sent as prepared, with its content-encoding; set-cookie comes back as a list', async () => {
      const transport = make()
      const json = JSON.stringify([{ event: 'E', properties: { n: 'x'.repeat(5000) } }])
      const res = await transport.send({
        url: `${origin}/gzip`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(json),
        bodyBytes: json.length,
      })
      assert.equal(res.status, 200)
      assert.deepEqual(JSON.parse(res.body), { encoding: 'gzip', got: json })
      assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2'])
      await transport.close()
    })

    test('a redirect is returned, not followed', async () => {
      const transport = make()
      const res = await transport.send(post('/moved'))
      assert.equal(res.status, 307)
      assert.equal(res.headers.location, '/elsewhere')
      await transport.close()
    })

    test('close() ends the requests in flight with a retryable EVENTWIRE_NETWORK_ERROR', async () => {
      const transport = make({ requestTimeoutMs: 30_000 })
      const pending = transport.send(post('/never')).catch((e: unknown) => e)
      await new Promise((resolve) => setTimeout(resolve, 100))
      const started = Date.now()
      await transport.close()
      const error = await pending
      assert.ok(isEventwireError(error), String(error))
      assert.equal(error.code, 'EVENTWIRE_NETWORK_ERROR')
      assert.equal(error.retryable, true)
      assert.ok(Date.now() - started < 5_000)
    })

    test('after close(), requests fail with a retryable EVENTWIRE_NETWORK_ERROR, sent before or not', async () => {
      for (const sendFirst of [true, false]) {
        const transport = make()
        if (sendFirst) assert.equal((await transport.send(post('/first'))).status, 207)
        await transport.close()
        const error = await transport.send(post('/late')).catch((e: unknown) => e)
        assert.ok(isEventwireError(error), String(error))
        assert.equal(error.code, 'EVENTWIRE_NETWORK_ERROR')
        assert.equal(error.retryable, true)
      }
    })

    test('returns any status with its headers and the whole body, query included in the path', async () => {
      const transport = make()
      const res = await transport.send(post('/track?ip=0&verbose=1', '[{"é":"☃"}]'))
      assert.equal(res.status, 207)
      assert.equal(res.headers['x-echo'], '/track?ip=0&verbose=1')
      assert.deepEqual(JSON.parse(res.body), { got: '[{"é":"☃"}]', method: 'POST' })
      await transport.close()
    })

    test('a response body over 1 MB is read to its end but not kept', async () => {
      const transport = make()
      const res = await transport.send(post('/big'))
      assert.equal(res.status, 500)
      assert.ok(res.body.length <= 1024 * 1024, `${res.body.length} characters kept`)
      await transport.close()
    })

    test('no response by the deadline rejects with a retryable EVENTWIRE_TIMEOUT', async () => {
      const transport = make({ requestTimeoutMs: 200 })
      const started = Date.now()
      const error = await transport.send(post('/never')).catch((e: unknown) => e)
      assert.ok(isEventwireError(error))
      assert.equal(error.code, 'EVENTWIRE_TIMEOUT')
      assert.equal(error.retryable, true)
      assert.ok(Date.now() - started < 5_000)
      await transport.close()
    })

    test("the caller's signal aborts every request given it, through one listener", async () => {
      const transport = make({ requestTimeoutMs: 30_000 })
      // The first request opens the pool (undici loads then); after it, requests start at once.
      await transport.send(post('/track'))
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
      const transport = make()
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
}

test('a dispatcher and a fetch together are refused, and so is a dispatcher that cannot dispatch', () => {
  assert.throws(() => new HttpTransport({ dispatcher: new Agent(), fetch: globalThis.fetch }), {
    code: 'EVENTWIRE_INVALID_OPTION',
    option: 'fetch',
  })
  assert.throws(() => new HttpTransport({ fetch: 'fetch' as never }), { option: 'fetch' })
  assert.throws(() => new HttpTransport({ dispatcher: {} as never }), {
    option: 'dispatcher',
    message: /expected an undici Dispatcher/,
  })
})

test('Node.js sends through undici by default, and through a dispatcher given', async () => {
  const agent = new Agent()
  const transport = new HttpTransport({ dispatcher: agent })
  assert.equal(new HttpTransport().engine, 'undici')
  assert.equal(transport.engine, 'undici')
  assert.equal((await transport.send(post('/x'))).status, 207)
  await transport.close()
  // Not closed by the transport: it did not create it.
  assert.equal((await transport.send(post('/y'))).status, 207)
  await agent.close()
})
