import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { CollectorError } from '../errors/index.js'
import { type FlagContext, type FlagDefinitions, parseDefinitions } from '../flags/index.js'
import type { Logger } from '../internal/index.js'
import type { JsonValue } from '../message/index.js'

/** One flag's selected variant in a `GET /flags` answer (Mixpanel's remote evaluation shape). */
export interface RemoteVariant {
  variant_key: string
  variant_value: JsonValue
  experiment_id?: string
  is_experiment_active?: boolean
  is_qa_tester?: boolean
}

/**
 * Evaluates flags for `GET /flags`. Returns the variant of every flag the context is assigned to
 * (or only `flagKey`'s); flags the context does not get are left out, as Mixpanel does. A throw is
 * answered with HTTP 500 and logged.
 */
export type FlagsEvaluator = (
  definitions: FlagDefinitions,
  context: FlagContext,
  flagKey: string | undefined,
) => Record<string, RemoteVariant> | Promise<Record<string, RemoteVariant>>

/** The served definitions with their ETag. */
export interface FlagsSnapshot {
  definitions: FlagDefinitions
  /** The JSON body served. */
  body: string
  /** Strong ETag of `body`. */
  etag: string
}

/**
 * Flag definitions from a JSON file, re-read when the file changes (checked on each request, so
 * nothing watches the file in the background). Without a file, serves `{ "flags": [] }`. A change
 * that breaks the file keeps the last good definitions and logs a warning.
 */
export class FlagsSource {
  readonly path: string | undefined
  readonly #logger: Logger
  #snapshot: FlagsSnapshot
  #signature = ''

  constructor(path: string | undefined, logger: Logger) {
    this.path = path
    this.#logger = logger
    this.#snapshot = snapshotOf({ flags: [] })
    if (path !== undefined) {
      try {
        this.#reload(path)
      } catch (cause) {
        throw new CollectorError(
          'EVENTWIRE_COLLECTOR_FLAGS_FILE_INVALID',
          `Cannot serve flag definitions from ${JSON.stringify(path)}: ${(cause as Error).message}`,
          { cause },
        )
      }
    }
  }

  /** The current definitions, re-read first if the file changed. */
  current(): FlagsSnapshot {
    const path = this.path
    if (path !== undefined) {
      try {
        this.#reload(path)
      } catch (error) {
        this.#logger.warn(
          { path, err: (error as Error).message },
          'flag definitions file unreadable; serving the last good version',
        )
      }
    }
    return this.#snapshot
  }

  #reload(path: string): void {
    const stat = statSync(path)
    const signature = `${stat.ino}:${stat.size}:${stat.mtimeMs}`
    if (signature === this.#signature) return
    const parsed = parseDefinitions(JSON.parse(readFileSync(path, 'utf8')))
    for (const { key, reason } of parsed.skipped) {
      this.#logger.warn({ path, flag: key, reason }, 'flag definition skipped')
    }
    this.#snapshot = snapshotOf({ flags: parsed.flags })
    this.#signature = signature
    this.#logger.info({ path, flags: this.#snapshot.definitions.flags.length }, 'flag definitions loaded')
  }
}

function snapshotOf(definitions: FlagDefinitions): FlagsSnapshot {
  const body = JSON.stringify(definitions)
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
  return { definitions, body, etag }
}
