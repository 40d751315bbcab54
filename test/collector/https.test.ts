import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { get } from 'node:https'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { StoredItem, StoredRequest } from '../../src/collector/index.js'
import { start, tempDir, waitFor } from './helpers.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/dev-cli.ts', import.meta.url))
const IMPORTER = fileURLToPath(new URL('./fixtures/official-import.cjs', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SECRETS = { apiSecret: 'legacy-api-secret-93kd', user: 'sa-importer', saSecret: 'sa-secret-Zq81x' }
const ENV = {
  ...process.env,
  EVENTWIRE_API_SECRET: SECRETS.apiSecret,
  EVENTWIRE_SERVICE_ACCOUNT: `${SECRETS.user}:${SECRETS.saSecret}`,
}

function run(args: string[]): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'dev', ...args], { cwd: ROOT, env: ENV })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  return { child, out: () => out, err: () => err }
}

/** GET over HTTPS trusting only `ca`. */
function getText(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

async function importWith(host: string, mode: 'secret' | 'service-account', caFile: string, secret: string) {
  const child = spawn(process.execPath, [IMPORTER, host, mode], {
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: caFile,
      MP_SECRET: secret,
      MP_USER: SECRETS.user,
      MP_PROJECT: '4242',
    },
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const [code] = await once(child, 'exit')
  return { code: code as number, output }
}

test('eventwire dev --https: the official mixpanel package imports with a service account and with an API secret; no secret shows anywhere', async () => {
  const dir = tempDir()
  const db = join(dir, 'data', 'dev.db')
  const cli = run(['--https', '--port', '0', '--db', db, '--project-id', '4242'])
  await waitFor(() => /Certificate +\S+/.test(cli.out()), 30_000, 'the certificate line')
  const url = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(cli.out())![1]!
  const certFile = join(dir, 'data', 'tls', 'localhost-cert.pem')
  assert.match(
    cli.out(),
    new RegExp(`Certificate +${certFile.replace(/[./]/g, '\\$&')} \\(self-signed, made now\\)`),
  )
  assert.match(cli.out(), /NODE_EXTRA_CA_CERTS=/)
  assert.match(cli.out(), /\/import auth +API secret, service account \(project 4242\) \(values not shown\)/)
  assert.equal(statSync(join(dir, 'data', 'tls', 'localhost-key.pem')).mode & 0o077, 0, 'the key is private')
  assert.match(readFileSync(join(dir, 'data', 'tls', '.gitignore'), 'utf8'), /^\*$/m)
  const ca = readFileSync(certFile, 'utf8')

  const host = new URL(url).host
  for (const [mode, secret] of [
    ['service-account', SECRETS.saSecret],
    ['secret', SECRETS.apiSecret],
  ] as const) {
    const result = await importWith(host, mode, certFile, secret)
    assert.equal(result.code, 0, result.output)
    assert.match(result.output, /imported/)
  }
  // a wrong secret is refused
  const wrong = await importWith(host, 'secret', certFile, 'not-the-secret')
  assert.notEqual(wrong.code, 0)

  // the events read back over HTTPS (page, REST and stream share the TLS server)
  const { events } = JSON.parse((await getText(`${url}/_/events?kind=event&order=asc`, ca)).body) as {
    events: StoredItem[]
  }
  assert.deepEqual(
    events.map((e) => [e.name, e.endpoint, e.valid]),
    [
      ['Imported with service-account', '/import', true],
      ['Batch with service-account', '/import', true],
      ['Batch with service-account', '/import', true],
      ['Imported with secret', '/import', true],
      ['Batch with secret', '/import', true],
      ['Batch with secret', '/import', true],
    ],
  )
  const request = JSON.parse(
    (await getText(`${url}/_/requests/${events[0]!.requestId}`, ca)).body,
  ) as StoredRequest
  assert.equal(request.headers.authorization, 'Basic [redacted]')
  assert.match(request.url, /project_id=4242/)
  const page = await getText(`${url}/`, ca)
  assert.equal(page.status, 200)
  assert.match(page.body, /eventwire collector/)
  const hello = await new Promise<string>((resolve, reject) => {
    get(`${url}/_/stream`, { ca }, (res) => {
      res.once('data', (chunk: Buffer) => {
        resolve(chunk.toString())
        res.destroy()
      })
    }).on('error', reject)
  })
  assert.match(hello, /event: hello/)

  // no secret in any output: stdout, stderr, REST
  const rest = await Promise.all(
    ['/_/events?limit=1000', '/_/requests?limit=1000', '/_/config', '/_/stats'].map(
      async (path) => (await getText(`${url}${path}`, ca)).body,
    ),
  )
  cli.child.kill('SIGTERM')
  const [code] = await once(cli.child, 'exit')
  assert.equal(code, 0, cli.err())
  const outputs = [cli.out(), cli.err(), ...rest].join('\n')
  for (const secret of [SECRETS.apiSecret, SECRETS.saSecret]) {
    for (const form of [
      secret,
      Buffer.from(`${secret}:`).toString('base64'),
      Buffer.from(`${SECRETS.user}:${secret}`).toString('base64'),
    ]) {
      assert.equal(outputs.includes(form), false, `a form of a secret appears in the output: ${form}`)
    }
  }

  // the certificate is kept and reused on the next start
  const again = run(['--https', '--port', '0', '--db', db, '--project-id', '4242'])
  await waitFor(() => /Certificate +\S+/.test(again.out()), 30_000, 'the certificate line')
  assert.doesNotMatch(again.out(), /made now/)
  assert.equal(readFileSync(certFile, 'utf8'), ca)
  again.child.kill('SIGTERM')
  await once(again.child, 'exit')
})

test('startCollector({ https: { certFile, keyFile } }) serves with your own certificate; bad files fail with EVENTWIRE_COLLECTOR_TLS_ERROR', async () => {
  const dir = tempDir()
  const made = await start({ https: true, tlsDir: join(dir, 'tls') })
  assert.equal(made.protocol, 'https')
  assert.equal(made.tls?.created, true)
  const own = await start({
    https: {
      certFile: join(dir, 'tls', 'localhost-cert.pem'),
      keyFile: join(dir, 'tls', 'localhost-key.pem'),
    },
  })
  assert.match(own.url, /^https:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(own.tls?.selfSigned, false)
  const res = await getText(`${own.url}/_/stats`, readFileSync(own.tls!.certFile, 'utf8'))
  assert.equal(JSON.parse(res.body).requests, 0)
  await assert.rejects(
    start({ https: { certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'missing-key.pem') } }),
    (error: Error & { code?: string }) => error.code === 'EVENTWIRE_COLLECTOR_TLS_ERROR',
  )
  assert.equal(existsSync(join(dir, 'tls', '.gitignore')), true)
})
