import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { syncProfiles } from '../../src/bulk/index.js'
import { type Collector, startCollector } from '../../src/collector/index.js'

interface Profile {
  properties: Record<string, unknown>
}

describe('people sync against the local collector', () => {
  let dir: string
  let collector: Collector
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventwire-sync-'))
    collector = await startCollector({ port: 0, db: ':memory:' })
  })
  after(async () => {
    await collector.close()
    await rm(dir, { recursive: true, force: true })
  })

  const profile = async (id: string): Promise<Profile | undefined> => {
    const res = await fetch(`${collector.url}/_/profiles/${encodeURIComponent(id)}`)
    return res.status === 404 ? undefined : ((await res.json()) as Profile)
  }

  test('profiles read back from the collector equal the input rows, run after run', async () => {
    const statePath = join(dir, 'state.db')
    const options = { token: 'tok', apiHost: collector.url, statePath, deleteMissing: true }
    const rows = [
      { distinct_id: 'u1', name: 'Ada', plan: 'pro', seats: 3 },
      { distinct_id: 'u2', name: 'Grace', plan: 'free', seats: 1 },
      { distinct_id: 'u3', name: 'Edsger', plan: 'team', seats: 12 },
    ]
    const first = await syncProfiles(rows, options)
    assert.equal(first.set, 3)
    for (const row of rows) {
      const { distinct_id, ...expected } = row
      const stored = await profile(distinct_id)
      assert.deepEqual(pick(stored?.properties, Object.keys(expected)), expected, distinct_id)
      assert.equal(stored?.properties.$ip, undefined, '$ip is a modifier, not a property')
    }

    const requestsBefore = (await collector.stats()).requests
    const second = await syncProfiles(rows, options)
    assert.deepEqual([second.set, second.unset, second.deleted], [0, 0, 0])
    assert.equal((await collector.stats()).requests, requestsBefore, 'unchanged input sends nothing')

    const changed = [
      { distinct_id: 'u1', name: 'Ada', plan: 'team', seats: 3 },
      { distinct_id: 'u2', name: 'Grace', plan: 'free' },
    ]
    const third = await syncProfiles(changed, options)
    assert.deepEqual([third.set, third.unset, third.deleted], [1, 1, 1])
    assert.deepEqual(pick((await profile('u1'))?.properties, ['name', 'plan', 'seats']), {
      name: 'Ada',
      plan: 'team',
      seats: 3,
    })
    const u2 = await profile('u2')
    assert.equal(u2?.properties.plan, 'free')
    assert.ok(!('seats' in (u2?.properties ?? {})), 'a removed column is $unset')
    assert.equal(await profile('u3'), undefined, 'a user gone from the input is $deleted')
  })
})

function pick(source: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, source?.[k]]))
}
