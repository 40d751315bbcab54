import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BufferedConsumer, type EventConsumer, Mixpanel } from '../../src/index.js'
import type { PlanDocument, PlanViolation } from '../../src/plan/index.js'
import { createTestConsumer } from '../../src/testing/index.js'

const PLAN = new URL('../../examples/plan/tracking-plan.json', import.meta.url).pathname
const VALID = { platform: 'server', signup_method: 'email', plan: 'pro', marketing_opt_in: true }

describe('the client enforces a tracking plan', () => {
  test("'fix' repairs a string boolean, the name's case and an alias before sending", async () => {
    const consumer = createTestConsumer()
    const violations: PlanViolation[] = []
    const mp = new Mixpanel('tok', {
      consumer,
      plan: PLAN,
      planPolicy: 'fix',
      onViolation: (v) => violations.push(v),
    })
    await mp.track('u1', 'User signs up', { ...VALID, marketing_opt_in: 'true' } as never)
    await mp.track('u1', 'User Signs Up', VALID as never)
    await mp.track('u1', 'Signed Up', VALID as never)
    const sent = consumer.for('events')
    assert.deepEqual(
      sent.map((m) => m.event),
      ['User signs up', 'User signs up', 'User signs up'],
    )
    assert.equal((sent[0]!.properties as Record<string, unknown>).marketing_opt_in, true)
    assert.deepEqual(
      violations.map((v) => [v.name, v.action, v.issues.map((i) => i.code)]),
      [
        ['User signs up', 'send', ['invalid_type']],
        ['User Signs Up', 'send', ['name_case_mismatch']],
        ['Signed Up', 'send', ['alias_used']],
      ],
    )
  })

  test("'reject' fails the call with the issues; nothing is sent", async () => {
    const consumer = createTestConsumer()
    const mp = new Mixpanel('tok', { consumer, plan: PLAN, planPolicy: 'reject' })
    const error = (await mp
      .track('u1', 'User signs up', { ...VALID, marketing_opt_in: 'true' } as never)
      .catch((e: unknown) => e)) as {
      code: string
      issues: Array<{ code: string; path: string }>
    }
    assert.equal(error.code, 'EVENTWIRE_PLAN_VIOLATION')
    assert.deepEqual(
      error.issues.map((i) => [i.code, i.path]),
      [['invalid_type', 'properties.marketing_opt_in']],
    )
    await assert.rejects(mp.track('u1', 'Totally unknown'), { code: 'EVENTWIRE_PLAN_VIOLATION' })
    assert.equal(consumer.sent.length, 0)
    await mp.track('u1', 'User signs up', VALID as never)
    assert.equal(consumer.sent.length, 1, 'a valid call still goes through')
  })

  test("'drop' counts the message in the consumer's stats and drop event; the call resolves", async () => {
    const consumer = new BufferedConsumer({ apiHost: 'http://127.0.0.1:9' })
    const drops: Array<[string, number]> = []
    consumer.on('drop', (d) => drops.push([d.reason, d.count]))
    const mp = new Mixpanel('tok', { consumer, plan: PLAN, planPolicy: 'drop' })
    await mp.track('u1', 'Unplanned thing')
    await mp.track('u1', 'User signs up', VALID as never)
    assert.deepEqual(drops, [['plan_violation', 1]])
    assert.equal(consumer.stats().dropped.plan_violation, 1)
    assert.equal(consumer.buffered('events'), 1, 'only the valid event waits')
  })

  test('violations are forwarded as $plan_violation events to a separate consumer', async () => {
    const consumer = createTestConsumer()
    const quality = createTestConsumer()
    const mp = new Mixpanel('tok', { consumer, plan: PLAN, planPolicy: 'send', violationConsumer: quality })
    await mp.track('u1', 'User signs up', { ...VALID, plan: 'gold' } as never)
    await mp.people.set('u1', { favourite_colour: 'red' })
    assert.equal(consumer.sent.length, 2, "'send' reports only")
    const forwarded = quality.for('events')
    assert.deepEqual(
      forwarded.map((m) => m.event),
      ['$plan_violation', '$plan_violation'],
    )
    const first = forwarded[0]!.properties as Record<string, unknown>
    assert.equal(first.violated_event, 'User signs up')
    assert.deepEqual(first.issue_codes, ['invalid_value'])
    assert.equal(first.plan_version, '2.1.0')
    assert.ok(!JSON.stringify(forwarded[0]).includes('gold'), 'property values are not copied')
    assert.equal((forwarded[1]!.properties as Record<string, unknown>).violation_kind, 'people')
  })

  /** Strict: unplanned properties (also nested ones) are issues. */
  const STRICT: PlanDocument = {
    version: '1.0.0',
    additionalProperties: false,
    events: {
      checkout: {
        name: 'Checkout',
        properties: {
          at: { type: 'string', format: 'date-time' },
          n: { type: 'integer' },
          box: { type: 'object', properties: { w: { type: 'number' } } },
        },
      },
    },
  }

  for (const policy of ['reject', 'fix'] as const) {
    test(`the plan checks the properties as they are sent, eventwire's own keys not copied ('${policy}')`, async () => {
      const consumer = createTestConsumer()
      const violations: PlanViolation[] = []
      const mp = new Mixpanel('tok', {
        consumer,
        plan: STRICT,
        planPolicy: policy,
        onViolation: (v) => violations.push(v),
      })
      await mp.track('u1', 'Checkout', {
        at: new Date(0),
        // A string integer is repaired under 'fix' (the plan then sends a repaired copy).
        n: policy === 'fix' ? '5' : 5,
        box: { w: 1.5, gone: undefined },
        gone: undefined,
        token: 'other',
        distinct_id: 'other',
        time: 1_600_000_000,
        $insert_id: 'abc-1',
      } as never)
      assert.deepEqual(
        violations.flatMap((v) => v.issues.map((i) => [i.code, i.path, i.fixed])),
        policy === 'fix' ? [['invalid_type', 'properties.n', true]] : [],
        'a Date is an ISO string to the plan, and values left out are not unplanned properties',
      )
      const [sent] = consumer.for('events')
      assert.deepEqual(sent!.properties, {
        token: 'tok',
        distinct_id: 'u1',
        time: 1_600_000_000_000,
        $insert_id: 'abc-1',
        mp_lib: 'eventwire',
        $lib_version: sent!.properties.$lib_version,
        at: '1970-01-01T00:00:00.000Z',
        n: 5,
        box: { w: 1.5 },
      })
    })
  }

  test("with a plan, the 255-property limit counts eventwire's own keys once", async () => {
    const consumer = createTestConsumer()
    const mp = new Mixpanel('tok', {
      consumer,
      plan: { version: '1.0.0', additionalProperties: true, events: { e: { name: 'Wide' } } },
      planPolicy: 'reject',
    })
    const own = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, i]))
    // 249 of the caller's + token, distinct_id, time, $insert_id, mp_lib, $lib_version = 255.
    await mp.track('u1', 'Wide', { ...own(249), time: 1_600_000_000, $insert_id: 'abc-1' } as never)
    assert.equal(consumer.sent.length, 1)
    await assert.rejects(mp.track('u1', 'Wide', { ...own(250), time: 1_600_000_000 } as never), {
      code: 'EVENTWIRE_LIMIT_EXCEEDED',
      message: /^256 properties including eventwire's defaults, more than Mixpanel's limit of 255/,
    })
    await assert.rejects(mp.track('u1', 'Wide', own(256) as never), {
      code: 'EVENTWIRE_LIMIT_EXCEEDED',
      message: /^256 properties, more than Mixpanel's limit of 255/,
    })
    assert.equal(consumer.sent.length, 1)
  })

  test("'drop' in importBatch: the dropped record is reported to the consumer, the others sent", async () => {
    const recorder = createTestConsumer()
    const drops: Array<[string, string, number, string | undefined]> = []
    const consumer: EventConsumer = {
      ...recorder,
      drop: (endpoint, messages, reason, error) =>
        drops.push([endpoint, reason, messages.length, error?.message]),
    }
    const mp = new Mixpanel('tok', { consumer, plan: PLAN, planPolicy: 'drop' })
    await mp.importBatch([
      { event: 'Unplanned thing', properties: { distinct_id: 'u1', time: 1_600_000_000 } },
      { event: 'User signs up', properties: { ...VALID, distinct_id: 'u1', time: 1_600_000_000 } },
    ])
    assert.deepEqual(drops, [
      ['imports', 'plan_violation', 1, 'Unplanned thing dropped by the tracking plan'],
    ])
    assert.deepEqual(
      recorder.for('imports').map((m) => m.event),
      ['User signs up'],
    )
  })
})
