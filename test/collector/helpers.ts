import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { type Collector, type CollectorOptions, startCollector } from '../../src/collector/index.js'

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eventwire-collector-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Starts a collector on 127.0.0.1:0 with a SQLite file in a temp folder; closed when the file ends. */
export async function start(options: CollectorOptions = {}): Promise<Collector> {
  const collector = await startCollector({ port: 0, db: join(tempDir(), 'dev.db'), ...options })
  after(() => collector.close())
  return collector
}

/** A raw HTTP answer. */
export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** Sends one request with node:http, exactly as given (no automatic encodings). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    if (options.body !== undefined) req.end(options.body)
    else req.end()
  })
}

/** POSTs JSON text. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** GETs and parses JSON, failing on a non-2xx status. */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await send(url)
  if (res.status < 200 || res.status >= 300) throw new Error(`GET ${url} answered ${res.status}: ${res.body}`)
  return JSON.parse(res.body) as T
}

/** A valid `/track` event. */
export function trackEvent(
  name: string,
  distinctId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    event: name,
    properties: {
      token: 'tok',
      distinct_id: distinctId,
      time: Date.now(),
      $insert_id: `id-${name}-${distinctId}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 36),
      ...extra,
    },
  }
}

/** Resolves when `check` returns true, polling every 20 ms, or rejects after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
