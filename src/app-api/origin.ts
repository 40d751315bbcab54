import { REGION_HOSTS, type Region, resolveOrigin } from '../internal/index.js'

/** Mixpanel's App API origins (Lexicon Schemas, GDPR) by region; the APIs live under `/api/app`. */
export const APP_HOSTS: Readonly<Record<Region, string>> = {
  us: 'https://mixpanel.com',
  eu: 'https://eu.mixpanel.com',
  in: 'https://in.mixpanel.com',
}

/**
 * The App API base URL (ending in `/api/app`) of every App API client and command: the region's
 * App host, or `apiHost` when it points elsewhere (a local receiver, a proxy; its path is kept).
 * A Mixpanel host given as `apiHost` — an ingestion host such as `api-eu.mixpanel.com`, or an App
 * host such as `eu.mixpanel.com` — means its region's App host, so one `--api-host` serves the
 * ingestion and App API commands alike. `apiHost` wins over `region`, as for ingestion.
 *
 * @throws {ConfigError} naming `region` or `apiHost` when either is invalid.
 */
export function appApiBase(apiHost: unknown, region: unknown): string {
  const origin = resolveOrigin(apiHost, region)
  if (apiHost === undefined) return `${APP_HOSTS[(region as Region | undefined) ?? 'us']}/api/app`
  for (const name of Object.keys(REGION_HOSTS) as Region[]) {
    if (origin === `https://${REGION_HOSTS[name]}` || origin === APP_HOSTS[name]) {
      return `${APP_HOSTS[name]}/api/app`
    }
  }
  return `${origin}/api/app`
}
