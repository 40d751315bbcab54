import type { IncomingMessage } from 'node:http'
import type { Reply } from './http-io.js'
import type { NewRequest } from './storage.js'
import { REQUEST_BODY_LIMIT } from './types.js'

/** Request headers whose values are credentials: kept as `[redacted]` (the auth scheme stays visible). */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-auth-token',
])
/** Query and form parameters whose values are credentials. */
const SECRET_PARAMS = new Set([
  'api_key',
  'api_secret',
  'secret',
  'password',
  'access_token',
  'client_secret',
])
const REDACTED = '[redacted]'

/**
 * The record of one ingestion request as the page and `GET /_/requests/:id` show it: method, path
 * and query, headers and body (decoded, cut at {@link REQUEST_BODY_LIMIT} characters), and the
 * answer sent. Credentials never reach it: secret headers, and secret parameters in the query
 * string and in form bodies, are replaced by `[redacted]`.
 */
export function requestRecord(
  req: IncomingMessage,
  url: URL,
  body: Buffer | undefined,
  reply: Reply,
): NewRequest {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? value.join(', ') : value
    headers[name] = SECRET_HEADERS.has(name) ? redactHeader(text) : text
  }
  let text = body === undefined ? '' : body.toString('utf8')
  const truncated = text.length > REQUEST_BODY_LIMIT
  if (truncated) text = text.slice(0, REQUEST_BODY_LIMIT)
  return {
    method: req.method ?? 'GET',
    url: `${url.pathname}${redactQuery(url.search)}`,
    headers,
    body: redactForm(text),
    bodyBytes: body?.length ?? 0,
    bodyTruncated: truncated,
    response: {
      status: reply.status,
      headers: { ...reply.headers },
      body:
        typeof reply.body === 'string'
          ? reply.body
          : `(${reply.headers['content-type'] ?? 'binary'}, ${reply.body.length} bytes)`,
    },
  }
}

/** Keeps the scheme of an `Authorization` header (`Basic`, `Bearer`), never the credentials. */
function redactHeader(value: string): string {
  const scheme = /^([A-Za-z]+)\s+\S/.exec(value)
  return scheme === null ? REDACTED : `${scheme[1]} ${REDACTED}`
}

/** A query string (`?a=1&api_key=x`) with secret parameters redacted. */
export function redactQuery(search: string): string {
  if (search === '' || search === '?') return ''
  return `?${redactForm(search.slice(1))}`
}

/** `a=1&api_secret=x` form text with secret parameters redacted; other text unchanged. */
function redactForm(text: string): string {
  if (!text.includes('=')) return text
  return text.replace(/(^|&)([^=&]*)=([^&]*)/g, (whole, lead: string, name: string) => {
    let key: string
    try {
      key = decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase()
    } catch {
      return whole
    }
    return SECRET_PARAMS.has(key) ? `${lead}${name}=${REDACTED}` : whole
  })
}
