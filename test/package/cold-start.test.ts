/**
 * What the main entry loads (docs/serverless.md, "Cold starts"): importing `eventwire`, building
 * clients, consumers and a flags provider, and the first `track()` load none of the packages
 * eventwire depends on; each is loaded by the first thing that needs it. Checked in a fresh
 * process on the sources (the packed build is checked in pack.test.ts) by the packages in its
 * module cache, where Node.js puts every CommonJS module, imported or required.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'

const root = new URL('../..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Record<string, Record<string, string>>
/** Every package eventwire depends on, optional peers included. */
const DEPENDENCIES = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).sort()

let server: Server
let origin: string
let received = 0

before(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      received++
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":1,"error":null}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

// Each stage lists the dependencies loaded so far, read synchronously right after the stage's
// calls (a send that starts later would load more).
const CHILD = `
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const dependencies = new Set(JSON.parse(process.env.DEPENDENCIES))
const loaded = () =>
  [...new Set(Object.keys(require.cache).map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1]))]
    .filter((name) => dependencies.has(name))
    .sort()
const stages = {}
const apiHost = process.env.API_HOST
const flag = (key, rule) => ({
  id: key, name: key, key, status: 'enabled', project_id: 1, context: 'distinct_id', hash_salt: 's',
  ruleset: { variants: [{ key: 'on', value: true, split: 1 }], rollout: [{ rollout_percentage: 1, runtime_evaluation_rule: rule }] },
})

const { BatchConsumer, HttpTransport, LocalFlagsProvider, Mixpanel, loadPlan } = await import('./src/index.ts')
stages.imported = loaded()
const direct = new Mixpanel('token', { apiHost })
const batched = new Mixpanel('token', { consumer: new BatchConsumer({ apiHost }) })
const transport = new HttpTransport()
const compiled = new LocalFlagsProvider({ definitions: { flags: [flag('compiled', { '==': [{ var: 'plan' }, 'pro'] })] } })
const variant = compiled.getVariant('compiled', 'fallback', { distinct_id: 'u', custom_properties: { plan: 'pro' } })
void direct.track('u', 'Cold start', { plan: 'pro' })
void batched.track('u', 'Cold start', { plan: 'pro' })
stages.tracked = loaded()

loadPlan(process.env.PLAN)
stages.plan = loaded()
// A dotted operation name is left to json-logic-js (src/flags/rule-compiler.ts).
const interpreted = new LocalFlagsProvider({
  definitions: { flags: [flag('interpreted', { '==.prototype.constructor': [{ var: 'n' }, 1] })] },
})
stages.rule = loaded()
await direct.flush()
await batched.flush()
stages.sent = loaded()

await Promise.all([direct.close(), batched.close(), transport.close(), compiled.close(), interpreted.close()])
console.log(JSON.stringify({ stages, variant: variant.value, interpreted: interpreted.stats().interpretedRules }))
`

test('the main entry loads no dependency until a feature needs it', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: root,
    env: {
      ...process.env,
      API_HOST: origin,
      DEPENDENCIES: JSON.stringify(DEPENDENCIES),
      PLAN: `${root}examples/plan/tracking-plan.yaml`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const [code] = (await once(child, 'exit')) as [number | null]
  assert.equal(code, 0, err)
  const result = JSON.parse(out.trim().split('\n').pop()!) as {
    stages: Record<string, string[]>
    variant: unknown
    interpreted: number
  }
  assert.deepEqual(result.stages, {
    imported: [],
    // Clients, consumers, a transport and a provider whose rule compiles: nothing yet.
    tracked: [],
    // A tracking plan (YAML) needs the YAML parser and the JSON Schema validator.
    plan: ['ajv', 'ajv-formats', 'yaml'],
    // A rule the compiler leaves to json-logic-js.
    rule: ['ajv', 'ajv-formats', 'json-logic-js', 'yaml'],
    // The first request. @opentelemetry/api is installed here, but no MeterProvider is registered.
    sent: ['ajv', 'ajv-formats', 'json-logic-js', 'undici', 'yaml'],
  })
  assert.equal(result.variant, true)
  assert.equal(result.interpreted, 1)
  assert.equal(received, 2, 'each client delivered its event')
})
