import { APP_HOSTS, REGION_HOSTS, type Region, resolveOrigin } from '../internal/index.js'

/**
 * Where the App APIs (GDPR, Lexicon Schemas) live for a bulk command: the region's App host, or
 * `apiHost` when it points elsewhere (a local receiver, a proxy). A Mixpanel ingestion host given
 * as `apiHost` (`api-eu.mixpanel.com`) maps to its region's App host, so one `--api-host` serves
 * every command. Returns either `{ region }` or `{ apiHost }` (an origin without `/api/app`).
 */
export function appTarget(
  apiHost: string | undefined,
  region: Region | undefined,
): { region?: Region; apiHost?: string } {
  if (apiHost === undefined) return { region: region ?? 'us' }
  const origin = resolveOrigin(apiHost, region)
  for (const [name, host] of Object.entries(REGION_HOSTS) as Array<[Region, string]>) {
    if (origin === `https://${host}`) return { region: name }
  }
  return { apiHost: origin }
}

/** The App API base URL (ending in `/api/app`) for {@link appTarget}'s answer. */
export function appBaseUrl(target: { region?: Region; apiHost?: string }): string {
  return `${target.apiHost ?? APP_HOSTS[target.region ?? 'us']}/api/app`
}
