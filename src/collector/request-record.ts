import type { IncomingMessage } from 'node:http'
import { redactForm, redactHeaders, redactQuery } from '../internal/index.js'
import type { Reply } from './http-io.js'
import type { NewRequest } from './storage.js'
import { REQUEST_BODY_LIMIT } from './types.js'

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
  const raw: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    raw[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const headers = redactHeaders(raw, true)
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
