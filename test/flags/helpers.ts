import type { FlagDefinition, FlagDefinitions, FlagsEvents, FlagVariant } from '../../src/flags/index.js'
import {
  type ReceivedRequest,
  type ScriptedResponse,
  startTestReceiver,
  type TestReceiver,
} from '../../src/testing/index.js'

/** A flag definition with Mixpanel's field names, defaults filled in. */
export function flagDefinition(key: string, extra: Partial<FlagDefinition> = {}): FlagDefinition {
  const variants: FlagVariant[] = [
    { key: 'control', value: false, is_control: true, split: 0.5 },
    { key: 'treatment', value: true, is_control: false, split: 0.5 },
  ]
  return {
    id: `id-${key}`,
    name: key,
    key,
    status: 'enabled',
    project_id: 1,
    context: 'distinct_id',
    experiment_id: `exp-${key}`,
    is_experiment_active: true,
    hash_salt: `salt-${key}`,
    ruleset: { variants, rollout: [{ rollout_percentage: 1 }] },
    ...extra,
  }
}

/** A gate that is on (`true`) for everybody. */
export function gate(key: string, value: unknown = true): FlagDefinition {
  return flagDefinition(key, {
    ruleset: {
      variants: [{ key: 'on', value, is_control: false, split: 1 }],
      rollout: [{ rollout_percentage: 1 }],
    },
  })
}

/** A loopback Mixpanel flags API: `/flags/definitions` with ETags, `/flags` evaluated by a callback. */
export interface FlagsServer {
  readonly origin: string
  readonly receiver: TestReceiver
  /** Requests to `/flags/definitions`. */
  definitionRequests(): ReceivedRequest[]
  /** Requests to `/flags`. */
  evaluationRequests(): ReceivedRequest[]
  /** Replaces the served definitions (a new ETag is derived from the content). */
  setDefinitions(definitions: FlagDefinitions): void
  /** Scripts the next definitions responses (consumed in order) before normal service resumes. */
  failNext(...responses: ScriptedResponse[]): void
  /** Answers every definitions request with `response` until `failNext`/`recover`. */
  failAlways(response: ScriptedResponse | undefined): void
  /** Sets how `/flags` answers. */
  onEvaluate(handler: (request: ReceivedRequest) => ScriptedResponse): void
  close(): Promise<void>
}

/** Starts a {@link FlagsServer} on 127.0.0.1. */
export async function startFlagsServer(initial: FlagDefinitions = { flags: [] }): Promise<FlagsServer> {
  let definitions = initial
  let etag = etagOf(definitions)
  const queue: ScriptedResponse[] = []
  let always: ScriptedResponse | undefined
  let evaluate: (request: ReceivedRequest) => ScriptedResponse = () => ({
    status: 200,
    body: { code: 200, flags: {} },
  })
  const receiver = await startTestReceiver((request) => {
    if (request.path === '/flags') return evaluate(request)
    // Anything else (/track for exposures...) gets the receiver's default success answer.
    if (request.path !== '/flags/definitions') return undefined
    const scripted = queue.shift() ?? always
    if (scripted) return scripted
    if (request.headers['if-none-match'] === etag) return { status: 304, body: '', headers: { etag } }
    return { status: 200, body: definitions, headers: { etag } }
  })
  return {
    origin: receiver.origin,
    receiver,
    definitionRequests: () => receiver.requests.filter((r) => r.path === '/flags/definitions'),
    evaluationRequests: () => receiver.requests.filter((r) => r.path === '/flags'),
    setDefinitions(next) {
      definitions = next
      etag = etagOf(next)
    },
    failNext: (...responses) => void queue.push(...responses),
    failAlways: (response) => {
      always = response
    },
    onEvaluate: (handler) => {
      evaluate = handler
    },
    close: () => receiver.close(),
  }
}

function etagOf(definitions: FlagDefinitions): string {
  let h = 0
  for (const c of JSON.stringify(definitions)) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0
  return `"${(h >>> 0).toString(16)}"`
}

/** Anything with the flags providers' `once`. */
export interface FlagsEventSource {
  once<E extends keyof FlagsEvents & string>(event: E, listener: (payload: FlagsEvents[E]) => void): unknown
}

/** Resolves with the next emission of `event`. */
export function next<K extends keyof FlagsEvents & string>(
  source: FlagsEventSource,
  event: K,
): Promise<FlagsEvents[K]> {
  return new Promise((resolve) => source.once(event, resolve))
}

/** Counts emissions of each event. */
export function countEvents(source: {
  on<K extends keyof FlagsEvents & string>(event: K, listener: (payload: FlagsEvents[K]) => void): unknown
}): Record<keyof FlagsEvents, unknown[]> {
  const seen: Record<keyof FlagsEvents, unknown[]> = {
    ready: [],
    error: [],
    stale: [],
    configurationChanged: [],
    load: [],
  }
  for (const event of Object.keys(seen) as Array<keyof FlagsEvents>) {
    source.on(event, (payload) => seen[event].push(payload))
  }
  return seen
}

/** A logger that discards everything. */
export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} }
