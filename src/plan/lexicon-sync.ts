import { LEXICON_OPTIONS, LexiconClient, type LexiconEntry, type LexiconOptions } from '../app-api/index.js'
import { checkOptions, optionList } from '../internal/index.js'
import { fromLexiconEntries, toLexiconEntries } from './lexicon.js'
import { type LintResult, lintPlan } from './lint.js'
import { loadPlan, type PlanInput } from './load.js'
import type { PlanDocument } from './types.js'

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
  const { dryRun, dropDeprecated, ...connection } = options
  const plan = loadPlan(input)
  const { entries, skipped } = toLexiconEntries(plan, { dropDeprecated: dropDeprecated ?? false })
  if (dryRun) return { dryRun: true, entries, requests: 0, added: 0, deleted: 0, skipped, waitedMs: 0 }
  const client = new LexiconClient(connection)
  try {
    const { added, deleted } = await client.writeSchemas(entries)
    return {
      dryRun: false,
      entries,
      requests: client.requests,
      added,
      deleted,
      skipped,
      waitedMs: client.waitedMs,
    }
  } finally {
    await client.close()
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
  const { version, title, ...connection } = options
  const client = new LexiconClient(connection)
  try {
    const entries = await client.readSchemas()
    const document = fromLexiconEntries(entries, { version, title })
    return { document, entries, lint: lintPlan(document) }
  } finally {
    await client.close()
  }
}
