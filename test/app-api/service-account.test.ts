// One service-account check for every `serviceAccount` option: ingestion, the collector and the
// Lexicon Schemas API refuse the same bad accounts, naming the same field.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startCollector } from '../../src/collector/index.js'
import { ConfigError, MixpanelDestination } from '../../src/index.js'
import { pullPlan } from '../../src/plan/index.js'

const GOOD = { username: 'robot.sa', secret: 'robot-secret-99' }

/** The option a call's ConfigError names (fails when the call does not fail that way). */
async function refused(call: () => unknown): Promise<string> {
  try {
    const result = await call()
    await (result as { close?: () => unknown } | undefined)?.close?.()
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error))
    return error.option
  }
  throw new assert.AssertionError({ message: 'expected a ConfigError' })
}

const WITH_PROJECT: ReadonlyArray<readonly [string, (account: unknown) => unknown]> = [
  ['MixpanelDestination', (account) => new MixpanelDestination({ serviceAccount: account as never })],
  [
    'startCollector',
    (account) => startCollector({ db: ':memory:', port: 0, serviceAccount: account as never }),
  ],
]

for (const [name, call] of WITH_PROJECT) {
  test(`${name}: { username, secret, projectId }, each field checked`, async () => {
    assert.equal(await refused(() => call('robot.sa:robot-secret-99')), 'serviceAccount')
    assert.equal(await refused(() => call({ ...GOOD, projectId: 1, user: 'x' })), 'user')
    assert.equal(
      await refused(() => call({ ...GOOD, username: '', projectId: 1 })),
      'serviceAccount.username',
    )
    assert.equal(await refused(() => call({ ...GOOD, secret: '', projectId: 1 })), 'serviceAccount.secret')
    assert.equal(await refused(() => call({ ...GOOD, projectId: 'abc' })), 'serviceAccount.projectId')
  })
}

test('the Lexicon Schemas API: { username, secret }, the project named apart', async () => {
  const call = (account: unknown) => pullPlan({ projectId: 1, serviceAccount: account as never })
  assert.equal(await refused(() => call(undefined)), 'serviceAccount')
  assert.equal(await refused(() => call({ ...GOOD, projectId: 1 })), 'projectId')
  assert.equal(await refused(() => call({ ...GOOD, username: '' })), 'serviceAccount.username')
  assert.equal(await refused(() => call({ ...GOOD, secret: 42 })), 'serviceAccount.secret')
})
