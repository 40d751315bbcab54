import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonObject, JsonValue } from '../message/index.js'
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
import { checkImportAuth } from './import-auth.js'
import { type DecodedRequest, decodeMixpanelRequest, type RecordProblem } from './mixpanel-decode.js'
import { checkEventRecord, checkUpdateRecord, isObject, PROFILE_OPERATIONS } from './mixpanel-rules.js'
import { requestRecord } from './request-record.js'
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
 * `failed_records` (a form-encoded `/import` without `strict` is answered like `/track`). Records
 * that cannot be read (an NDJSON line that is not JSON, nesting past `MAX_JSON_DEPTH`) are stored
 * as refused and the request is answered 400 naming them; the other records count as usual.
 */
export async function handleMixpanel(
  path: MixpanelPath,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: IngestContext,
): Promise<void> {
  let decoded: DecodedRequest
  let body: Buffer | undefined
  try {
    if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(405, 'use GET or POST')
    if (path === '/import' && ctx.credentials !== undefined) {
      if (!checkImportAuth(req.headers.authorization, url.searchParams, ctx.credentials)) {
        throw new HttpError(401, 'Invalid credentials')
      }
    }
    body = await readBody(req, ctx.limits)
    decoded = decodeMixpanelRequest(req.method, mediaType(req), body, url.searchParams)
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    discard(req)
    ctx.logger.debug({ path, status: error.status, reason: error.message }, 'request refused')
    const reply = refusal(path, error)
    ctx.refuse(requestRecord(req, url, body, reply), ctx.clock.now())
    sendReply(res, reply)
    return
  }

  const { records, params, form, problems } = decoded
  const now = ctx.clock.now()
  const rules = { now, token: ctx.token }
  const items = records.map((record, index) => {
    const problem = problems.get(index)
    const item =
      problem?.code === 'malformed_json'
        ? unreadable(path, record as string)
        : judge(path, record, JSON.stringify(record), rules, ctx)
    if (problem !== undefined) {
      item.issues.unshift({ code: problem.code, path: '', message: problem.message, source: 'mixpanel' })
      item.accepted = false
    }
    return item
  })

  const accepted = items.reduce((n, item) => n + (item.accepted ? 1 : 0), 0)
  const strict = params.get('strict') === '1'
  let reply: Reply
  if (problems.size > 0) {
    reply = unreadableReply(path, items, problems, accepted)
  } else if (path === '/import' && (strict || !form)) {
    // SDKs that send `data=` to /import (Python, the npm package) expect /track's answer shape.
    reply = answerImport(items, accepted, strict)
  } else {
    const ok = accepted > 0
    reply =
      params.get('verbose') === '1'
        ? jsonReply(200, { status: ok ? 1 : 0, error: ok ? null : firstProblem(items) }, CORS)
        : textReply(200, ok ? '1' : '0', CORS)
  }
  ctx.commit(items, requestRecord(req, url, body, reply), now)
  sendReply(res, reply)
}

/** Checks one record against Mixpanel's rules and the validators. */
function judge(
  path: MixpanelPath,
  record: unknown,
  json: string,
  rules: { now: number; token: string | undefined },
  ctx: IngestContext,
): NewItem {
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
}

/** A line that is not JSON, stored as its text. */
function unreadable(path: MixpanelPath, text: string): NewItem {
  return {
    source: 'mixpanel',
    endpoint: path,
    kind: path === '/engage' ? 'user' : path === '/groups' ? 'group' : 'event',
    name: null,
    distinctId: null,
    groupKey: null,
    insertId: null,
    time: null,
    issues: [],
    payload: text,
    accepted: false,
  }
}

/**
 * The answer to a request some of whose records could not be read (not JSON, or nested too deep):
 * 400 naming them; the other records were judged one by one and the accepted ones stored.
 */
function unreadableReply(
  path: MixpanelPath,
  items: NewItem[],
  problems: Map<number, RecordProblem>,
  accepted: number,
): Reply {
  const first = [...problems.entries()][0]!
  const error = `${problems.size} of ${items.length} records cannot be read (record ${first[0] + 1}: ${first[1].message}); the others were judged one by one, ${accepted} accepted`
  if (path === '/import') {
    const answer = answerImport(items, accepted, true)
    return jsonReply(400, {
      ...(JSON.parse(answer.body as string) as JsonObject),
      code: 400,
      error,
      status: 'Bad Request',
    })
  }
  return jsonReply(400, { status: 0, error }, CORS)
}

/** Headers letting browser SDKs on other origins send to the collector. */
export const CORS = { 'access-control-allow-origin': '*' }

function answerImport(items: NewItem[], accepted: number, strict: boolean): Reply {
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
    return jsonReply(400, {
      code: 400,
      error: `${failed.length} of ${items.length} records failed validation`,
      status: 'Bad Request',
      num_records_imported: accepted,
      failed_records: failed,
    })
  }
  return jsonReply(200, { code: 200, num_records_imported: accepted, status: 'OK' })
}

function refusal(path: MixpanelPath, error: HttpError): Reply {
  if (path === '/import') {
    return jsonReply(error.status, {
      code: error.status,
      error: error.message,
      status: STATUS_TEXT[error.status] ?? 'Error',
    })
  }
  return jsonReply(error.status, { status: 0, error: error.message }, CORS)
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
