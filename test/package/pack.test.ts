import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { background, ok, run } from './helpers.js'

/** Whether this Node.js has node:sqlite built in (22.13 and later), so the SQLite store needs no package. */
const BUILTIN_SQLITE = (() => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number]
  return major > 22 || (major === 22 && minor >= 13)
})()

const root = new URL('../..', import.meta.url).pathname
const INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline']

/** `name@version` as installed in this repository, so installing it needs only npm's cache. */
async function pinned(name: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8'))
  return `${name}@${pkg.version}`
}

/** Whether dist/ was built after the last change to the sources, package.json and tsup.config.ts. */
function distIsFresh(): boolean {
  const built = join(root, 'dist/index.js')
  if (!existsSync(built)) return false
  const builtAt = statSync(built).mtimeMs
  const newest = (path: string): number => {
    const stat = statSync(path)
    if (!stat.isDirectory()) return stat.mtimeMs
    return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))))
  }
  return ['src', 'package.json', 'tsup.config.ts'].every((path) => newest(join(root, path)) < builtAt)
}

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
const checks = [typeof Consumer, typeof BufferedConsumer, typeof InMemoryEventStore, consumer.sent.length, consumer.sent[0].message.properties.mp_lib, sameErrorClass]
console.log(JSON.stringify(checks))
`
const USED = ['function', 'function', 'function', 2, 'eventwire', true]

describe('the packed package, installed as a user installs it', () => {
  let dir: string
  let packed: { unpackedSize: number; files: Array<{ path: string }> }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventwire-pack-'))
    // `npm pack` builds first (prepack), unless dist/ is newer than everything it is built from
    // (as in CI, which builds before testing): the build is most of this file's time.
    const scripts = distIsFresh() ? ['--ignore-scripts'] : []
    const output = await ok('npm', ['pack', '--json', ...scripts, '--pack-destination', dir], root)
    // The build's log comes first on standard output, then the JSON report.
    packed = JSON.parse(output.slice(output.search(/^\[$/m)))[0]
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'))
    assert.ok(tarball, 'npm pack produced a tarball')
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true }))
    // No optional peer: better-sqlite3, ioredis and @openfeature/server-sdk stay uninstalled at first.
    await ok('npm', [...INSTALL, join(dir, tarball)], dir)
  })

  after(() => rm(dir, { recursive: true, force: true }))

  test('ships LICENSE, CHANGELOG.md and README.md, no source maps, at most 2.5 MB unpacked', () => {
    const files = packed.files.map((f) => f.path)
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'dist/cli/main.js']) {
      assert.ok(files.includes(file), file)
    }
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
    )
    assert.ok(packed.unpackedSize <= 2.5 * 1024 * 1024, `unpacked size ${packed.unpackedSize}`)
  })

  test('every relative link in the shipped Markdown points at a shipped file', async () => {
    const pkg = join(dir, 'node_modules/eventwire')
    const pages = ['README.md', 'CHANGELOG.md', ...(await readdir(join(pkg, 'docs'))).map((f) => `docs/${f}`)]
    const broken: string[] = []
    for (const page of pages.filter((p) => p.endsWith('.md'))) {
      const text = await readFile(join(pkg, page), 'utf8')
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!) || target!.startsWith('#')) continue
        const file = join(dirname(join(pkg, page)), target!.replace(/#.*$/, ''))
        if (!existsSync(file)) broken.push(`${page}: ${target} (${relative(pkg, file)})`)
      }
    }
    assert.deepEqual(broken, [])
  })

  test('import from an .mjs file', async () => {
    await writeFile(
      join(dir, 'app.mjs'),
      `import { Mixpanel, Consumer, BufferedConsumer, EventwireError, InMemoryEventStore } from 'eventwire'\nimport { createTestConsumer } from 'eventwire/testing'\nimport { Emitter } from 'eventwire/snowplow'\n${USAGE}`,
    )
    assert.deepEqual(JSON.parse(await ok(process.execPath, ['app.mjs'], dir)), USED)
  })

  test('require from a .cjs file', async () => {
    await writeFile(
      join(dir, 'app.cjs'),
      `const { Mixpanel, Consumer, BufferedConsumer, EventwireError, InMemoryEventStore } = require('eventwire')\nconst { createTestConsumer } = require('eventwire/testing')\nconst { Emitter } = require('eventwire/snowplow')\n;(async () => {${USAGE}})()`,
    )
    assert.deepEqual(JSON.parse(await ok(process.execPath, ['app.cjs'], dir)), USED)
  })

  test('importing eventwire, building a client and the first track() load none of its dependencies', async () => {
    // The same check as cold-start.test.ts, on the built package, from ESM and from CommonJS.
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
    const dependencies = JSON.stringify(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }))
    const body = (load: string) => `
const server = require('node:http').createServer((req, res) => req.resume().on('end', () => res.end('{"status":1,"error":null}')))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const { BatchConsumer, Mixpanel } = ${load}
const mp = new Mixpanel('tok', { consumer: new BatchConsumer({ apiHost: 'http://127.0.0.1:' + server.address().port }) })
void mp.track('u1', 'Cold start')
const names = Object.keys(require.cache).map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1])
const loaded = [...new Set(names)].filter((name) => ${dependencies}.includes(name))
const result = await mp.close()
server.close()
console.log(JSON.stringify({ loaded, sent: result.sent }))`
    await writeFile(
      join(dir, 'cold.mjs'),
      `import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n${body("await import('eventwire')")}`,
    )
    await writeFile(join(dir, 'cold.cjs'), `;(async () => {${body("require('eventwire')")}})()`)
    for (const file of ['cold.mjs', 'cold.cjs']) {
      assert.deepEqual(JSON.parse(await ok(process.execPath, [file], dir)), { loaded: [], sent: 1 }, file)
    }
  })

  test('the eventwire bin prints help', async () => {
    const stdout = await ok('npx', ['eventwire', '--help'], dir)
    assert.match(stdout, /Usage: eventwire/)
    for (const command of ['dev', 'plan', 'worker', 'import', 'people', 'groups', 'gdpr', 'events']) {
      assert.match(stdout, new RegExp(`\\n  ${command} `), command)
    }
  })

  test('npx eventwire dev --memory starts without better-sqlite3 and stores a posted event', async () => {
    assert.equal(existsSync(join(dir, 'node_modules/better-sqlite3')), false)
    const dev = background('npx', ['eventwire', 'dev', '--memory', '--port', '0'], dir)
    try {
      const [, url] = await dev.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000)
      const event = {
        event: 'Installed',
        properties: { token: 't', distinct_id: 'u-1', $insert_id: 'pack-1' },
      }
      const posted = await fetch(`${url}/track`, { method: 'POST', body: JSON.stringify([event]) })
      assert.equal(await posted.text(), '1')
      const stored = (await (await fetch(`${url}/_/events?name=Installed`)).json()) as {
        events: Array<{ name: string; distinctId: string }>
      }
      assert.deepEqual(
        stored.events.map((e) => [e.name, e.distinctId]),
        [['Installed', 'u-1']],
      )
    } finally {
      await dev.stop()
    }
    // SIGTERM: the collector closed cleanly and printed what it received.
    assert.match(dev.output(), /1 events \(1 good, 0 bad\)/)
  })

  test('a missing optional peer fails in one sentence naming the package and its install command', async () => {
    await writeFile(
      join(dir, 'missing.mjs'),
      [
        "import { createRequire } from 'node:module'",
        "import { SqliteEventStore } from 'eventwire/sqlite'",
        "import { RedisEventStore } from 'eventwire/redis'",
        "const why = (e) => e.code + ': ' + e.message",
        'const lines = [',
        "  await import('eventwire/openfeature').then(() => 'loaded', why),",
        "  (() => { try { createRequire(import.meta.url)('eventwire/openfeature'); return 'loaded' } catch (e) { return why(e) } })(),",
        "  await SqliteEventStore.open({ path: 'x.db' }).then(() => 'opened', why),",
        "  await RedisEventStore.open({ redis: 'redis://127.0.0.1:1' }).then(() => 'opened', why),",
        ']',
        "console.log(lines.join('\\n'))",
      ].join('\n'),
    )
    const lines = (await ok(process.execPath, ['missing.mjs'], dir)).trim().split('\n')
    // Node.js 22.13 and later have node:sqlite built in: the store needs no package there.
    const sqliteWithoutPackage = BUILTIN_SQLITE
      ? 'opened'
      : `EVENTWIRE_STORE_DEPENDENCY_MISSING: SqliteEventStore needs the optional package "better-sqlite3" on Node.js ${process.version}, which has no built-in node:sqlite, and it is not installed: run \`npm install better-sqlite3\` (or use Node.js 22.13 or later, which needs no package), or use the in-memory store (the default) or RedisEventStore (eventwire/redis).`
    const openfeature =
      'EVENTWIRE_DEPENDENCY_MISSING: eventwire/openfeature needs the optional package "@openfeature/server-sdk", which is not installed: run `npm install @openfeature/server-sdk`.'
    assert.deepEqual(lines, [
      openfeature,
      openfeature,
      sqliteWithoutPackage,
      'EVENTWIRE_STORE_DEPENDENCY_MISSING: RedisEventStore needs the optional package "ioredis", which is not installed: run `npm install ioredis`.',
    ])
  })

  test('better-sqlite3 installed without its native build: the SQLite store says how to build it', async () => {
    // What pnpm does by default, and npm with --ignore-scripts: the package without its compiled module.
    await ok('npm', [...INSTALL, '--ignore-scripts', await pinned('better-sqlite3')], dir)
    await writeFile(
      join(dir, 'unbuilt.mjs'),
      // The driver is named: on Node.js 22.13 and later the default would be node:sqlite.
      "import { SqliteEventStore } from 'eventwire/sqlite'\nawait SqliteEventStore.open({ path: 'x.db', driver: 'better-sqlite3' }).then(() => console.log('opened'), (e) => console.log(e.code + ': ' + e.message))",
    )
    // Where node:sqlite is built in, the message also offers it.
    const builtin = BUILTIN_SQLITE ? ', or leave the driver out to use the built-in node:sqlite' : ''
    assert.equal(
      await ok(process.execPath, ['unbuilt.mjs'], dir),
      `EVENTWIRE_STORE_DEPENDENCY_MISSING: SqliteEventStore needs the optional package "better-sqlite3" on Node.js ${process.version}, and its native module is not built for this Node.js: run \`npm rebuild better-sqlite3\`${builtin}, or use the in-memory store (the default) or RedisEventStore (eventwire/redis).\n`,
    )
  })

  test('with @openfeature/server-sdk and ioredis installed, every subpath loads', async () => {
    await ok('npm', [...INSTALL, await pinned('@openfeature/server-sdk'), await pinned('ioredis')], dir)
    await writeFile(
      join(dir, 'subpaths.mjs'),
      [
        "import { OpenFeature } from '@openfeature/server-sdk'",
        "import { importFile } from 'eventwire/bulk'",
        "import { lintPlan } from 'eventwire/plan'",
        "import { RedisEventStore, runWorker } from 'eventwire/redis'",
        "import { MixpanelProvider } from 'eventwire/openfeature'",
        "import { startCollector } from 'eventwire/collector'",
        "import { Tracker } from 'eventwire/snowplow'",
        "import { LocalFlagsProvider } from 'eventwire'",
        'const provider = new MixpanelProvider(new LocalFlagsProvider({ definitions: { flags: [] } }))',
        'await OpenFeature.setProviderAndWait(provider)',
        "const details = await OpenFeature.getClient().getBooleanDetails('absent', false, { distinct_id: 'u' })",
        'await OpenFeature.close()',
        'console.log(JSON.stringify([typeof importFile, typeof lintPlan, typeof RedisEventStore, typeof runWorker, typeof startCollector, typeof Tracker, details.errorCode]))',
      ].join('\n'),
    )
    assert.deepEqual(JSON.parse(await ok(process.execPath, ['subpaths.mjs'], dir)), [
      'function',
      'function',
      'function',
      'function',
      'function',
      'function',
      'FLAG_NOT_FOUND',
    ])
    await writeFile(
      join(dir, 'subpaths.cjs'),
      "const { MixpanelProvider } = require('eventwire/openfeature')\nconst { startCollector } = require('eventwire/collector')\nconst { SqliteEventStore } = require('eventwire/sqlite')\nconst { importFile } = require('eventwire/bulk')\nconst { diffPlans } = require('eventwire/plan')\nconsole.log(JSON.stringify([typeof MixpanelProvider, typeof startCollector, typeof SqliteEventStore, typeof importFile, typeof diffPlans]))",
    )
    assert.deepEqual(JSON.parse(await ok(process.execPath, ['subpaths.cjs'], dir)), Array(5).fill('function'))
  })

  test('types resolve with moduleResolution node10, node16 (ESM and CommonJS) and bundler', async () => {
    const program = [
      "import { Mixpanel, type EventConsumer, InMemoryEventStore } from 'eventwire'",
      "import { importFile } from 'eventwire/bulk'",
      "import { startCollector } from 'eventwire/collector'",
      "import { MixpanelProvider } from 'eventwire/openfeature'",
      "import { lintPlan } from 'eventwire/plan'",
      "import { RedisEventStore } from 'eventwire/redis'",
      "import { Emitter } from 'eventwire/snowplow'",
      "import { SqliteEventStore } from 'eventwire/sqlite'",
      "import { createTestConsumer } from 'eventwire/testing'",
      'const consumer: EventConsumer = createTestConsumer()',
      "const mp = new Mixpanel<{ Paid: { amount: number } }>('t', { consumer })",
      "void mp.track('u', 'Paid', { amount: 1 })",
      '// @ts-expect-error wrong property type',
      "void mp.track('u', 'Paid', { amount: 'x' })",
      '// @ts-expect-error importFile takes a path',
      'void importFile(42)',
      'export const used = [startCollector, MixpanelProvider, lintPlan, RedisEventStore, Emitter, SqliteEventStore, InMemoryEventStore]',
    ].join('\n')
    // ioredis's own declarations import an untyped package; everything else is checked (no skipLibCheck).
    await writeFile(join(dir, 'shims.d.ts'), "declare module 'redis-errors'\n")
    const setups: Array<[string, string, string[]]> = [
      ['node10', 'types-node10.ts', ['--module', 'commonjs', '--moduleResolution', 'node10']],
      ['node16 ESM', 'types-node16.mts', ['--module', 'node16', '--moduleResolution', 'node16']],
      ['node16 CommonJS', 'types-node16.cts', ['--module', 'node16', '--moduleResolution', 'node16']],
      ['bundler', 'types-bundler.ts', ['--module', 'esnext', '--moduleResolution', 'bundler']],
    ]
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const types = ['--types', 'node', '--typeRoots', join(root, 'node_modules/@types')]
    const results = await Promise.all(
      setups.map(async ([name, file, flags]) => {
        await writeFile(join(dir, file), program)
        const args = [
          tsc,
          '--noEmit',
          '--strict',
          '--target',
          'es2022',
          ...types,
          ...flags,
          'shims.d.ts',
          file,
        ]
        return { name, ...(await run(process.execPath, args, dir)) }
      }),
    )
    for (const result of results) {
      assert.equal(result.code, 0, `${result.name}:\n${result.stdout}${result.stderr}`)
    }
  })
})
