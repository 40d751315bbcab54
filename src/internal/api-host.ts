import { ConfigError } from '../errors/index.js'
import { redactPatterns } from './redact.js'

/** Mixpanel data-residency region. */
export type Region = 'us' | 'eu' | 'in'

/** Ingestion hosts by region. */
export const REGION_HOSTS: Readonly<Record<Region, string>> = {
  us: 'api.mixpanel.com',
  eu: 'api-eu.mixpanel.com',
  in: 'api-in.mixpanel.com',
}

/**
 * Turns `apiHost` (a bare host such as `api-eu.mixpanel.com`, https implied, or a full origin such
 * as `http://127.0.0.1:4000`) or `region` into an origin without a trailing slash.
 * `apiHost` wins when both are given (it may point at a proxy in the region's path).
 */
export function resolveOrigin(apiHost: unknown, region: unknown, optionName = 'apiHost'): string {
  if (region !== undefined && !(typeof region === 'string' && region in REGION_HOSTS)) {
    throw new ConfigError('region', `expected 'us', 'eu' or 'in', got ${JSON.stringify(region)}`)
  }
  if (apiHost === undefined) return `https://${REGION_HOSTS[(region as Region | undefined) ?? 'us']}`
  if (typeof apiHost !== 'string' || apiHost.trim() === '') {
    throw new ConfigError(optionName, 'expected a host name or an origin such as https://api.mixpanel.com')
  }
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(apiHost) ? apiHost : `https://${apiHost}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ConfigError(optionName, `"${redactPatterns(apiHost)}" is not a valid host or origin`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(optionName, `only http and https are supported, got ${url.protocol}`)
  }
  if (url.username || url.password) {
    throw new ConfigError(optionName, 'credentials must not be embedded in the host; use serviceAccount')
  }
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.origin}${path}`
}

/**
 * Checks a full endpoint URL override such as `eventsUrl`. Credentials in the URL
 * (`https://user:secret@host`) are refused: HTTP clients do not send them, and they would end up
 * in messages; use `serviceAccount`.
 */
export function urlOption(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new ConfigError(name, 'expected an absolute http(s) URL')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(name, `"${redactPatterns(value)}" is not an absolute URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(name, `only http and https are supported, got ${url.protocol}`)
  }
  if (url.username || url.password) {
    throw new ConfigError(
      name,
      'credentials must not be embedded in the URL (they are never sent); use serviceAccount',
    )
  }
  return value
}
