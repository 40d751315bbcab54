import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonObject } from '../internal/index.js'
import type { IngestContext } from './context.js'
import { discard, HttpError, mediaType, readBody, send, sendJson, sendText } from './http-io.js'
import { CORS } from './mixpanel-ingest.js'
import { isObject } from './mixpanel-rules.js'
import { checkSnowplowPayload, PAYLOAD_DATA_PREFIX } from './snowplow-rules.js'
import type { NewItem } from './types.js'
import { runValidators } from './validators.js'

/** Snowplow's tp2 POST path. */
export const TP2_PATH = '/com.snowplowanalytics.snowplow/tp2'
/** Snowplow's GET (pixel) path. */
export const PIXEL_PATH = '/i'

/** A 1×1 transparent GIF, the answer to `GET /i`. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')
const JSON_TYPES = new Set(['', 'application/json', 'text/plain'])

/**
 * Handles Snowplow's `POST /com.snowplowanalytics.snowplow/tp2` (a payload_data envelope) and
 * `GET /i` (one event in the query string). Every payload is stored, good or bad; the sender is
 * answered 200 as a Snowplow collector does, unless the request itself is malformed (4xx).
 */
export async function handleSnowplow(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: IngestContext,
): Promise<void> {
  let payloads: unknown[]
  let envelopeSchema: unknown
  try {
    if (path === PIXEL_PATH) {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET for /i')
      discard(req)
      if (url.searchParams.size === 0) throw new HttpError(400, 'no event parameters in the query string')
      payloads = [Object.fromEntries(url.searchParams)]
    } else {
      if (req.method !== 'POST') throw new HttpError(405, `use POST for ${TP2_PATH}`)
      const type = mediaType(req)
      if (!JSON_TYPES.has(type)) {
        throw new HttpError(415, `unsupported Content-Type ${JSON.stringify(type)}: send application/json`)
      }
      const body = await readBody(req, ctx.limits)
      let parsed: unknown
      try {
        parsed = JSON.parse(body.toString('utf8'))
      } catch (error) {
        throw new HttpError(400, `malformed JSON: ${(error as Error).message}`)
      }
      if (!isObject(parsed) || !Array.isArray(parsed.data) || parsed.data.length === 0) {
        throw new HttpError(400, 'expected a payload_data envelope {"schema": "iglu:…", "data": [ … ]}')
      }
      envelopeSchema = parsed.schema
      payloads = parsed.data
    }
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    discard(req)
    ctx.store.countRequest()
    ctx.publishStats()
    sendJson(res, error.status, { error: error.message }, CORS)
    return
  }

  const items: NewItem[] = payloads.map((payload) => {
    const item = checkSnowplowPayload(payload, path)
    if (
      envelopeSchema !== undefined &&
      !(typeof envelopeSchema === 'string' && envelopeSchema.startsWith(PAYLOAD_DATA_PREFIX))
    ) {
      item.issues.push({
        code: 'invalid_envelope_schema',
        path: '',
        message: `the body's schema must be ${PAYLOAD_DATA_PREFIX}x-y`,
        source: 'snowplow',
      })
      item.accepted = false
    }
    const event = item.unstruct
    delete item.unstruct
    if (ctx.validators.length > 0 && event !== undefined && isObject(event.data)) {
      runValidators(
        ctx.validators,
        item.name!,
        event.data as JsonObject,
        'decoded.unstruct.data.data.',
        item.issues,
        ctx.logger,
      )
    }
    return item
  })
  ctx.publish(ctx.store.ingest(items, ctx.clock.now()))
  if (path === PIXEL_PATH) send(res, 200, PIXEL, { 'content-type': 'image/gif', ...CORS })
  else sendText(res, 200, 'ok', CORS)
}
