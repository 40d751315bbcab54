/**
 * Suggestions for option names eventwire does not know: names of the official Mixpanel SDKs
 * (`host`, `api_host`, `secret`, `keepAlive`...), of the Snowplow trackers and the Python APIs
 * eventwire's consumers follow (`batch_size`, `event_store`, `flush_interval`, `max_size`,
 * `retry_limit`, `request_timeout`, `buffer_capacity`...), of other analytics SDKs (`flushAt`,
 * `maxQueueSize`...), eventwire's own former names (`eventStore`), and plain misspellings.
 */

/**
 * Other names for eventwire's options, by normalised name (lower case, no `_` or `-`), each with
 * the eventwire names it may mean, most likely first; the first one the object knows is suggested.
 * Spellings that only differ by case, `_`, `-` or a missing `Ms` unit need no entry.
 */
const OTHER_NAMES: Readonly<Record<string, readonly string[]>> = {
  host: ['apiHost', 'endpoint', 'redis'],
  url: ['redis', 'apiHost', 'endpoint'],
  uri: ['redis', 'apiHost', 'endpoint'],
  redisurl: ['redis'],
  connection: ['redis'],
  password: ['redis'],
  protocol: ['apiHost'],
  eventstore: ['store'],
  storage: ['store', 'db'],
  buffersize: ['batchSize', 'maxSize'],
  batchsize: ['batchSize', 'maxSize'],
  maxbatchsize: ['batchSize', 'maxSize'],
  flushat: ['batchSize', 'maxSize'],
  maxsize: ['maxSize', 'batchSize'],
  maxqueuesize: ['bufferCapacity'],
  queuesize: ['bufferCapacity'],
  maxbuffersize: ['bufferCapacity'],
  capacity: ['bufferCapacity'],
  flushinterval: ['flushIntervalMs'],
  flushintervalseconds: ['flushIntervalMs'],
  timeoutinterval: ['flushIntervalMs'],
  maxretrydelayseconds: ['maxRetryDelayMs'],
  retrybackoff: ['retryBackoffFactor'],
  maxretries: ['retryLimit'],
  retries: ['retryLimit'],
  retrycount: ['retryLimit'],
  timeout: ['requestTimeoutMs'],
  requesttimeout: ['requestTimeoutMs'],
  httprequesttimeout: ['requestTimeoutMs'],
  secret: ['serviceAccount', 'apiSecret'],
  apikey: ['serviceAccount', 'apiSecret'],
  apisecret: ['apiSecret', 'serviceAccount'],
  serviceaccountsecret: ['serviceAccount'],
  serviceaccountusername: ['serviceAccount'],
  keepalive: ['dispatcher'],
  session: ['dispatcher'],
  agent: ['dispatcher'],
  httpagent: ['dispatcher'],
  debug: ['logger'],
  verbose: ['logger'],
  threadcount: ['maxConcurrentRequests', 'concurrency', 'threadCount'],
  threads: ['maxConcurrentRequests', 'concurrency', 'threadCount'],
  concurrency: ['maxConcurrentRequests', 'concurrency'],
  maxconcurrentrequests: ['maxConcurrentRequests', 'concurrency'],
  pollinterval: ['pollingIntervalMs', 'pollIntervalMs'],
  pollingintervalinseconds: ['pollingIntervalMs'],
  pollingintervalseconds: ['pollingIntervalMs'],
  poll: ['enablePolling'],
  database: ['db', 'path'],
  file: ['path', 'db'],
  filename: ['path', 'db'],
  onerror: ['onFailure'],
  onsuccessful: ['onSuccess'],
  emitter: ['emitters'],
  flags: ['localFlags', 'remoteFlags', 'flags'],
  localflagsconfig: ['localFlags'],
  remoteflagsconfig: ['remoteFlags'],
  sdkkey: ['token'],
  projecttoken: ['token'],
  eventprocessor: ['consumer'],
  eventdispatcher: ['consumer'],
  project: ['projectId'],
  gdprsecret: ['gdprToken'],
  oauthtoken: ['gdprToken'],
}

/** Lower case, without `_`, `-`, `.` and spaces: `batch_size` and `batchSize` both become `batchsize`. */
export function normaliseOptionName(name: string): string {
  return name.toLowerCase().replace(/[_\-. ]/g, '')
}

/** How sure a suggestion is: the same name spelt differently, a known other name, or a near miss. */
export type SuggestionKind = 'same' | 'other' | 'close'

/** The order in which suggestions are tried: a surer kind among any list wins over a weaker one. */
export const SUGGESTION_KINDS: readonly SuggestionKind[] = ['same', 'other', 'close']

/**
 * The eventwire name among `names` that `key` means, found the `kind` way, or undefined: `same`
 * for the same name spelt differently (case, `_`, `-`, a missing `Ms`), `other` for another SDK's
 * name ({@link OTHER_NAMES}), `close` for the nearest misspelling.
 */
export function suggestOptionName(
  key: string,
  names: readonly string[],
  kind: SuggestionKind,
): string | undefined {
  const wanted = normaliseOptionName(key)
  if (kind === 'same') {
    const byNormal = new Map(names.map((name) => [normaliseOptionName(name), name]))
    return byNormal.get(wanted) ?? byNormal.get(`${wanted}ms`)
  }
  if (kind === 'other') return (OTHER_NAMES[wanted] ?? []).find((candidate) => names.includes(candidate))
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  const limit = wanted.length <= 4 ? 1 : wanted.length <= 8 ? 2 : 3
  for (const name of names) {
    const distance = editDistance(wanted, normaliseOptionName(name), limit)
    if (distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  return bestDistance <= limit ? best : undefined
}

/** Levenshtein distance, giving up (returning `limit + 1`) once it cannot be within `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      current.push(value)
      if (value < rowMin) rowMin = value
    }
    if (rowMin > limit) return limit + 1
    previous = current
  }
  return previous[b.length]!
}
