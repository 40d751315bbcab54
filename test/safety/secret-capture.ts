/**
 * Helpers of the no-secret-in-any-output tests: the known secrets, every form they take on the
 * wire, a capture of everything eventwire hands back (log lines, events, callbacks, errors as
 * `util.inspect` and `JSON.stringify` show them, their cause chains), and receivers for every
 * failure path: 401 and 400 answers that echo the `Authorization` header, a reset connection, a
 * request that never gets an answer, and a TLS certificate the client refuses.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import type { Logger } from '../../src/internal/index.js'
import type { ReceivedRequest, ReceiverHandler } from '../../src/testing/index.js'
import { onCleanup, startReceiver } from '../batch/helpers.js'

export const ACCOUNT = { username: 'robot-user', secret: 'sa-secret-Q7W8E9R0', projectId: 77 }
export const GDPR_TOKEN = 'gdpr-secret-T1Y2U3I4'
export const API_SECRET = 'api-secret-Z5X6C7V8'
export const REDIS_PASSWORD = 'redis-pw-A9S8D7F6'

/** Every secret of these tests in every form it may take: plain, base64, and base64 of `user:secret`. */
export const SECRET_FORMS: readonly string[] = [
  ACCOUNT.secret,
  GDPR_TOKEN,
  API_SECRET,
  REDIS_PASSWORD,
].flatMap((secret) => [
  secret,
  Buffer.from(secret).toString('base64'),
  Buffer.from(`${secret}:`).toString('base64'),
  Buffer.from(`${ACCOUNT.username}:${secret}`).toString('base64'),
])

/** A `JSON.stringify` that survives cycles and BigInts. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return String(v)
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]'
      seen.add(v)
    }
    return v
  })
}

/** Everything a subject handed back, as text. */
export class Capture {
  readonly texts: string[] = []

  /** A logger recording every line with its fields. */
  readonly logger: Logger = {
    debug: (fields, message) => this.add(message, fields),
    info: (fields, message) => this.add(message, fields),
    warn: (fields, message) => this.add(message, fields),
    error: (fields, message) => this.add(message, fields),
  }

  /** Records values as `util.inspect` and `JSON.stringify` show them, and every error's cause chain. */
  add(...values: unknown[]): void {
    for (const value of values) {
      if (typeof value === 'string') {
        this.texts.push(value)
        continue
      }
      this.texts.push(inspect(value, { depth: 12 }))
      this.texts.push(safeJson(value) ?? '')
      let cause: unknown = value
      for (let depth = 0; cause instanceof Error && depth < 10; depth++) {
        this.texts.push(cause.message, String(cause.stack), inspect(cause, { depth: 12 }), safeJson(cause))
        cause = cause.cause
      }
    }
  }

  /** A listener for consumer notifications. */
  listener(event: string): (payload: unknown) => void {
    return (payload) => this.add(event, payload)
  }

  /** Fails naming the first secret found in anything captured. */
  assertClean(what: string): void {
    assert.ok(this.texts.length > 0, `${what}: nothing was captured`)
    for (const text of this.texts) {
      for (const form of SECRET_FORMS) {
        assert.equal(text.includes(form), false, `${what}: a secret (${form}) is in:\n${text.slice(0, 2000)}`)
      }
    }
  }
}

/** A careless server's error text: the Authorization header, raw and decoded. */
export function echo(request: ReceivedRequest): string {
  const auth = request.headers.authorization ?? ''
  const decoded = Buffer.from(auth.replace(/^Basic\s+/i, ''), 'base64').toString()
  return `Invalid credentials: ${auth} (${decoded}) for ${request.headers['proxy-authorization'] ?? ''}`
}

/** The failure paths every subject is put through. */
export const FAILURE_PATHS: ReadonlyArray<{
  name: string
  handler: ReceiverHandler | 'tls'
  /** The answer quotes the credentials: something captured must show them redacted. */
  echoes?: boolean
}> = [
  {
    name: '401 echoing the header',
    handler: (r) => ({ status: 401, body: { error: echo(r), status: 0 } }),
    echoes: true,
  },
  {
    name: '400 echoing the header',
    handler: (r) => ({ status: 400, body: { error: echo(r), status: 0 } }),
    echoes: true,
  },
  {
    name: '400 with failed_records echoing the header',
    echoes: true,
    handler: (r) => ({
      status: 400,
      body: {
        code: 400,
        error: echo(r),
        num_records_imported: 0,
        failed_records: r.records.map((_, index) => ({ index, field: 'properties.x', message: echo(r) })),
      },
    }),
  },
  {
    name: '200 with a failure in the body',
    handler: (r) => ({ status: 200, body: { status: 0, error: echo(r) } }),
  },
  { name: 'network error (reset)', handler: () => ({ action: 'reset' }) },
  { name: 'timeout', handler: () => ({ action: 'hang' }) },
  { name: 'TLS certificate refused', handler: 'tls' },
]

/** An origin for a failure path: a loopback receiver, or an HTTPS server with a self-signed certificate. */
export async function originFor(handler: ReceiverHandler | 'tls'): Promise<string> {
  if (handler !== 'tls') return (await startReceiver(handler)).origin
  const fixtures = new URL('../fixtures/tls/', import.meta.url)
  const server = createServer(
    { cert: readFileSync(new URL('cert.pem', fixtures)), key: readFileSync(new URL('key.pem', fixtures)) },
    (_req, res) => res.end('{"status":1}'),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onCleanup(() => new Promise((resolve) => server.close(resolve)))
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`
}
