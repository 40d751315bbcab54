import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
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
const checks = [typeof Consumer, typeof BufferedConsumer, consumer.sent.length, consumer.sent[0].message.properties.mp_lib]
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
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball)], {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    })
  })

  after(() => rm(dir, { recursive: true, force: true }))

  test('import from an .mjs file', async () => {
    await writeFile(
      join(dir, 'app.mjs'),
      `import { Mixpanel, Consumer, BufferedConsumer } from 'eventwire'\nimport { createTestConsumer } from 'eventwire/testing'\n${USAGE}`,
    )
    const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: dir })
    assert.deepEqual(JSON.parse(stdout), ['function', 'function', 2, 'eventwire'])
  })

  test('require from a .cjs file', async () => {
    await writeFile(
      join(dir, 'app.cjs'),
      `const { Mixpanel, Consumer, BufferedConsumer } = require('eventwire')\nconst { createTestConsumer } = require('eventwire/testing')\n;(async () => {${USAGE}})()`,
    )
    const { stdout } = await run(process.execPath, ['app.cjs'], { cwd: dir })
    assert.deepEqual(JSON.parse(stdout), ['function', 'function', 2, 'eventwire'])
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

  test('the eventwire bin prints help', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(dir, 'node_modules/eventwire/dist/cli/main.js'), '--help'],
      { cwd: dir },
    )
    assert.match(stdout, /Usage: eventwire/)
  })
})
