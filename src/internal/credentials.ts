import { ConfigError } from '../errors/index.js'
import { checkOptions, optionList } from './validate.js'

/** A Mixpanel service account: for `/import`, flag definitions and the App APIs. */
export interface ServiceAccount {
  /** The service account's user name. */
  username: string
  /** The service account's secret. Never logged, never part of an error message. */
  secret: string
  /** The numeric project id the account may write to. */
  projectId: number | string
}

/** The names of {@link ServiceAccount}'s fields. */
export const SERVICE_ACCOUNT_FIELDS = optionList<ServiceAccount>()({
  username: true,
  secret: true,
  projectId: true,
})

/** The names of a service account's fields where the project is named apart (the App APIs). */
const ACCOUNT_FIELDS = optionList<Omit<ServiceAccount, 'projectId'>>()({ username: true, secret: true })

/**
 * Checks a service account option — the one check of every `serviceAccount` option (ingestion,
 * flags, the collector, the App APIs); throws `ConfigError` naming the bad field (never its
 * value). With `withProjectId` false the account is `{ username, secret }` and the project id is
 * another option (the App APIs' `projectId`): a `projectId` field is then refused as unknown.
 */
export function checkServiceAccount(account: unknown): asserts account is ServiceAccount
export function checkServiceAccount(
  account: unknown,
  withProjectId: false,
): asserts account is Omit<ServiceAccount, 'projectId'>
export function checkServiceAccount(account: unknown, withProjectId = true): void {
  const shape = withProjectId ? '{ username, secret, projectId }' : '{ username, secret }'
  if (typeof account !== 'object' || account === null || Array.isArray(account)) {
    throw new ConfigError('serviceAccount', `expected ${shape} of a Mixpanel service account`)
  }
  checkOptions(account, withProjectId ? SERVICE_ACCOUNT_FIELDS : ACCOUNT_FIELDS, 'serviceAccount')
  const fields = account as Partial<ServiceAccount>
  if (typeof fields.username !== 'string' || fields.username === '') {
    throw new ConfigError('serviceAccount.username', 'expected a non-empty string')
  }
  if (typeof fields.secret !== 'string' || fields.secret === '') {
    throw new ConfigError('serviceAccount.secret', 'expected a non-empty string')
  }
  if (withProjectId && !/^\d+$/.test(String(fields.projectId))) {
    throw new ConfigError('serviceAccount.projectId', 'expected a numeric project id')
  }
}

/** An HTTP Basic `Authorization` header value. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}
