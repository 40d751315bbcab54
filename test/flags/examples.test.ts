import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { OpenFeature, ProviderEvents } from '@openfeature/server-sdk'
import type { FlagDefinitions } from '../../src/flags/index.js'
import type { MixpanelProvider } from '../../src/openfeature/index.js'
import * as accessingMixpanel from './examples/accessing-mixpanel.js'
import * as basicBoolean from './examples/basic-boolean.js'
import * as directLocal from './examples/direct-local.js'
import * as directRemote from './examples/direct-remote.js'
import * as errorHandling from './examples/error-handling.js'
import * as errorNotReady from './examples/error-not-ready.js'
import * as existingInstance from './examples/existing-instance.js'
import * as flagTypes from './examples/flag-types.js'
import * as localEvaluation from './examples/local-evaluation.js'
import * as quickStart from './examples/quick-start.js'
import * as remoteEvaluation from './examples/remote-evaluation.js'
import * as resolutionDetails from './examples/resolution-details.js'
import * as settingContext from './examples/setting-context.js'
import * as shutdown from './examples/shutdown.js'
import { type FlagsServer, startFlagsServer } from './helpers.js'

// The flags the examples use, as docs/flags.md shows and ships them.
const DEFINITIONS = JSON.parse(
  readFileSync(new URL('../../docs/flags-examples.json', import.meta.url), 'utf8'),
) as FlagDefinitions

let server: FlagsServer
before(async () => {
  server = await startFlagsServer(DEFINITIONS)
  server.onEvaluate(() => ({
    status: 200,
    body: { code: 200, flags: { 'remote-flag': { variant_key: 'on', variant_value: 'on' } } },
  }))
})
after(async () => {
  await OpenFeature.close()
  await server.close()
})

/** Runs `fn`, returning what it printed with console.log. */
async function printed(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = []
  const original = console.log
  console.log = (...args: unknown[]) =>
    void lines.push(
      args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? 'undefined'))).join(' '),
    )
  try {
    await fn()
  } finally {
    console.log = original
  }
  return lines
}

test('Quick Start, then the usage examples on the registered provider', async () => {
  assert.deepEqual(await printed(() => quickStart.main(server.origin)), ['New feature is enabled!'])
  assert.deepEqual(await printed(() => basicBoolean.main()), ['my-feature is on'])
  assert.deepEqual(await printed(() => flagTypes.main()), [
    JSON.stringify({
      isFeatureOn: true,
      buttonColor: 'green',
      maxItems: 25,
      threshold: 0.75,
      featureConfig: { layout: 'grid', columns: 3 },
    }),
  ])
  assert.deepEqual(await printed(() => resolutionDetails.main()), [
    'true',
    'on',
    'TARGETING_MATCH',
    'undefined',
  ])
  assert.deepEqual(await printed(() => settingContext.main()), ['premium-feature: true'])
  assert.deepEqual(await printed(() => shutdown.main()), ['closed'])
  // The exposures of the evaluations above were delivered to /track by the provider's own client.
  const exposed = server.receiver
    .delivered('/track')
    .filter((e) => e.event === '$experiment_started')
    .map((e) => (e.properties as Record<string, unknown>)['Experiment name'])
  for (const key of [
    'new-feature-flag',
    'my-feature',
    'new-checkout',
    'button-color-test',
    'premium-feature',
  ]) {
    assert.ok(exposed.includes(key), `exposure for ${key}`)
  }
})

test('initialization examples: local, remote, existing instance, accessing the client', async () => {
  let local: MixpanelProvider | undefined
  assert.deepEqual(
    await printed(async () => {
      local = await localEvaluation.main(server.origin)
    }),
    ['local flags ready: true'],
  )
  assert.deepEqual(await printed(() => accessingMixpanel.main(local!)), [
    "tracked through the provider's client: true",
  ])
  const signedUp = server.receiver.delivered('/track').filter((e) => e.event === 'Signed Up')
  assert.equal(signedUp.length, 1)
  assert.equal((signedUp[0]!.properties as Record<string, unknown>).distinct_id, 'user-123')
  await local!.onClose()

  let remote: MixpanelProvider | undefined
  assert.deepEqual(
    await printed(async () => {
      remote = await remoteEvaluation.main(server.origin)
    }),
    ['remote variant: on'],
  )
  await remote!.onClose()

  assert.deepEqual(await printed(() => existingInstance.main(server.origin)), ['null'])
})

test('error handling examples', async () => {
  assert.deepEqual(await printed(() => errorNotReady.main(server.origin)), [
    'Provider still loading, using default value',
  ])
  const client = OpenFeature.getClient()
  await new Promise((resolve) => client.addHandler(ProviderEvents.Ready, resolve))
  assert.deepEqual(await printed(() => errorHandling.main()), [
    'Flag does not exist, using default value',
    'Flag is not a boolean, using default value',
  ])
  await OpenFeature.close()
})

test('flags without OpenFeature', async () => {
  const before = server.receiver.delivered('/track').length
  assert.deepEqual(await printed(() => directLocal.main(server.origin)), [
    'green green local',
    'new checkout',
    'blue FLAG_NOT_FOUND',
  ])
  const sent = server.receiver
    .delivered('/track')
    .slice(before)
    .map((e) => (e.properties as Record<string, unknown>)['Experiment name'])
  assert.deepEqual(sent.sort(), ['button-color-test', 'homepage-layout', 'new-checkout'])
  assert.deepEqual(await printed(() => directRemote.main(server.origin)), ['on on remote'])
})

test('docs/flags.md shows every example exactly as it runs', () => {
  const doc = readFileSync(new URL('../../docs/flags.md', import.meta.url), 'utf8')
  const dir = new URL('./examples/', import.meta.url)
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))
  assert.equal(files.length, 14)
  for (const file of files) {
    const snippet = docsSnippet(readFileSync(new URL(file, dir), 'utf8'))
    assert.ok(snippet.length > 0, `${file} has docs:start/docs:end markers`)
    assert.ok(doc.includes(snippet), `docs/flags.md must contain the example ${file}:\n${snippet}`)
  }
  // Every flag key the page uses is defined in the definitions it points to.
  const keys = new Set(DEFINITIONS.flags.map((f) => f.key))
  const used = [
    ...doc.matchAll(
      /(?:getVariant|isEnabled|getBooleanValue|getStringValue|getNumberValue|getObjectValue|getBooleanDetails|trackExposure)\('([^']+)'/g,
    ),
  ].map((m) => m[1]!)
  assert.ok(used.length >= 10, `found ${used.length} flag keys in the examples`)
  const undefinedKeys = used.filter(
    (key) => !keys.has(key) && !['no-such-flag', 'nonexistent-flag'].includes(key),
  )
  assert.deepEqual(undefinedKeys, [])
})

/** The text between `// docs:start` and `// docs:end` markers, dedented, imports as a user writes them. */
function docsSnippet(source: string): string {
  const blocks: string[] = []
  const re = /^[ \t]*\/\/ docs:start\n([\s\S]*?)^[ \t]*\/\/ docs:end$/gm
  for (const match of source.matchAll(re)) {
    const lines = match[1]!.replace(/\n$/, '').split('\n')
    const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)![0].length))
    blocks.push(lines.map((l) => l.slice(indent)).join('\n'))
  }
  return blocks
    .join('\n\n')
    .replace(/\n{3,}/g, '\n\n')
    .replaceAll("'../../../src/openfeature/index.js'", "'eventwire/openfeature'")
    .replace(/'\.\.\/\.\.\/\.\.\/src\/(client|flags)\/index\.js'/g, "'eventwire'")
    .replace(/^import \{ (.+) \} from 'eventwire'\n(import \{ (.+) \} from 'eventwire'\n)+/gm, mergeImports)
}

/** `import { A } from 'eventwire'` lines in a row become one import with sorted names. */
function mergeImports(lines: string): string {
  const names = [...lines.matchAll(/\{ (.+) \}/g)].flatMap((m) => m[1]!.split(', '))
  return `import { ${names.sort((a, b) => a.localeCompare(b)).join(', ')} } from 'eventwire'\n`
}
