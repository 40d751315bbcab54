import type { Redis, RedisOptions } from 'ioredis'
import { ConfigError, EventwireError, StoreError } from '../errors/index.js'
import {
  type Clock,
  type Logger,
  patternRedactor,
  type Redactor,
  redactUrl,
  systemClock,
} from '../internal/index.js'
import { loadOptional } from './load-optional.js'
import type { RedisScript } from './redis-scripts.js'

/** The default Redis URL. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/** Checks a Redis URL option: `redis://` or `rediss://` (TLS). */
export function redisUrlOption(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(
      name,
      'expected a Redis URL such as redis://127.0.0.1:6379 or rediss://:password@host:6380',
    )
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(name, `${redactUrl(value)} is not a valid URL`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(name, `expected redis:// or rediss://, got ${url.protocol}//`)
  }
  return value
}

export { redactUrl }

/** The password of a Redis URL, if it has one (to redact it wherever it might appear). */
export function redisPassword(value: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(value).password)
    return password === '' ? undefined : password
  } catch {
    return undefined
  }
}

/**
 * Opens a connection with ioredis (an optional peer dependency, imported here on first use).
 * `rediss://` URLs use TLS; `redisOptions.tls` adds a CA or client certificate.
 */
export async function connectRedis(
  url: string,
  options: RedisOptions,
  logger: Logger,
  timeoutMs: number,
  redactor: Redactor = patternRedactor,
): Promise<Redis> {
  const module = await loadOptional<{ Redis?: typeof Redis; default?: unknown }>('ioredis', 'RedisEventStore')
  const RedisClass = (module.Redis ??
    (module.default as { Redis?: typeof Redis })?.Redis ??
    module.default) as typeof Redis
  const client = new RedisClass(url, { maxRetriesPerRequest: 3, ...options, lazyConnect: true })
  const where = redactUrl(url)
  let connectError: Error | undefined
  const onConnectError = (error: Error) => {
    connectError = error
  }
  client.on('error', onConnectError)
  try {
    await withTimeout(client.connect(), timeoutMs, systemClock, `no connection within ${timeoutMs} ms`)
  } catch (error) {
    client.disconnect()
    // ioredis rejects with "Connection is closed"; the socket error says why.
    throw toRedisError(connectError ?? error, where, redactor)
  } finally {
    client.off('error', onConnectError)
  }
  client.on('error', (error: Error) =>
    logger.warn({ redis: where, err: error.message }, 'eventwire: Redis error'),
  )
  return client
}

/**
 * `work`, or a rejection with `message` once `ms` milliseconds passed without it settling (the
 * work itself is not cancelled: its late result is ignored).
 */
export function withTimeout<T>(work: Promise<T>, ms: number, clock: Clock, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new NoAnswerError(message)), ms)
    work.then(
      (value) => {
        timer.cancel()
        resolve(value)
      },
      (error: unknown) => {
        timer.cancel()
        reject(error)
      },
    )
  })
}

/** A command got no answer in time: it may still have been applied, so it must not be repeated blindly. */
export class NoAnswerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NoAnswerError'
  }
}

/** Runs a script by SHA, loading it on the first NOSCRIPT. */
export async function runScript(
  client: Redis,
  script: RedisScript,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args)
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error
    return client.eval(script.lua, keys.length, ...keys, ...args)
  }
}

/** Wraps a Redis failure in an `EventwireError` whose message never holds the password. */
export function toRedisError(
  error: unknown,
  where: string,
  redactor: Redactor = patternRedactor,
): EventwireError {
  if (error instanceof EventwireError) return error
  const detail = redactor.text(error instanceof Error ? error.message : String(error))
  const cause = safeCause(error, redactor)
  if (detail.includes('WRONGTYPE')) {
    return new StoreError(
      'EVENTWIRE_STORE_INCOMPATIBLE',
      `Redis at ${where}: the store's keys hold something other than eventwire streams (${detail})`,
      { cause },
    )
  }
  if (error instanceof NoAnswerError) {
    return new StoreError(
      'EVENTWIRE_STORE_ERROR',
      `Redis store at ${where} failed: ${detail} (it may still have been applied)`,
      { cause: error, retryable: false },
    )
  }
  return new StoreError('EVENTWIRE_STORE_ERROR', `Redis store at ${where} failed: ${detail}`, {
    cause,
    retryable: true,
  })
}

/**
 * A copy of an ioredis error that keeps what explains it (name, message, code, errno, syscall,
 * address, port), redacted: ioredis puts the command on its errors, and an `AUTH` command's
 * arguments are the password.
 */
function safeCause(error: unknown, redactor: Redactor): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redactor.text(error) : undefined
  const copy = new Error(redactor.text(error.message))
  copy.name = error.name
  copy.stack = redactor.text(String(error.stack))
  const source = error as unknown as Record<string, unknown>
  for (const key of ['code', 'errno', 'syscall', 'address', 'port']) {
    if (source[key] !== undefined) (copy as unknown as Record<string, unknown>)[key] = source[key]
  }
  return copy
}
