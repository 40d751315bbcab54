import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Redis } from 'ioredis'
import { createMessage, type Message } from '../../src/message/index.js'
import { RedisEventStore } from '../../src/redis/index.js'
import { type RedisServer, startRedis } from './redis-server.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-redis-'))
let server: RedisServer

before(async () => {
  server = await startRedis()
})
after(async () => {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
})

function messages(prefix: string, count: number): Message[] {
  return Array.from({ length: count }, (_, i) =>
    createMessage(
      'events',
      `${prefix}-${i}`,
      { event: 'E', properties: { $insert_id: `${prefix}-${i}` } },
      i,
    ),
  )
}

const LEASE = { maxCount: 100, maxBytes: 1e9, leaseMs: 60_000 }

test('a lapsed lease of a dead worker is taken over after leaseTimeoutMs (XAUTOCLAIM)', async () => {
  const dead = await RedisEventStore.open({ redis: server.url, stream: 'takeover', leaseTimeoutMs: 200 })
  await dead.add(messages('t', 3))
  assert.equal((await dead.lease(LEASE))?.items.length, 3)
  const alive = await RedisEventStore.open({ redis: server.url, stream: 'takeover', leaseTimeoutMs: 200 })
  assert.equal(await alive.lease(LEASE), undefined)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const taken = (await alive.lease(LEASE))!
  assert.deepEqual(
    taken.items.map((item) => item.message.id),
    ['t-0', 't-1', 't-2'],
  )
  await alive.ack(taken, ['t-0', 't-1', 't-2'])
  assert.equal((await alive.size()).count, 0)
  await alive.close()
  await dead.close()
})

test('close() hands leases back to the other workers at once', async () => {
  const leaving = await RedisEventStore.open({ redis: server.url, stream: 'handback' })
  await leaving.add(messages('h', 2))
  await leaving.lease(LEASE)
  const staying = await RedisEventStore.open({ redis: server.url, stream: 'handback' })
  assert.equal(await staying.lease(LEASE), undefined)
  await leaving.close()
  assert.equal((await staying.lease(LEASE))?.items.length, 2)
  await staying.close()
})

test('capacity is exact across processes sharing the queue', async () => {
  const stores = await Promise.all(
    [0, 1, 2].map(() => RedisEventStore.open({ redis: server.url, stream: 'bounded', bufferCapacity: 100 })),
  )
  const results = await Promise.all(stores.map((store, s) => store.add(messages(`b${s}`, 60))))
  assert.equal(
    results.reduce((sum, r) => sum + r.accepted, 0),
    100,
  )
  assert.equal(
    results.reduce((sum, r) => sum + r.dropped.length, 0),
    80,
  )
  assert.equal((await stores[0]!.size()).count, 100)
  for (const store of stores) await store.close()
})

test('keys holding something else are reported, not overwritten', async () => {
  const raw = new Redis(server.url)
  await raw.set('{taken}:events', 'not a stream')
  const store = new RedisEventStore({ redis: raw, stream: 'taken' })
  await assert.rejects(store.lease(LEASE), { code: 'EVENTWIRE_STORE_INCOMPATIBLE' })
  await store.close()
  // A client passed in is the caller's: close() leaves it connected.
  assert.equal(await raw.get('{taken}:events'), 'not a stream')
  raw.disconnect()
})

test('rediss:// with a password: TLS connection, and errors never show the password', async () => {
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  )
  const tls = await startRedis({
    args: [
      '--tls-port',
      '0',
      '--tls-cert-file',
      cert,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      cert,
      '--tls-auth-clients',
      'no',
      '--requirepass',
      'p4ss-word',
    ],
    scheme: 'rediss',
    auth: ':p4ss-word@',
  })
  try {
    const ca = readFileSync(cert)
    const store = await RedisEventStore.open({ redis: tls.url, redisOptions: { tls: { ca } }, stream: 'tls' })
    await store.add(messages('tls', 2))
    const lease = (await store.lease(LEASE))!
    assert.deepEqual(
      lease.items.map((item) => item.message),
      messages('tls', 2),
    )
    await store.close()

    const wrong = tls.url.replace('p4ss-word', 'wrong-pass')
    await assert.rejects(
      RedisEventStore.open({
        redis: wrong,
        redisOptions: { tls: { ca }, maxRetriesPerRequest: 0 },
        stream: 'tls',
      }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EVENTWIRE_STORE_ERROR')
        assert.match(error.message, /rediss:\/\/:\[redacted\]@127\.0\.0\.1/)
        assert.doesNotMatch(error.message, /wrong-pass|p4ss-word/)
        return true
      },
    )
  } finally {
    await tls.stop()
  }
})

test('options are checked at construction', () => {
  assert.throws(() => new RedisEventStore({ redis: 'http://localhost:6379' }), { option: 'redis' })
  assert.throws(() => new RedisEventStore({ redis: 'redis://x', stream: '' }), { option: 'stream' })
  assert.throws(() => new RedisEventStore({ redis: 'redis://x', leaseTimeoutMs: 0 }), {
    option: 'leaseTimeoutMs',
  })
  assert.throws(() => new RedisEventStore({ redis: {} as never }), { option: 'redis' })
})
