import { createHash, timingSafeEqual } from 'node:crypto'
import type { ServiceAccount } from '../destinations/index.js'

/** Credentials `/import` accepts when the collector is started with any of them. */
export interface ImportCredentials {
  /** Project token, accepted as the Basic-auth user name with an empty password. */
  token?: string
  /** Legacy project secret, accepted as the Basic-auth user name with an empty password. */
  apiSecret?: string
  /** Service account: Basic `username:secret` plus a matching `project_id` query parameter. */
  serviceAccount?: ServiceAccount
}

/**
 * Checks an `/import` request's `Authorization` header the way Mixpanel does: a service account
 * (with `project_id`), the project token or the legacy project secret. The header may carry
 * `user:password` base64-encoded (standard) or as plain text (Mixpanel accepts both).
 */
export function checkImportAuth(
  authorization: string | undefined,
  query: URLSearchParams,
  credentials: ImportCredentials,
): boolean {
  const parsed = parseBasic(authorization)
  if (parsed === undefined) return false
  const { user, password } = parsed
  const account = credentials.serviceAccount
  if (
    account !== undefined &&
    same(user, account.username) &&
    same(password, account.secret) &&
    query.get('project_id') === String(account.projectId)
  ) {
    return true
  }
  if (password !== '') return false
  if (credentials.token !== undefined && same(user, credentials.token)) return true
  return credentials.apiSecret !== undefined && same(user, credentials.apiSecret)
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header?.trim() ?? '')
  if (match === null) return undefined
  const value = match[1]!.trim()
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64').toString('utf8') : value
  const text = decoded.includes(':') ? decoded : value
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  return { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** Constant-time string comparison (compares digests, so lengths leak nothing either). */
function same(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db)
}
