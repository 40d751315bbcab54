import { dirname, join } from 'node:path'
import type { ServiceAccount } from '../destinations/index.js'
import { ConfigError } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  checkServiceAccount,
  describe,
  intOption,
  type Logger,
  type LoggerOption,
  optionList,
  Redactor,
  resolveLogger,
  stringOption,
  systemClock,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import type { FaultOptions } from './faults.js'
import type { FlagsEvaluator } from './flags-source.js'
import type { EventValidator } from './validators.js'

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** TCP port; `0` picks a free one (read it back from `collector.port`). @default 8787 */
  port?: number
  /** Address to listen on. Keep the loopback default unless other machines must send. @default '127.0.0.1' */
  host?: string
  /**
   * SQLite database file (its folder is created; through the built-in `node:sqlite` on Node.js
   * 22.13 and later, Bun and Deno, and the optional peer dependency better-sqlite3 on Node.js 20),
   * or `':memory:'` for in-memory storage that ends with the process and needs no SQLite. A file keeps events and profiles across restarts.
   * @default '.eventwire/dev.db'
   */
  db?: string
  /** A tracking plan (file path or plan object) every event is also checked against. */
  plan?: string | JsonObject
  /**
   * A folder of Iglu schemas (`vendor/name/jsonschema/1-0-0`, e.g. from `eventwire plan export
   * --vendor`): Snowplow self-describing events and entities are validated against them.
   */
  iglu?: string
  /**
   * Serve over HTTPS. `true`: a self-signed certificate for `localhost`, `127.0.0.1` and `::1`,
   * made on first start in `tlsDir` and reused. `{ certFile, keyFile }`: your own PEM files.
   * @default false
   */
  https?: boolean | HttpsFiles
  /**
   * Folder of the self-signed certificate (`https: true`).
   * @default `tls/` beside the database file; `.eventwire/tls` when the data is kept in memory
   */
  tlsDir?: string
  /** JSON file of flag definitions (`{ "flags": [...] }`) served at `/flags/definitions`. */
  flags?: string
  /** Faults injected from the start; change them later with `setFaults()` or `POST /_/faults`. */
  faults?: FaultOptions
  /**
   * Project token: events carrying another token get a `wrong_token` issue; `/import` accepts it
   * as Basic auth.
   */
  token?: string
  /** Legacy project secret accepted as `/import` Basic auth. */
  apiSecret?: string
  /** Service account accepted as `/import` Basic auth (with `project_id`). */
  serviceAccount?: ServiceAccount
  /** Largest request body as sent, in bytes; larger ones get 413. @default 2097152 (2 MiB, Mixpanel's limit) */
  maxBodyBytes?: number
  /** Largest request body after gzip decoding, in bytes; larger ones get 413. @default 10485760 (10 MiB) */
  maxDecompressedBytes?: number
  /** Interval of keep-alive comments on `/_/stream`, in milliseconds. @default 15000 */
  heartbeatMs?: number
  /** Extra checks run on every event (a tracking plan is one). */
  validators?: readonly EventValidator[]
  /** Evaluates flags for `GET /flags`. @default eventwire's local flag evaluator, when available */
  flagsEvaluator?: FlagsEvaluator
  /**
   * Folder holding the web debugger's files (index.html and the *.js and *.css beside it).
   * @default the `ui` folder beside this module
   */
  uiDir?: string
  /** Time source. @default systemClock */
  clock?: Clock
  /** Random source in [0, 1) for fault injection. @default Math.random */
  random?: () => number
  /**
   * A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr (a
   * flags file that broke, a validator that threw), never with the credentials above
   */
  logger?: LoggerOption
}

/** The names of {@link CollectorOptions}. */
export const COLLECTOR_OPTIONS = optionList<CollectorOptions>()({
  port: true,
  host: true,
  db: true,
  plan: true,
  iglu: true,
  https: true,
  tlsDir: true,
  flags: true,
  faults: true,
  token: true,
  apiSecret: true,
  serviceAccount: true,
  maxBodyBytes: true,
  maxDecompressedBytes: true,
  heartbeatMs: true,
  validators: true,
  flagsEvaluator: true,
  uiDir: true,
  clock: true,
  random: true,
  logger: true,
})

/** The names of {@link HttpsFiles}. */
const HTTPS_FILES = optionList<HttpsFiles>()({ certFile: true, keyFile: true })

/** Your own certificate and key, as PEM file paths. */
export interface HttpsFiles {
  certFile: string
  keyFile: string
}

/** {@link CollectorOptions} with defaults applied and values checked. */
export interface ResolvedCollectorOptions {
  port: number
  host: string
  db: string
  plan: string | JsonObject | undefined
  iglu: string | undefined
  https: false | HttpsFiles | { tlsDir: string }
  flags: string | undefined
  faults: FaultOptions | undefined
  token: string | undefined
  apiSecret: string | undefined
  serviceAccount: ServiceAccount | undefined
  maxBodyBytes: number
  maxDecompressedBytes: number
  heartbeatMs: number
  validators: readonly EventValidator[]
  flagsEvaluator: FlagsEvaluator | undefined
  uiDir: string | undefined
  clock: Clock
  random: () => number
  logger: Logger
}

/** The defaults, written once. */
export const COLLECTOR_DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  db: '.eventwire/dev.db',
  https: false,
  maxBodyBytes: 2 * 1024 * 1024,
  maxDecompressedBytes: 10 * 1024 * 1024,
  heartbeatMs: 15_000,
} as const

/** Validates options; throws `ConfigError` naming the option (an unknown one too). */
export function resolveCollectorOptions(options: CollectorOptions = {}): ResolvedCollectorOptions {
  checkOptions(options, COLLECTOR_OPTIONS, 'startCollector')
  const plan = options.plan
  if (
    plan !== undefined &&
    typeof plan !== 'string' &&
    (typeof plan !== 'object' || plan === null || Array.isArray(plan))
  ) {
    throw new ConfigError('plan', `expected a file path or a plan object, got ${describe(plan)}`)
  }
  const account = options.serviceAccount
  if (account !== undefined) checkServiceAccount(account)
  if (options.validators !== undefined && !Array.isArray(options.validators)) {
    throw new ConfigError('validators', 'expected an array of { name, validateEvent(name, properties) }')
  }
  if (options.flagsEvaluator !== undefined && typeof options.flagsEvaluator !== 'function') {
    throw new ConfigError('flagsEvaluator', 'expected a function')
  }
  const maxBodyBytes = intOption('maxBodyBytes', options.maxBodyBytes, COLLECTOR_DEFAULTS.maxBodyBytes, 1024)
  const db = stringOption('db', options.db, COLLECTOR_DEFAULTS.db)
  return {
    port: intOption('port', options.port, COLLECTOR_DEFAULTS.port, 0, 65_535),
    host: stringOption('host', options.host, COLLECTOR_DEFAULTS.host),
    db,
    plan,
    iglu: stringOption('iglu', options.iglu, undefined),
    https: resolveHttps(options.https, stringOption('tlsDir', options.tlsDir, undefined), db),
    flags: stringOption('flags', options.flags, undefined),
    faults: options.faults,
    token: stringOption('token', options.token, undefined),
    apiSecret: stringOption('apiSecret', options.apiSecret, undefined),
    serviceAccount: account,
    maxBodyBytes,
    maxDecompressedBytes: intOption(
      'maxDecompressedBytes',
      options.maxDecompressedBytes,
      Math.max(COLLECTOR_DEFAULTS.maxDecompressedBytes, maxBodyBytes),
      maxBodyBytes,
    ),
    heartbeatMs: intOption('heartbeatMs', options.heartbeatMs, COLLECTOR_DEFAULTS.heartbeatMs, 10, 3_600_000),
    validators: options.validators ?? [],
    flagsEvaluator: options.flagsEvaluator,
    uiDir: stringOption('uiDir', options.uiDir, undefined),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger: resolveLogger(
      options.logger,
      new Redactor([
        options.token,
        options.apiSecret,
        account === undefined ? undefined : { user: account.username, secret: account.secret },
      ]),
    ),
  }
}

function resolveHttps(
  https: CollectorOptions['https'],
  tlsDir: string | undefined,
  db: string,
): ResolvedCollectorOptions['https'] {
  if ((https ?? COLLECTOR_DEFAULTS.https) === false) return false
  if (https === true) {
    return { tlsDir: tlsDir ?? (db === ':memory:' ? join('.eventwire', 'tls') : join(dirname(db), 'tls')) }
  }
  if (typeof https !== 'object' || https === null || Array.isArray(https)) {
    throw new ConfigError('https', `expected true, false or { certFile, keyFile }, got ${describe(https)}`)
  }
  checkOptions(https, HTTPS_FILES, 'https')
  const certFile = stringOption('https.certFile', https.certFile, undefined)
  const keyFile = stringOption('https.keyFile', https.keyFile, undefined)
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError('https', 'give both certFile and keyFile (PEM files)')
  }
  return { certFile, keyFile }
}
