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

/** Checks a service account option; throws `ConfigError` naming the bad field (never its value). */
export function checkServiceAccount(account: ServiceAccount): void {
  if (typeof account !== 'object' || account === null) {
    throw new ConfigError('serviceAccount', 'expected { username, secret, projectId }')
  }
  checkOptions(account, SERVICE_ACCOUNT_FIELDS, 'serviceAccount')
  if (typeof account.username !== 'string' || account.username === '') {
    throw new ConfigError('serviceAccount.username', 'expected a non-empty string')
  }
  if (typeof account.secret !== 'string' || account.secret === '') {
    throw new ConfigError('serviceAccount.secret', 'expected a non-empty string')
  }
  if (!/^\d+$/.test(String(account.projectId))) {
    throw new ConfigError('serviceAccount.projectId', 'expected a numeric project id')
  }
}

/** An HTTP Basic `Authorization` header value. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}
