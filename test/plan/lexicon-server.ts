// A loopback server implementing the documented Lexicon Schemas API endpoints, for tests.
import { type ReceivedRequest, type ScriptedResponse, startTestReceiver } from '../../src/testing/index.js'

/** One stored schema. */
export interface StoredSchema {
  entityType: string
  name: string
  schemaJson: Record<string, unknown>
}

/** One request as received. */
export interface LexiconRequest {
  method: string
  path: string
  authorization: string | undefined
  body: unknown
  /** Server time (the injected `now`) when it arrived. */
  at: number
}

/** A scripted answer replacing the normal one. */
export type Scripted = { status: number; body: unknown; headers?: Record<string, string> } | undefined

export interface LexiconServer {
  readonly origin: string
  readonly requests: LexiconRequest[]
  readonly schemas: Map<string, StoredSchema>
  /** Requests refused because more than 5 arrived within 60 s of server time. */
  rateLimited: number
  script(fn: ((req: LexiconRequest, index: number) => Scripted) | undefined): void
  close(): Promise<void>
}

export interface LexiconServerOptions {
  projectId: number
  username: string
  secret: string
  /** Server clock (share the client's fake clock to check its rate limiting). */
  now?: () => number
}

/**
 * Starts the server (the test receiver, with Lexicon's routes as its handler) on 127.0.0.1 and a
 * free port. Routes under `/api/app/projects/{id}`:
 * `GET|POST|DELETE /schemas`, `GET|DELETE /schemas/{entityType}`,
 * `GET|POST|DELETE /schemas/{entityType}/{name}`. Basic auth with the service account; more than
 * five requests in 60 s answer 429. Metadata missing from an upload is merged from the stored
 * schema, as Mixpanel documents.
 */
export async function startLexiconServer(options: LexiconServerOptions): Promise<LexiconServer> {
  const now = options.now ?? Date.now
  const expected = `Basic ${Buffer.from(`${options.username}:${options.secret}`).toString('base64')}`
  const schemas = new Map<string, StoredSchema>()
  const requests: LexiconRequest[] = []
  let scripted: ((req: LexiconRequest, index: number) => Scripted) | undefined
  const state = { rateLimited: 0 }

  const key = (entityType: string, name: string) => `${entityType}\u0000${name}`
  const merge = (entry: StoredSchema) => {
    const old = schemas.get(key(entry.entityType, entry.name))
    const oldMeta = ((old?.schemaJson.metadata as Record<string, unknown> | undefined)?.['com.mixpanel'] ??
      {}) as Record<string, unknown>
    const meta = {
      ...oldMeta,
      ...(((entry.schemaJson.metadata as Record<string, unknown> | undefined)?.['com.mixpanel'] ??
        {}) as Record<string, unknown>),
    }
    for (const [k, v] of Object.entries(meta)) if (v === null) delete meta[k]
    schemas.set(key(entry.entityType, entry.name), {
      ...entry,
      schemaJson: { ...entry.schemaJson, metadata: { 'com.mixpanel': meta } },
    })
  }
  const valid = (e: unknown): e is StoredSchema => {
    const x = e as StoredSchema
    return (
      x !== null &&
      typeof x === 'object' &&
      (x.entityType === 'event' || x.entityType === 'profile') &&
      typeof x.name === 'string' &&
      x.name !== '' &&
      x.schemaJson !== null &&
      typeof x.schemaJson === 'object'
    )
  }

  function handle(req: ReceivedRequest): ScriptedResponse {
    let body: unknown
    try {
      body = req.body === '' ? undefined : JSON.parse(req.body)
    } catch {
      body = req.body
    }
    const record: LexiconRequest = {
      method: req.method,
      path: req.path,
      authorization: req.headers.authorization,
      body,
      at: now(),
    }
    requests.push(record)
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => ({
      status,
      body: JSON.stringify(payload),
      headers,
    })
    const script = scripted?.(record, requests.length - 1)
    if (script) return send(script.status, script.body, script.headers)
    if (requests.filter((r) => r.at > record.at - 60_000).length > 5) {
      state.rateLimited++
      return send(429, { error: 'rate limit exceeded', status: 'error' }, { 'retry-after': '60' })
    }
    if (req.headers.authorization !== expected) return send(401, { error: 'Unauthorized', status: 'error' })
    const m = /^\/api\/app\/projects\/(\d+)\/schemas(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(req.path)
    if (!m) return send(404, { error: 'not found', status: 'error' })
    if (Number(m[1]) !== options.projectId) return send(404, { error: 'project not found', status: 'error' })
    const entityType = m[2] === undefined ? undefined : decodeURIComponent(m[2])
    const name = m[3] === undefined ? undefined : decodeURIComponent(m[3])
    const select = (entity?: string, n?: string) =>
      [...schemas.values()].filter(
        (s) => (entity === undefined || s.entityType === entity) && (n === undefined || s.name === n),
      )
    switch (req.method) {
      case 'GET':
        return send(200, {
          results: select(entityType, name ?? req.query.get('entity_name') ?? undefined),
          status: 'ok',
        })
      case 'DELETE': {
        const gone = select(entityType, name ?? req.query.get('entity_name') ?? undefined)
        for (const s of gone) schemas.delete(key(s.entityType, s.name))
        return send(200, { results: { delete_count: gone.length }, status: 'ok' })
      }
      case 'POST': {
        if (entityType !== undefined && name !== undefined) {
          if (body === null || typeof body !== 'object')
            return send(400, { error: 'body must be a schema', status: 'error' })
          merge({ entityType, name, schemaJson: body as Record<string, unknown> })
          return send(200, { status: 'ok' })
        }
        const entries = (body as { entries?: unknown })?.entries
        if (!Array.isArray(entries)) return send(400, { error: 'entries is required', status: 'error' })
        const bad = entries.findIndex((e) => !valid(e))
        if (bad !== -1)
          return send(400, { error: `entries[${bad}] is not a valid schema entry`, status: 'error' })
        let deleted = 0
        if ((body as { truncate?: unknown }).truncate === true) {
          deleted = schemas.size
          schemas.clear()
        }
        for (const e of entries as StoredSchema[]) merge(e)
        return send(200, { results: { added: entries.length, deleted }, status: 'ok' })
      }
      default:
        return send(405, { error: 'method not allowed', status: 'error' })
    }
  }

  const receiver = await startTestReceiver(handle)
  return {
    origin: receiver.origin,
    requests,
    schemas,
    get rateLimited() {
      return state.rateLimited
    },
    set rateLimited(n: number) {
      state.rateLimited = n
    },
    script(fn) {
      scripted = fn
    },
    close: () => receiver.close(),
  }
}
