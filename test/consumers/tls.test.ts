import assert from 'node:assert/strict'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { Consumer, Mixpanel, MixpanelError } from '../../src/index.js'

const fixtures = new URL('../fixtures/tls/', import.meta.url)

describe('TLS certificate verification (verifyCert)', () => {
  let origin: string
  let received = 0
  const server = createServer(
    { key: readFileSync(new URL('key.pem', fixtures)), cert: readFileSync(new URL('cert.pem', fixtures)) },
    (req, res) => {
      req.resume()
      req.on('end', () => {
        received++
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":1,"error":null}')
      })
    },
  )

  before(async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  test('a self-signed certificate is refused by default', async () => {
    const mp = new Mixpanel('tok', { consumer: new Consumer({ apiHost: origin }) })
    const error = await mp.track('u1', 'E').then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof MixpanelError)
    assert.equal(error.code, 'EVENTWIRE_NETWORK_ERROR')
    assert.match(error.message, /CERT|SELF_SIGNED|certificate/i)
    assert.equal(error.retryable, false, 'a refused certificate is not retried')
    assert.equal(received, 0)
    await mp.close()
  })

  test('verifyCert: false accepts it', async () => {
    const mp = new Mixpanel('tok', { consumer: new Consumer({ apiHost: origin, verifyCert: false }) })
    await mp.track('u1', 'E')
    assert.equal(received, 1)
    await mp.close()
  })
})
