/**
 * Loud by default: with no logger and no callbacks, every way eventwire loses, refuses or cannot
 * deliver data is reported on stderr, in a line that names eventwire, what happened, the count
 * and the reason; `logger: false` silences it. Real child processes against loopback receivers.
 */
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import type { Logger } from '../../src/internal/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'
import { runFixture } from './helpers.js'

afterEach(cleanup)

const refuse400 = () =>
  startReceiver(() => ({ status: 400, body: { error: 'bad request from the test', status: 0 } }))

/** Each scenario: its receiver, and the lines stderr must hold without a logger. */
const SCENARIOS: ReadonlyArray<{
  name: string
  receiver: () => ReturnType<typeof startReceiver>
  expect: readonly RegExp[]
}> = [
  {
    name: 'refused-batch',
    receiver: refuse400,
    expect: [
      /^eventwire: messages dropped \(rejected\) \(destination=mixpanel, reason=rejected, count=10, err=EVENTWIRE_HTTP_ERROR: Mixpanel \/track answered 400: bad request from the test\)$/,
    ],
  },
  {
    name: 'refused-default-client',
    receiver: refuse400,
    expect: [/^eventwire: messages dropped \(rejected\) .*reason=rejected, count=3, .*answered 400/],
  },
  {
    name: 'retries-exhausted',
    receiver: () => startReceiver(() => ({ status: 503, body: 'down' })),
    expect: [/^eventwire: messages dropped \(retries_exhausted\) .*count=1/],
  },
  {
    name: 'plan-violation-sent',
    receiver: () => startReceiver(),
    expect: [
      /^eventwire: tracking plan violation \(event=Not in the plan, action=send, codes=unplanned_event\)$/,
    ],
  },
  {
    name: 'email-distinct-id',
    receiver: () => startReceiver(),
    expect: [/^eventwire: track: the distinct id looks like an e-mail address/],
  },
  {
    name: 'refused-call',
    receiver: () => startReceiver(),
    expect: [
      /^eventwire: a call was refused \(code=EVENTWIRE_LIMIT_EXCEEDED, err=EVENTWIRE_LIMIT_EXCEEDED: event name is 300 characters long, more than Mixpanel's limit of 255 \(at event\)\)$/,
    ],
  },
  {
    name: 'left-at-exit',
    receiver: () => startReceiver(() => ({ action: 'hang' })),
    expect: [/^eventwire: .*4 message\(s\)/],
  },
  {
    name: 'queue-full',
    receiver: () => startReceiver(),
    expect: [/^eventwire: the shared store is full \(count=1, reason=queue_full\)/],
  },
  {
    name: 'snowplow-refused',
    receiver: refuse400,
    expect: [/^eventwire: messages dropped \(rejected\) \(destination=snowplow, reason=rejected, count=5/],
  },
  {
    name: 'flags-unavailable',
    receiver: () => startReceiver(() => ({ status: 401, body: { error: 'no' } })),
    expect: [/^eventwire: .*flag definitions.*HTTP 401/i],
  },
]

describe('with no logger, losses and refusals are reported on stderr; logger: false silences them', () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const receiver = await scenario.receiver()
      const loud = await runFixture('loud.ts', [scenario.name, 'default', receiver.origin])
      assert.equal(loud.code, 0, loud.stderr)
      const lines = loud.stderr.split('\n').filter((line) => line !== '')
      for (const expected of scenario.expect) {
        assert.ok(
          lines.some((line) => expected.test(line)),
          `no line matches ${expected}:\n${loud.stderr}`,
        )
      }
      const silent = await runFixture('loud.ts', [scenario.name, 'false', receiver.origin])
      assert.equal(silent.code, 0, silent.stderr)
      assert.equal(silent.stderr, '')
    })
  }

  test('a 400-refusing receiver: exactly one warning line for the batch, naming eventwire, the count and the reason', async () => {
    const receiver = await refuse400()
    const run = await runFixture('loud.ts', ['refused-batch', 'default', receiver.origin])
    const lines = run.stderr.split('\n').filter((line) => line !== '')
    assert.equal(lines.length, 1, run.stderr)
    assert.match(lines[0]!, /^eventwire: .*count=10.*reason=rejected|^eventwire: .*reason=rejected, count=10/)
  })
})

test('a logger given to Mixpanel reaches the consumer and the flags providers it creates', async () => {
  const receiver = await startReceiver((request) =>
    request.path.startsWith('/flags')
      ? { status: 401, body: { error: 'unknown token' } }
      : { status: 400, body: { error: 'refused by the test', status: 0 } },
  )
  const lines: string[] = []
  const record = (level: string) => (_fields: Record<string, unknown>, message: string) =>
    void lines.push(`${level} ${message}`)
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  }
  const mp = new Mixpanel('tok', {
    apiHost: receiver.origin,
    logger,
    localFlags: { readyTimeoutMs: 0 },
    remoteFlags: { retryLimit: 0 },
  })
  await mp.track('someone@example.com', 'Refused').catch(() => {})
  await mp.localFlags.ready().catch(() => {})
  await mp.remoteFlags.getVariant('flag', 'fallback', { distinct_id: 'u' })
  await mp.close()
  // The default Consumer's drop, the client's own warning, the local provider's failed load.
  assert.ok(
    lines.some((line) => /^warn eventwire: messages dropped \(rejected\)/.test(line)),
    lines.join('\n'),
  )
  assert.ok(
    lines.some((line) => /e-mail address/.test(line)),
    lines.join('\n'),
  )
  assert.ok(
    lines.some((line) => /flag definitions/.test(line)),
    lines.join('\n'),
  )
})
