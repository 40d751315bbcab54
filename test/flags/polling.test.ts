import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { isEventwireError } from '../../src/errors/index.js'
import { type LocalFlagsOptions, LocalFlagsProvider } from '../../src/flags/index.js'
import { LIB_VERSION } from '../../src/internal/index.js'
import { createFakeClock, type FakeClock } from '../../src/testing/index.js'
import {
  countEvents,
  type FlagsServer,
  flagDefinition,
  gate,
  next,
  quietLogger,
  startFlagsServer,
} from './helpers.js'

let server: FlagsServer

before(async () => {
  server = await startFlagsServer()
})
after(() => server.close())

const open: LocalFlagsProvider[] = []
after(async () => {
  for (const p of open) await p.shutdown()
})

function start(clock: FakeClock, options: Partial<LocalFlagsOptions> = {}): LocalFlagsProvider {
  const p = new LocalFlagsProvider({
    token: 'tok',
    apiHost: server.origin,
    clock,
    random: () => 0.5,
    logger: quietLogger,
    ...options,
  })
  open.push(p)
  return p
}

test('first load: query, token auth, trace header; ready() resolves; NOT_READY before', async () => {
  server.setDefinitions({ flags: [gate('first')] })
  const before = server.definitionRequests().length
  const clock = createFakeClock()
  const p = start(clock)
  assert.equal(p.areFlagsReady(), false)
  assert.equal(p.getVariant('first', 'fb', { distinct_id: 'u' }).reason, 'NOT_READY')
  const ready = next(p, 'ready')
  await p.ready()
  assert.deepEqual(await ready, { flagCount: 1 })
  assert.equal(p.areFlagsReady(), true)
  assert.equal(p.isEnabled('first', { distinct_id: 'u' }), true)
  const request = server.definitionRequests()[before]!
  assert.equal(request.method, 'GET')
  assert.equal(request.query.get('token'), 'tok')
  assert.equal(request.query.get('mp_lib'), 'eventwire')
  assert.equal(request.query.get('$lib_version'), LIB_VERSION)
  assert.equal(request.query.has('project_id'), false)
  assert.equal(request.headers.authorization, `Basic ${Buffer.from('tok:').toString('base64')}`)
  assert.match(String(request.headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
  assert.equal(request.headers['if-none-match'], undefined)
})

test('service account: Basic username:secret and project_id, token still sent', async () => {
  server.setDefinitions({ flags: [gate('sa')] })
  const before = server.definitionRequests().length
  const p = start(createFakeClock(), {
    serviceAccount: { username: 'bot', secret: 's3cret', projectId: 1234 },
  })
  await p.ready()
  const request = server.definitionRequests()[before]!
  assert.equal(request.headers.authorization, `Basic ${Buffer.from('bot:s3cret').toString('base64')}`)
  assert.equal(request.query.get('project_id'), '1234')
  assert.equal(request.query.get('token'), 'tok')
})

test('ETag: 304 keeps the definitions; a change fires configurationChanged once with the changed keys', async () => {
  server.setDefinitions({ flags: [gate('a'), gate('b'), gate('c')] })
  const clock = createFakeClock()
  const p = start(clock)
  const events = countEvents(p)
  await p.ready()
  const before = server.definitionRequests().length

  let load = next(p, 'load')
  await clock.advance(60_000)
  assert.deepEqual(await load, { notModified: true, flagCount: 3, flagsChanged: [] })
  const conditional = server.definitionRequests()[before]!
  assert.match(String(conditional.headers['if-none-match']), /^".+"$/)
  assert.equal(p.isEnabled('a', { distinct_id: 'u' }), true)

  server.setDefinitions({ flags: [gate('a'), gate('b', 'changed'), gate('d')] })
  load = next(p, 'load')
  await clock.advance(60_000)
  await load
  assert.deepEqual(events.configurationChanged, [{ flagsChanged: ['b', 'd', 'c'] }])
  assert.equal(p.getVariantValue('b', null, { distinct_id: 'u' }), 'changed')
  assert.equal(p.getVariant('c', null, { distinct_id: 'u' }).reason, 'FLAG_NOT_FOUND')

  // The same content again (here a full 200 without If-None-Match match): no new change event.
  server.failNext({ status: 200, body: { flags: [gate('a'), gate('b', 'changed'), gate('d')] } })
  load = next(p, 'load')
  await clock.advance(60_000)
  assert.deepEqual((await load).flagsChanged, [])
  assert.equal(events.configurationChanged.length, 1)
  assert.equal(events.ready.length, 1)
  assert.equal(events.error.length, 0)
})

test('a failed load keeps the previous definitions and retries with jittered backoff', async () => {
  server.setDefinitions({ flags: [gate('keep')] })
  const clock = createFakeClock()
  const p = start(clock)
  await p.ready()
  const before = server.definitionRequests().length
  server.failNext({ status: 503, body: 'unavailable' }, { status: 200, body: '{"flags": oops' })
  let error = next(p, 'error')
  await clock.advance(60_000)
  const first = await error
  assert.equal(first.consecutiveFailures, 1)
  assert.match(first.error.message, /^HTTP 503: unavailable$/)
  assert.equal(p.isEnabled('keep', { distinct_id: 'u' }), true)

  // random() = 0.5, retryBackoffFactor 1 s: the first retry waits 500 ms.
  error = next(p, 'error')
  await clock.advance(499)
  assert.equal(server.definitionRequests().length, before + 1)
  await clock.advance(1)
  const second = await error
  assert.equal(second.consecutiveFailures, 2)
  assert.ok(isEventwireError(second.error))
  assert.equal((second.error as { code?: string }).code, 'EVENTWIRE_FLAGS_INVALID_DEFINITIONS')
  assert.equal(p.isEnabled('keep', { distinct_id: 'u' }), true)
  assert.equal(server.definitionRequests().length, before + 2)
})

test('429 Retry-After is honoured', async () => {
  server.setDefinitions({ flags: [gate('limited')] })
  const clock = createFakeClock()
  const p = start(clock)
  await p.ready()
  const before = server.definitionRequests().length
  server.failNext({ status: 429, body: 'slow down', headers: { 'retry-after': '30' } })
  const error = next(p, 'error')
  await clock.advance(60_000)
  await error
  await clock.advance(29_999)
  assert.equal(server.definitionRequests().length, before + 1)
  const load = next(p, 'load')
  await clock.advance(1)
  await load
  assert.equal(server.definitionRequests().length, before + 2)
})

test('stale fires once per stale period; recovery fires ready again', async () => {
  server.setDefinitions({ flags: [gate('s')] })
  const clock = createFakeClock()
  const p = start(clock, { staleAfterMs: 120_000, maxRetryDelayMs: 10_000 })
  const events = countEvents(p)
  await p.ready()
  server.failAlways({ status: 500, body: 'down' })
  const stale = next(p, 'stale')
  for (let i = 0; i < 40 && events.stale.length === 0; i++) {
    const error = next(p, 'error')
    await clock.advance(i === 0 ? 60_000 : 10_000)
    await error
  }
  const payload = await stale
  assert.equal(payload.error?.message, 'HTTP 500: down')
  // Keep failing well past the threshold: no second stale event.
  for (let i = 0; i < 10; i++) {
    const error = next(p, 'error')
    await clock.advance(10_000)
    await error
  }
  assert.equal(events.stale.length, 1)
  assert.equal(p.isEnabled('s', { distinct_id: 'u' }), true)

  server.failAlways(undefined)
  const ready = next(p, 'ready')
  await clock.advance(10_000)
  await ready
  assert.equal(events.ready.length, 2)

  // A second stale period fires a second event.
  server.failAlways({ status: 500, body: 'down again' })
  const stale2 = next(p, 'stale')
  for (let i = 0; i < 40 && events.stale.length === 1; i++) {
    const error = next(p, 'error')
    await clock.advance(i === 0 ? 60_000 : 10_000)
    await error
  }
  await stale2
  assert.equal(events.stale.length, 2)
  server.failAlways(undefined)
})

test('ready() rejects when the first load is refused, and resolves after a later success', async () => {
  server.setDefinitions({ flags: [gate('late')] })
  server.failNext({ status: 401, body: 'bad token' })
  const clock = createFakeClock()
  const p = start(clock)
  await assert.rejects(p.ready(), (error: Error & { code?: string; cause?: Error }) => {
    assert.equal(error.code, 'EVENTWIRE_FLAGS_UNAVAILABLE')
    assert.match(error.message, /HTTP 401: bad token/)
    assert.doesNotMatch(error.message, /tok\b|127\.0\.0\.1/)
    return true
  })
  assert.equal(p.areFlagsReady(), false)
  const ready = next(p, 'ready')
  await clock.advance(60_000)
  await ready
  await p.ready()
  assert.equal(p.isEnabled('late', { distinct_id: 'u' }), true)
})

test('ready() rejects after readyTimeoutMs while loads keep failing; shutdown stops requests', async () => {
  server.failAlways({ status: 503, body: 'no' })
  const clock = createFakeClock()
  const p = start(clock, { readyTimeoutMs: 2_000, maxRetryDelayMs: 100 })
  const rejected = assert.rejects(p.ready(), (error: Error & { code?: string; cause?: Error }) => {
    assert.equal(error.code, 'EVENTWIRE_FLAGS_UNAVAILABLE')
    assert.match(error.message, /readyTimeoutMs \(2000 ms\)/)
    assert.equal(error.cause?.message, 'HTTP 503: no')
    return true
  })
  await next(p, 'error')
  for (let i = 0; i < 25; i++) await clock.advance(100)
  await rejected
  await p.shutdown()
  const count = server.definitionRequests().length
  await clock.advance(120_000)
  assert.equal(server.definitionRequests().length, count)
  assert.equal(clock.pendingTimers(), 0)
  server.failAlways(undefined)
})

test('shutdown before the first load rejects ready()', async () => {
  server.failAlways({ action: 'hang' })
  const p = start(createFakeClock())
  const rejected = assert.rejects(p.ready(), /shut down/)
  await p.shutdown()
  await rejected
  await p.shutdown()
  server.failAlways(undefined)
})

test('one malformed flag is skipped; the others load', async () => {
  server.setDefinitions({
    flags: [gate('good'), { key: 'bad', ruleset: {} } as never, flagDefinition('exp')],
  })
  const warnings: string[] = []
  const p = start(createFakeClock(), { logger: { ...quietLogger, warn: (_f, m) => void warnings.push(m) } })
  await p.ready()
  assert.deepEqual(p.flagKeys(), ['good', 'exp'])
  assert.equal(warnings.length, 1)
})
