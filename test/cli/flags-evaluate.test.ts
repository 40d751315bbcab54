import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type Collector, startCollector } from '../../src/collector/index.js'
import { runCli } from './helpers.js'

const DEFINITIONS = fileURLToPath(new URL('../../docs/flags-examples.json', import.meta.url))
let collector: Collector

before(async () => {
  collector = await startCollector({ port: 0, db: ':memory:', flags: DEFINITIONS })
})
after(() => collector.close())

test('flags evaluate from a definitions file: the variant, its value and how it was chosen', async () => {
  const run = await runCli([
    'flags',
    'evaluate',
    'new-feature-flag',
    '--user',
    'user-1',
    '--definitions',
    DEFINITIONS,
  ])
  assert.equal(run.code ?? 0, 0, run.stderr)
  assert.match(
    run.stdout,
    /^new-feature-flag: variant "\w+" = .+ \(by local evaluation; experiment exp-new-feature-flag \(active\)\)\n$/,
  )
})

test('flags evaluate --json, and an unknown flag exits 1 saying the fallback applies', async () => {
  const found = await runCli([
    'flags',
    'evaluate',
    'new-feature-flag',
    '--user',
    'u-2',
    '--definitions',
    DEFINITIONS,
    '--json',
  ])
  const result = JSON.parse(found.stdout) as { flag: string; source: string; variantKey: string }
  assert.equal(result.flag, 'new-feature-flag')
  assert.equal(result.source, 'local')
  const missing = await runCli([
    'flags',
    'evaluate',
    'no-such-flag',
    '--user',
    'u-2',
    '--definitions',
    DEFINITIONS,
  ])
  assert.equal(missing.code, 1)
  assert.match(missing.stdout, /no-such-flag: no variant \(FLAG_NOT_FOUND\); the caller's fallback applies/)
})

test('flags evaluate against Mixpanel-compatible APIs (the local collector): local from fetched definitions, and --remote agree', async () => {
  const env = { EVENTWIRE_TOKEN: 'cli-token', EVENTWIRE_API_HOST: collector.url }
  const local = await runCli(['flags', 'evaluate', 'new-feature-flag', '--user', 'user-7', '--json'], { env })
  const remote = await runCli(
    ['flags', 'evaluate', 'new-feature-flag', '--user', 'user-7', '--json', '--remote'],
    {
      env,
    },
  )
  assert.equal(local.code ?? 0, 0, local.stderr)
  assert.equal(remote.code ?? 0, 0, remote.stderr)
  const l = JSON.parse(local.stdout) as { variantKey: string; value: unknown; source: string }
  const r = JSON.parse(remote.stdout) as { variantKey: string; value: unknown; source: string }
  assert.equal(l.source, 'local')
  assert.equal(r.source, 'remote')
  assert.deepEqual([r.variantKey, r.value], [l.variantKey, l.value], 'the same variant either way')
})

test('bad options exit 2 naming the option', async () => {
  const run = await runCli([
    'flags',
    'evaluate',
    'x',
    '--user',
    'u',
    '--context',
    '[1]',
    '--definitions',
    DEFINITIONS,
  ])
  assert.equal(run.code, 2)
  assert.match(run.stderr, /--context/)
})
