import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FlagContext } from '../flags/index.js'
import type { Logger } from '../internal/index.js'
import type { FlagsEvaluator, FlagsSource } from './flags-source.js'
import { discard, send, sendJson } from './http-io.js'
import { depthOf, MAX_JSON_DEPTH } from './json-depth.js'
import { CORS } from './mixpanel-ingest.js'
import { isObject } from './mixpanel-rules.js'

/** What the flag routes need. */
export interface FlagsContext {
  source: FlagsSource
  evaluator: FlagsEvaluator
  logger: Logger
}

/**
 * `GET /flags/definitions` (the definitions file, with ETag / `If-None-Match` → 304) and
 * `GET /flags?context=<json>&flag_key=` (remote evaluation: `{code, flags: {key: variant}}`).
 */
export async function handleFlags(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: FlagsContext,
): Promise<void> {
  discard(req)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { code: 405, error: 'use GET' })
    return
  }
  if (path === '/flags/definitions') {
    const snapshot = ctx.source.current()
    const headers = { etag: snapshot.etag, 'cache-control': 'no-cache', ...CORS }
    if (matches(req.headers['if-none-match'], snapshot.etag)) {
      res.writeHead(304, headers).end()
      return
    }
    send(res, 200, snapshot.body, { 'content-type': 'application/json; charset=utf-8', ...headers })
    return
  }
  const context = contextParam(url)
  if (context === undefined) {
    sendJson(res, 400, { code: 400, error: 'distinct_id must be provided in evalContext as a string' }, CORS)
    return
  }
  const flagKey = url.searchParams.get('flag_key') ?? undefined
  try {
    const flags = await ctx.evaluator(ctx.source.current().definitions, context, flagKey)
    sendJson(res, 200, { code: 200, flags }, CORS)
  } catch (error) {
    ctx.logger.error({ err: (error as Error).message }, 'flag evaluation failed')
    sendJson(res, 500, { code: 500, error: `flag evaluation failed: ${(error as Error).message}` }, CORS)
  }
}

/**
 * The `context` query parameter as an evaluation context: a JSON object with a string
 * `distinct_id`, nested at most {@link MAX_JSON_DEPTH} deep; undefined when it is not one.
 */
export function contextParam(url: URL): FlagContext | undefined {
  let context: unknown
  try {
    context = JSON.parse(url.searchParams.get('context') ?? '')
  } catch {
    return undefined
  }
  if (!isObject(context) || typeof context.distinct_id !== 'string' || depthOf(context) > MAX_JSON_DEPTH) {
    return undefined
  }
  return context as FlagContext
}

function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag || t === `W/${etag}`
  })
}
