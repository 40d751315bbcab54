import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { LexiconError, loadPlan, pullPlan, pushPlan } from '../../src/plan/index.js'
import { createFakeClock } from '../../src/testing/index.js'
import { type LexiconServer, startLexiconServer } from './lexicon-server.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const account = { username: 'plan-bot.1a2b3c.mp-service-account', secret: 's3cr3t-Pa55word' }
let server: LexiconServer

function meta(name: string): Record<string, unknown> {
  const stored = server.schemas.get(`event\u0000${name}`)
  assert.ok(stored, `no schema stored for ${name}`)
  return (stored.schemaJson.metadata as Record<string, Record<string, unknown>>)['com.mixpanel']!
}

describe('against a loopback Lexicon Schemas API', () => {
  before(async () => {
    server = await startLexiconServer({ projectId: 4242, ...account })
  })
  after(() => server.close())
  afterEach(() => {
    server.schemas.clear()
    server.requests.length = 0
    server.script(undefined)
  })

  test('push sends every event, alias and the user profile in one authenticated request', async () => {
    const result = await pushPlan(SAMPLE, {
      projectId: 4242,
      serviceAccount: account,
      apiHost: server.origin,
    })
    assert.equal(result.requests, 1)
    assert.equal(result.added, 8)
    assert.deepEqual(result.skipped, [
      'group "company_id": the Lexicon Schemas API has no group profile schemas',
    ])
    const [request] = server.requests
    assert.equal(request!.method, 'POST')
    assert.equal(request!.path, '/api/app/projects/4242/schemas')
    assert.equal(
      request!.authorization,
      `Basic ${Buffer.from(`${account.username}:${account.secret}`).toString('base64')}`,
    )
    assert.equal((request!.body as { truncate?: boolean }).truncate, undefined)
    assert.deepEqual(
      [...server.schemas.values()].map((s) => `${s.entityType}:${s.name}`),
      [
        'event:User signs up',
        'event:Signed Up',
        'event:signup_completed',
        'event:Order completed',
        'event:Subscription changed',
        'event:Page viewed',
        'event:Purchase',
        'profile:$user',
      ],
    )
    const signup = server.schemas.get('event\u0000User signs up')!.schemaJson
    assert.deepEqual(signup.required, ['platform', 'signup_method', 'plan', 'marketing_opt_in'])
    assert.equal(signup.additionalProperties, false)
    assert.deepEqual((signup.properties as Record<string, unknown>).plan, {
      type: 'string',
      description: 'One of: "free", "pro", "team".',
      examples: ['free', 'pro', 'team'],
    })
    assert.deepEqual(meta('User signs up'), {
      hidden: false,
      dropped: false,
      tags: ['onboarding', 'kpi'],
      contacts: ['growth@acme.example'],
    })
    assert.deepEqual(meta('Order completed').teamContacts, ['Checkout team'])
    assert.equal(meta('Purchase').hidden, true)
    assert.equal(meta('Purchase').dropped, false)
    assert.equal(meta('Signed Up').hidden, true)
    assert.match(
      String(server.schemas.get('event\u0000Purchase')!.schemaJson.description),
      /send "Order completed"/,
    )
  })

  test('--drop-deprecated marks deprecated events and aliases dropped', async () => {
    await pushPlan(SAMPLE, {
      projectId: '4242',
      serviceAccount: account,
      apiHost: server.origin,
      dropDeprecated: true,
    })
    assert.equal(meta('Purchase').dropped, true)
    assert.equal(meta('signup_completed').dropped, true)
    assert.equal(meta('User signs up').dropped, false)
  })

  test('pull writes back a plan that loads, with deprecated and profile data', async () => {
    await pushPlan(SAMPLE, { projectId: 4242, serviceAccount: account, apiHost: server.origin })
    const result = await pullPlan({
      projectId: 4242,
      serviceAccount: account,
      apiHost: server.origin,
      version: '9.0.0',
    })
    assert.equal(server.requests.at(-1)!.method, 'GET')
    assert.deepEqual(result.lint.errors, [])
    const plan = loadPlan(result.document)
    assert.equal(plan.version, '9.0.0')
    const doc = plan.document
    assert.deepEqual(Object.keys(doc.events), [
      'userSignsUp',
      'signedUp',
      'signupCompleted',
      'orderCompleted',
      'subscriptionChanged',
      'pageViewed',
      'purchase',
    ])
    assert.equal(doc.events.purchase!.deprecated, true)
    assert.equal(doc.events.signedUp!.deprecated, true)
    assert.equal(doc.events.userSignsUp!.owner, 'growth@acme.example')
    assert.deepEqual(doc.events.userSignsUp!.required, [
      'platform',
      'signup_method',
      'plan',
      'marketing_opt_in',
    ])
    assert.deepEqual(doc.events.orderCompleted!.properties!.completed_at, {
      type: 'string',
      format: 'date-time',
    })
    assert.deepEqual(doc.events.orderCompleted!.properties!.coupon, { type: 'string' })
    assert.equal(doc.events.pageViewed!.additionalProperties, true)
    assert.deepEqual(doc.people!.properties.$email, { type: 'string', format: 'email' })
  })

  test('stays within 5 requests a minute, waiting on the injected clock', async () => {
    const clock = createFakeClock({ autoAdvanceSleeps: true })
    const limited = await startLexiconServer({ projectId: 7, ...account, now: clock.now })
    try {
      const result = await pushPlan(SAMPLE, {
        projectId: 7,
        serviceAccount: account,
        apiHost: limited.origin,
        clock,
        updatesPerMinute: 10,
      })
      // 8 entries costing 1 + their property count (8, 8, 8, 14, 10, 5, 4, 9) in chunks of at
      // most 10 updates a minute: 7 requests, each but the first waiting for the window.
      assert.equal(result.requests, 7)
      assert.equal(limited.requests.length, 7)
      assert.equal(limited.rateLimited, 0)
      assert.equal(limited.schemas.size, 8)
      assert.ok(clock.sleeps.length > 0)
      assert.equal(
        result.waitedMs,
        clock.sleeps.reduce((a, b) => a + b, 0),
      )
      const first = limited.requests[0]!.at
      assert.deepEqual(
        limited.requests.map((r) => r.at - first),
        [0, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000],
      )
    } finally {
      await limited.close()
    }
  })

  test('429 is retried after Retry-After; 5xx with backoff', async () => {
    const clock = createFakeClock({ autoAdvanceSleeps: true })
    server.script((_req, i) =>
      i === 0
        ? { status: 429, body: { error: 'slow down', status: 'error' }, headers: { 'retry-after': '7' } }
        : i === 1
          ? { status: 503, body: { error: 'busy', status: 'error' } }
          : undefined,
    )
    const result = await pushPlan(SAMPLE, {
      projectId: 4242,
      serviceAccount: account,
      apiHost: server.origin,
      clock,
      random: () => 0.5,
    })
    assert.equal(result.requests, 3)
    assert.equal(clock.sleeps[0], 7000)
    assert.equal(clock.sleeps[1], 250)
    assert.equal(server.schemas.size, 8)
  })

  test('refusals become LexiconErrors without the secret', async () => {
    const wrong = { username: account.username, secret: 'not-the-secret-xyz' }
    await assert.rejects(
      pushPlan(SAMPLE, { projectId: 4242, serviceAccount: wrong, apiHost: server.origin }),
      (error) => {
        assert.ok(error instanceof LexiconError)
        assert.equal(error.code, 'EVENTWIRE_LEXICON_ERROR')
        assert.equal(error.status, 401)
        assert.match(error.message, /POST \/schemas failed with HTTP 401 .*admin or owner role/)
        assert.doesNotMatch(`${error.message}${error.stack}`, /not-the-secret-xyz/)
        return true
      },
    )
    server.script(() => ({
      status: 400,
      body: { error: 'entries[0].schemaJson is invalid', status: 'error' },
    }))
    await assert.rejects(
      pushPlan(SAMPLE, { projectId: 4242, serviceAccount: account, apiHost: server.origin }),
      /HTTP 400: entries\[0\]\.schemaJson is invalid/,
    )
    server.script(() => ({ status: 200, body: { error: 'quota exceeded', status: 'error' } }))
    await assert.rejects(
      pushPlan(SAMPLE, { projectId: 4242, serviceAccount: account, apiHost: server.origin }),
      (e) => e instanceof LexiconError && /POST \/schemas: the answer reports status "error"/.test(e.message),
    )
    server.script(undefined)
    await assert.rejects(
      pullPlan({ projectId: 1, serviceAccount: account, apiHost: server.origin }),
      (e) => e instanceof LexiconError && e.status === 404,
    )
  })

  test('bad options fail before any request', async () => {
    const before = server.requests.length
    await assert.rejects(pushPlan(SAMPLE, { projectId: 'abc', serviceAccount: account }), /projectId/)
    await assert.rejects(pushPlan(SAMPLE, { projectId: 1 }), /serviceAccount/)
    await assert.rejects(
      pushPlan(SAMPLE, { projectId: 1, serviceAccount: account, region: 'mars' as never }),
      /region/,
    )
    assert.equal(server.requests.length, before)
    const dry = await pushPlan(SAMPLE, { dryRun: true })
    assert.equal(dry.entries.length, 8)
    assert.equal(dry.requests, 0)
  })
})
