import type { IncomingHttpHeaders } from 'node:http'
import { gunzipSync } from 'node:zlib'
import type { JsonObject } from '../message/index.js'

/** One request as the receiver decoded it. */
export interface ReceivedRequest {
  method: string
  /** Path without the query string, e.g. `/track`. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
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

/**
 * What a receiver (the loopback {@link startTestReceiver} or the in-memory transport) keeps of the
 * requests it received, and how it answers them by default.
 */
export class RequestLog {
  /** Every request received, in order (including ones answered with an error). */
  readonly requests: ReceivedRequest[] = []
  readonly #accepted: Array<{ path: string; records: JsonObject[] }> = []

  /** Records `request`; returns its index. */
  receive(request: ReceivedRequest): number {
    return this.requests.push(request) - 1
  }

  /** `request` was answered with `status`: its records count as delivered on a 2xx. */
  answered(request: ReceivedRequest, status: number): void {
    if (status >= 200 && status < 300) this.#accepted.push({ path: request.path, records: request.records })
  }

  /** Records that arrived in requests answered with success, per path (e.g. `/track`). */
  delivered(path?: string): JsonObject[] {
    return this.#accepted.filter((a) => path === undefined || a.path === path).flatMap((a) => a.records)
  }

  /** Distinct `$insert_id`s among delivered events. */
  uniqueInsertIds(): Set<string> {
    const ids = new Set<string>()
    for (const { records } of this.#accepted) {
      for (const record of records) {
        const id = (record.properties as JsonObject | undefined)?.$insert_id
        if (typeof id === 'string') ids.add(id)
      }
    }
    return ids
  }

  /** Forgets every request and delivered record. */
  reset(): void {
    this.requests.length = 0
    this.#accepted.length = 0
  }
}

/** The default success answer to `req`, as Mixpanel gives it. */
export function defaultBody(req: ReceivedRequest): object {
  if (req.path.endsWith('/import'))
    return { code: 200, num_records_imported: req.records.length, status: 'OK' }
  return { status: 1, error: null }
}

/**
 * Decodes one request: the body is gunzipped when `content-encoding` says so, and its records are
 * read from a JSON array, NDJSON, a form's `data=` (raw or base64) or a GET's `?data=`.
 */
export function decodeRequest(
  method: string,
  target: string,
  headers: IncomingHttpHeaders,
  raw: Buffer,
): ReceivedRequest {
  const url = new URL(target, 'http://receiver')
  const base = { method, path: url.pathname, query: url.searchParams, headers }
  let body = ''
  try {
    body = (headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')
    return { ...base, body, records: parseRecords(body, headers['content-type'] ?? '', url.searchParams) }
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
