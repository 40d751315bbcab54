import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonObject } from '../message/index.js'
import type { IngestContext } from './context.js'
import {
  discard,
  HttpError,
  jsonReply,
  mediaType,
  type Reply,
  readBody,
  sendReply,
  textReply,
} from './http-io.js'
import { checkIglu } from './iglu-check.js'
import { CORS } from './mixpanel-ingest.js'
import { isObject } from './mixpanel-rules.js'
import { requestRecord } from './request-record.js'
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
 * `GET /i` (one event in the query string). Every payload is stored, good or bad (checked against
 * payload_data, the user's Iglu schemas and the validators); the sender is answered 200 as a
 * Snowplow collector does, unless the request itself is malformed (4xx) or a payload is nested
 * deeper than the collector keeps (400, the other payloads stored).
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
  let body: Buffer | undefined
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
      body = await readBody(req, ctx.limits)
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
    const reply = jsonReply(error.status, { error: error.message }, CORS)
    ctx.refuse(requestRecord(req, url, body, reply), ctx.clock.now())
    sendReply(res, reply)
    return
  }

  const items = payloads.map((payload) => judge(payload, path, envelopeSchema, ctx))
  const deep = items.filter((item) => item.issues.some((issue) => issue.code === 'too_deep_json')).length
  const reply: Reply =
    deep > 0
      ? jsonReply(
          400,
          {
            error: `${deep} of ${items.length} payloads are nested deeper than the collector keeps; the others were stored`,
          },
          CORS,
        )
      : path === PIXEL_PATH
        ? { status: 200, headers: { 'content-type': 'image/gif', ...CORS }, body: PIXEL }
        : textReply(200, 'ok', CORS)
  ctx.commit(items, requestRecord(req, url, body, reply), ctx.clock.now())
  sendReply(res, reply)
}

function judge(payload: unknown, path: string, envelopeSchema: unknown, ctx: IngestContext): NewItem {
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
  if (ctx.iglu !== undefined && checkIglu(ctx.iglu, item)) item.accepted = false
  if (ctx.validators.length > 0 && event !== undefined && isObject(event.data)) {
    runValidators(
      ctx.validators,
      ctx.snowplowEventName(item.name!),
      event.data as JsonObject,
      'decoded.unstruct.data.data.',
      item.issues,
      ctx.logger,
    )
  }
  return item
}
