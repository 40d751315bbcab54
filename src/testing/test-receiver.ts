import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import type { JsonObject } from '../message/index.js'

/** One request as the receiver decoded it. */
export interface ReceivedRequest {
  method: string
  /** Path without the query string, e.g. `/track`. */
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  /** The raw body after gzip decoding. */
  body: string
  /** The records carried by the body (JSON array, NDJSON, form `data=` raw or base64, GET `?data=`). */
  records: JsonObject[]
  /** Set when the body could not be decoded. */
  decodeError?: string
}

/** What a scripted handler tells the receiver to do with one request. */
export type ScriptedResponse =
  | { status: number; body?: string | object; headers?: Record<string, string>; delayMs?: number }
  | { action: 'reset' }
  | { action: 'hang' }

/** Decides the response to one request; return undefined for the default success answer. */
export type ReceiverHandler = (
  request: ReceivedRequest,
  index: number,
) => ScriptedResponse | undefined | Promise<ScriptedResponse | undefined>

/** A loopback HTTP server that speaks enough of Mixpanel's ingestion API for tests and demos. */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>`, usable as `apiHost`. */
  readonly origin: string
  /** Every request received, in order (including ones answered with an error). */
  readonly requests: ReceivedRequest[]
  /** Replaces the handler. */
  handle(handler: ReceiverHandler | undefined): void
  /** Records that arrived in requests answered with success, per path (e.g. `/track`). */
  delivered(path?: string): JsonObject[]
  /** Distinct `$insert_id`s among delivered events. */
  uniqueInsertIds(): Set<string>
  /** Forgets every request and delivered record (the handler stays). */
  reset(): void
  /** Stops the server, destroying open connections. */
  close(): Promise<void>
}

/**
 * Starts a receiver on 127.0.0.1 and a free port. Default answers: `/track`, `/engage`, `/groups`
 * → `{"status":1,"error":null}`; `/import` → `{"code":200,"num_records_imported":N,"status":"OK"}`.
 */
export async function startTestReceiver(handler?: ReceiverHandler): Promise<TestReceiver> {
  let current = handler
  const requests: ReceivedRequest[] = []
  const accepted: Array<{ path: string; records: JsonObject[] }> = []
  const sockets = new Set<import('node:net').Socket>()
  const server: Server = createServer((req, res) => {
    void serve(req, res)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const received = decode(req, Buffer.concat(chunks))
    const index = requests.push(received) - 1
    let scripted: ScriptedResponse | undefined
    try {
      scripted = await current?.(received, index)
    } catch (error) {
      scripted = { status: 500, body: { error: String(error) } }
    }
    if (scripted && 'action' in scripted) {
      if (scripted.action === 'reset') req.socket.destroy()
      return
    }
    if (scripted?.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs))
    const status = scripted?.status ?? 200
    if (status >= 200 && status < 300) accepted.push({ path: received.path, records: received.records })
    const body = scripted?.body ?? defaultBody(received)
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    if (!res.destroyed) {
      res.writeHead(status, { 'content-type': 'application/json', ...scripted?.headers })
      res.end(text)
    }
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    handle: (next) => {
      current = next
    },
    delivered: (path) =>
      accepted.filter((a) => path === undefined || a.path === path).flatMap((a) => a.records),
    uniqueInsertIds() {
      const ids = new Set<string>()
      for (const { records } of accepted) {
        for (const record of records) {
          const id = (record.properties as JsonObject | undefined)?.$insert_id
          if (typeof id === 'string') ids.add(id)
        }
      }
      return ids
    },
    reset() {
      requests.length = 0
      accepted.length = 0
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close').catch(() => {})
    },
  }
}

function defaultBody(req: ReceivedRequest): object {
  if (req.path.endsWith('/import'))
    return { code: 200, num_records_imported: req.records.length, status: 'OK' }
  return { status: 1, error: null }
}

function decode(req: IncomingMessage, raw: Buffer): ReceivedRequest {
  const url = new URL(req.url ?? '/', 'http://receiver')
  const base = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
  }
  let body = ''
  try {
    body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')
    return { ...base, body, records: parseRecords(body, req.headers['content-type'] ?? '', url.searchParams) }
  } catch (error) {
    return { ...base, body, records: [], decodeError: (error as Error).message }
  }
}

function parseRecords(body: string, contentType: string, query: URLSearchParams): JsonObject[] {
  let text = body
  if (contentType.includes('application/x-www-form-urlencoded') || (body === '' && query.has('data'))) {
    const data = body === '' ? query.get('data') : new URLSearchParams(body).get('data')
    if (data === null) throw new Error('form body without data=')
    text = /^\s*[[{]/.test(data) ? data : Buffer.from(data, 'base64').toString('utf8')
  }
  if (text.trim() === '') return []
  if (contentType.includes('ndjson'))
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l))
  const parsed = JSON.parse(text) as JsonObject | JsonObject[]
  return Array.isArray(parsed) ? parsed : [parsed]
}
