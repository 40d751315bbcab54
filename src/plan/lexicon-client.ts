import { LexiconError } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  type LoggerOption,
  optionList,
  type Region,
  type RetryOptions,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import type { HttpTransport } from '../transport/index.js'
import { fromLexiconEntries, type LexiconEntry, toLexiconEntries } from './lexicon.js'
import { Session } from './lexicon-session.js'
import { type LintResult, lintPlan } from './lint.js'
import { loadPlan, type PlanInput } from './load.js'
import type { PlanDocument } from './types.js'

/** A Mixpanel service account (`username:secret`). The secret is never logged or printed. */
export interface LexiconServiceAccount {
  username: string
  secret: string
}

/** Options of {@link pushPlan} and {@link pullPlan}. */
export interface LexiconOptions {
  /** Mixpanel project id. */
  projectId: number | string
  serviceAccount: LexiconServiceAccount
  /** Data residency of the project: `https://{mixpanel|eu.mixpanel|in.mixpanel}.com/api/app`. @default 'us' */
  region?: Region
  /** Origin to use instead of the region's (e.g. `http://127.0.0.1:4000`); `/api/app` is appended. */
  apiHost?: string
  /** Requests allowed per minute. @default 5 */
  requestsPerMinute?: number
  /** Events plus properties updated per minute (Lexicon allows fewer than 4000). @default 3999 */
  updatesPerMinute?: number
  /** Retries of 429, 5xx and network failures. @default { retryLimit: 3 } */
  retry?: RetryOptions
  /** Time source for rate limiting and backoff. @default systemClock */
  clock?: Clock
  /** HTTP transport; one is created (and closed) per call when omitted. */
  transport?: HttpTransport
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
  /** Random source for backoff jitter. @default Math.random */
  random?: () => number
}

/** The names of {@link LexiconOptions}. */
export const LEXICON_OPTIONS = optionList<LexiconOptions>()({
  projectId: true,
  serviceAccount: true,
  region: true,
  apiHost: true,
  requestsPerMinute: true,
  updatesPerMinute: true,
  retry: true,
  clock: true,
  transport: true,
  logger: true,
  random: true,
})

/** Options of {@link pushPlan}. Connection options may be left out for a dry run. */
export interface PushOptions extends Partial<LexiconOptions> {
  /** Build the entries but send nothing. @default false */
  dryRun?: boolean
  /** Mark deprecated events and aliases `dropped` as well as hidden. @default false */
  dropDeprecated?: boolean
}

/** The names of {@link PushOptions}. */
export const PUSH_OPTIONS = optionList<PushOptions>()({
  ...LEXICON_OPTIONS,
  dryRun: true,
  dropDeprecated: true,
})

/** The names of the options of {@link pullPlan}. */
export const PULL_OPTIONS = optionList<LexiconOptions & { version?: string; title?: string }>()({
  ...LEXICON_OPTIONS,
  version: true,
  title: true,
})

/** What {@link pushPlan} did. */
export interface PushResult {
  readonly dryRun: boolean
  readonly entries: readonly LexiconEntry[]
  /** Requests sent (retries included). */
  readonly requests: number
  /** Schemas added or replaced, as reported by Mixpanel. */
  readonly added: number
  readonly deleted: number
  /** Parts of the plan Lexicon cannot hold. */
  readonly skipped: readonly string[]
  /** Milliseconds spent waiting for the rate limit and backoff. */
  readonly waitedMs: number
}

/** What {@link pullPlan} returns. */
export interface PullResult {
  readonly document: PlanDocument
  readonly entries: readonly LexiconEntry[]
  /** Lint of the pulled plan (Lexicon may hold names that differ only in case, for example). */
  readonly lint: LintResult
}

/**
 * Syncs a plan into Mixpanel Lexicon (`POST /api/app/projects/{id}/schemas`, never with
 * `truncate`). Entries are sent in as few requests as the per-minute limits allow; requests are
 * spaced by a one-minute window (5 requests, 3999 updates by default); 429, 5xx and network
 * failures are retried with backoff, honouring `Retry-After`.
 *
 * @throws {PlanError} when the plan cannot be loaded; {@link ConfigError} for bad options;
 *   {@link LexiconError} when Mixpanel refuses a request.
 */
export async function pushPlan(input: PlanInput, options: PushOptions = {}): Promise<PushResult> {
  checkOptions(options, PUSH_OPTIONS, 'pushPlan')
  const plan = loadPlan(input)
  const { entries, skipped } = toLexiconEntries(plan, { dropDeprecated: options.dropDeprecated ?? false })
  if (options.dryRun)
    return { dryRun: true, entries, requests: 0, added: 0, deleted: 0, skipped, waitedMs: 0 }
  const session = new Session(options)
  try {
    let added = 0
    let deleted = 0
    for (const chunk of chunks(entries, session.updatesPerMinute)) {
      const body = await session.request('POST', '/schemas', { entries: chunk }, cost(chunk))
      const results = (body.results ?? {}) as JsonObject
      added += typeof results.added === 'number' ? results.added : 0
      deleted += typeof results.deleted === 'number' ? results.deleted : 0
    }
    return {
      dryRun: false,
      entries,
      requests: session.requests,
      added,
      deleted,
      skipped,
      waitedMs: session.waitedMs,
    }
  } finally {
    await session.close()
  }
}

/**
 * Reads every schema of a project (`GET /api/app/projects/{id}/schemas`) and builds a plan
 * document from it (see `fromLexiconEntries`), linted.
 *
 * @throws {ConfigError} for bad options; {@link LexiconError} when Mixpanel refuses the request.
 */
export async function pullPlan(
  options: LexiconOptions & { version?: string; title?: string },
): Promise<PullResult> {
  checkOptions(options, PULL_OPTIONS, 'pullPlan', { required: true })
  const session = new Session(options)
  try {
    const body = await session.request('GET', '/schemas', undefined, 1)
    if (!Array.isArray(body.results)) throw new LexiconError('GET schemas: the answer has no "results" list')
    const entries = body.results.filter(
      (e): e is JsonObject & LexiconEntry =>
        e !== null &&
        typeof e === 'object' &&
        !Array.isArray(e) &&
        typeof e.name === 'string' &&
        typeof e.entityType === 'string',
    )
    const document = fromLexiconEntries(entries, { version: options.version, title: options.title })
    return { document, entries, lint: lintPlan(document) }
  } finally {
    await session.close()
  }
}

/** Events and properties one entry updates, as Lexicon counts them. */
function cost(entries: readonly LexiconEntry[]): number {
  return entries.reduce((sum, e) => {
    const properties = e.schemaJson.properties
    const n =
      properties && typeof properties === 'object' && !Array.isArray(properties)
        ? Object.keys(properties).length
        : 0
    return sum + 1 + n
  }, 0)
}

function chunks(entries: readonly LexiconEntry[], budget: number): LexiconEntry[][] {
  const out: LexiconEntry[][] = []
  let current: LexiconEntry[] = []
  let used = 0
  for (const entry of entries) {
    const c = cost([entry])
    if (current.length > 0 && used + c > budget) {
      out.push(current)
      current = []
      used = 0
    }
    current.push(entry)
    used += c
  }
  if (current.length > 0) out.push(current)
  return out
}
