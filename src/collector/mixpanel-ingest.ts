import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonObject, JsonValue } from '../internal/index.js'
import type { IngestContext } from './context.js'
import { discard, HttpError, mediaType, readBody, sendJson, sendText } from './http-io.js'
import { checkImportAuth } from './import-auth.js'
import { decodeMixpanelRequest } from './mixpanel-decode.js'
import { checkEventRecord, checkUpdateRecord, isObject, PROFILE_OPERATIONS } from './mixpanel-rules.js'
import type { NewItem } from './types.js'
import { callerProperties, runUpdateValidators, runValidators } from './validators.js'

/** The Mixpanel ingestion paths the collector serves. */
export type MixpanelPath = '/track' | '/engage' | '/groups' | '/import'

/** True when `path` is one of the Mixpanel ingestion paths. */
export function isMixpanelPath(path: string): path is MixpanelPath {
  return path === '/track' || path === '/engage' || path === '/groups' || path === '/import'
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
}

/**
 * Handles `/track`, `/engage`, `/groups` and `/import`: checks `/import` credentials (when the
 * collector has some), decodes the body, checks every record against Mixpanel's rules and the
 * validators, stores all of them (good and bad) in one transaction and answers in Mixpanel's
 * shapes: `1`/`0` or `{status, error}` with `verbose=1`; for `/import` with a JSON body or
 * `strict=1`, `{code, num_records_imported, status}`, and with `strict=1` a 400 listing
 * `failed_records` (a form-encoded `/import` without `strict` is answered like `/track`).
 */
export async function handleMixpanel(
  path: MixpanelPath,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: IngestContext,
): Promise<void> {
  let records: unknown[]
  let params: URLSearchParams
  let form: boolean
  try {
    if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(405, 'use GET or POST')
    if (path === '/import' && ctx.credentials !== undefined) {
      if (!checkImportAuth(req.headers.authorization, url.searchParams, ctx.credentials)) {
        throw new HttpError(401, 'Invalid credentials')
      }
    }
    const body = await readBody(req, ctx.limits)
    ;({ records, params, form } = decodeMixpanelRequest(req.method, mediaType(req), body, url.searchParams))
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    discard(req)
    ctx.store.countRequest()
    ctx.publishStats()
    ctx.logger.debug({ path, status: error.status, reason: error.message }, 'request refused')
    refuse(path, res, error)
    return
  }

  const now = ctx.clock.now()
  const rules = { now, token: ctx.token }
  const items: NewItem[] = records.map((record) => {
    const json = JSON.stringify(record)
    if (path === '/track' || path === '/import') {
      const item = checkEventRecord(record, path, json, rules)
      item.json = json
      const props = isObject(record) ? record.properties : undefined
      if (ctx.validators.length > 0 && item.name !== null && isObject(props)) {
        runValidators(
          ctx.validators,
          item.name,
          callerProperties(props),
          'properties.',
          item.issues,
          ctx.logger,
        )
      }
      return item
    }
    const item = checkUpdateRecord(record, path, json, rules)
    item.json = json
    if (ctx.validators.length > 0 && isObject(record)) {
      const operations = PROFILE_OPERATIONS.filter((op) => op in record && op !== '$delete').map(
        (operation) => ({
          kind: item.kind === 'group' ? ('group' as const) : ('user' as const),
          groupKey: item.groupKey,
          operation,
          value: record[operation] as JsonValue,
        }),
      )
      runUpdateValidators(ctx.validators, operations, item.issues, ctx.logger)
    }
    return item
  })
  ctx.publish(ctx.store.ingest(items, now))

  const accepted = items.reduce((n, item) => n + (item.accepted ? 1 : 0), 0)
  const strict = params.get('strict') === '1'
  // SDKs that send `data=` to /import (Python, the npm package) expect /track's answer shape.
  if (path === '/import' && (strict || !form)) {
    answerImport(res, items, accepted, strict)
    return
  }
  const ok = accepted > 0
  if (params.get('verbose') === '1') {
    sendJson(res, 200, { status: ok ? 1 : 0, error: ok ? null : firstProblem(items) }, CORS)
  } else {
    sendText(res, 200, ok ? '1' : '0', CORS)
  }
}

/** Headers letting browser SDKs on other origins send to the collector. */
export const CORS = { 'access-control-allow-origin': '*' }

function answerImport(res: ServerResponse, items: NewItem[], accepted: number, strict: boolean): void {
  const failed = items.flatMap((item, index) => {
    if (item.accepted) return []
    const issue = item.issues.find((i) => i.source === 'mixpanel')
    return [
      {
        index,
        $insert_id: item.insertId ?? insertIdOf(item.payload),
        field: issue?.path ?? '',
        message: issue?.message ?? 'refused',
      },
    ]
  })
  if (strict && failed.length > 0) {
    sendJson(res, 400, {
      code: 400,
      error: `${failed.length} of ${items.length} records failed validation`,
      status: 'Bad Request',
      num_records_imported: accepted,
      failed_records: failed,
    })
    return
  }
  sendJson(res, 200, { code: 200, num_records_imported: accepted, status: 'OK' })
}

function refuse(path: MixpanelPath, res: ServerResponse, error: HttpError): void {
  if (path === '/import') {
    sendJson(res, error.status, {
      code: error.status,
      error: error.message,
      status: STATUS_TEXT[error.status] ?? 'Error',
    })
  } else {
    sendJson(res, error.status, { status: 0, error: error.message }, CORS)
  }
}

function firstProblem(items: NewItem[]): string {
  const issue = items.find((item) => !item.accepted)?.issues[0]
  return issue === undefined
    ? 'no record was accepted'
    : `${issue.path ? `${issue.path}: ` : ''}${issue.message}`
}

function insertIdOf(payload: unknown): string | null {
  const props = isObject(payload) ? (payload as JsonObject).properties : undefined
  const id = isObject(props) ? props.$insert_id : undefined
  return typeof id === 'string' ? id : null
}
