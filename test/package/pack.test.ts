import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

const USAGE = `
const consumer = createTestConsumer()
const mp = new Mixpanel('tok', { consumer })
await mp.track('u1', 'Installed', { ok: true })
await mp.people.set('u1', { plan: 'pro' })
let sameErrorClass = false
try {
  new Emitter({ endpoint: '' })
} catch (error) {
  sameErrorClass = error instanceof EventwireError && error.code === 'EVENTWIRE_INVALID_OPTION'
}
const checks = [typeof Consumer, typeof BufferedConsumer, consumer.sent.length, consumer.sent[0].message.properties.mp_lib, sameErrorClass]
console.log(JSON.stringify(checks))
`

describe('the packed package, installed as a user installs it', () => {
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventwire-pack-'))
    await run('npm', ['pack', '--pack-destination', dir], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'))
    assert.ok(tarball, 'npm pack produced a tarball')
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true }))
    // The optional peer of eventwire/openfeature; better-sqlite3 and ioredis stay uninstalled on purpose.
    const openfeature = `@openfeature/server-sdk@${JSON.parse(await readFile(join(root, 'node_modules/@openfeature/server-sdk/package.json'), 'utf8')).version}`
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball), openfeature],
      {
        cwd: dir,
        maxBuffer: 16 * 1024 * 1024,
      },
    )
  })

  after(() => rm(dir, { recursive: true, force: true }))

  test('import from an .mjs file', async () => {
    await writeFile(
      join(dir, 'app.mjs'),
      `import { Mixpanel, Consumer, BufferedConsumer, EventwireError } from 'eventwire'\nimport { createTestConsumer } from 'eventwire/testing'\nimport { Emitter } from 'eventwire/snowplow'\n${USAGE}`,
    )
    const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: dir })
    assert.deepEqual(JSON.parse(stdout), ['function', 'function', 2, 'eventwire', true])
  })

  test('require from a .cjs file', async () => {
    await writeFile(
      join(dir, 'app.cjs'),
      `const { Mixpanel, Consumer, BufferedConsumer, EventwireError } = require('eventwire')\nconst { createTestConsumer } = require('eventwire/testing')\nconst { Emitter } = require('eventwire/snowplow')\n;(async () => {${USAGE}})()`,
    )
    const { stdout } = await run(process.execPath, ['app.cjs'], { cwd: dir })
    assert.deepEqual(JSON.parse(stdout), ['function', 'function', 2, 'eventwire', true])
  })

  test('types resolve for TypeScript users (NodeNext)', async () => {
    await writeFile(
      join(dir, 'app.mts'),
      `import { Mixpanel, type EventConsumer } from 'eventwire'\nimport { createTestConsumer } from 'eventwire/testing'\nconst c: EventConsumer = createTestConsumer()\nconst mp = new Mixpanel<{ Paid: { amount: number } }>('t', { consumer: c })\nvoid mp.track('u', 'Paid', { amount: 1 })\n// @ts-expect-error wrong property type\nvoid mp.track('u', 'Paid', { amount: 'x' })\n`,
    )
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const result = await run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        'node',
        '--typeRoots',
        join(root, 'node_modules/@types'),
        'app.mts',
      ],
      { cwd: dir },
    ).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    )
    assert.equal(result.code, 0, result.out)
  })

  test('every subpath loads; optional peers are needed only when used', async () => {
    await writeFile(
      join(dir, 'subpaths.mjs'),
      [
        "import { SqliteEventStore } from 'eventwire/sqlite'",
        "import { RedisEventStore, runWorker } from 'eventwire/redis'",
        "import { MixpanelProvider } from 'eventwire/openfeature'",
        "import { startCollector } from 'eventwire/collector'",
        "import { Tracker } from 'eventwire/snowplow'",
        'const missing = await SqliteEventStore.open({ path: "x.db" }).then(() => "opened", (e) => e.code)',
        'console.log(JSON.stringify([typeof RedisEventStore, typeof runWorker, typeof MixpanelProvider.fromLocalConfig, typeof startCollector, typeof Tracker, missing]))',
      ].join('\n'),
    )
    const { stdout } = await run(process.execPath, ['subpaths.mjs'], { cwd: dir })
    // Node.js 22.13 and later have node:sqlite built in; Node.js 20 needs better-sqlite3.
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number]
    const builtinSqlite = major > 22 || (major === 22 && minor >= 13)
    assert.deepEqual(JSON.parse(stdout), [
      'function',
      'function',
      'function',
      'function',
      'function',
      builtinSqlite ? 'opened' : 'EVENTWIRE_STORE_DEPENDENCY_MISSING',
    ])
    await writeFile(
      join(dir, 'subpaths.cjs'),
      "const { MixpanelProvider } = require('eventwire/openfeature')\nconst { startCollector } = require('eventwire/collector')\nconst { SqliteEventStore } = require('eventwire/sqlite')\nconsole.log(JSON.stringify([typeof MixpanelProvider, typeof startCollector, typeof SqliteEventStore]))",
    )
    const cjs = await run(process.execPath, ['subpaths.cjs'], { cwd: dir })
    assert.deepEqual(JSON.parse(cjs.stdout), ['function', 'function', 'function'])
  })

  test('the eventwire bin prints help', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(dir, 'node_modules/eventwire/dist/cli/main.js'), '--help'],
      { cwd: dir },
    )
    assert.match(stdout, /Usage: eventwire/)
    for (const command of ['dev', 'plan', 'worker', 'import', 'people', 'groups', 'gdpr', 'events']) {
      assert.match(stdout, new RegExp(`\\n  ${command} `), command)
    }
  })
})
