import type { Redis, RedisOptions } from 'ioredis'
import { ConfigError, EventwireError } from '../errors/index.js'
import { type Clock, type Logger, systemClock } from '../internal/index.js'
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

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return value.replace(/\/\/[^@/]*@/, '//***@')
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
    throw toRedisError(connectError ?? error, where)
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
export function toRedisError(error: unknown, where: string): EventwireError {
  if (error instanceof EventwireError) return error
  const detail = error instanceof Error ? error.message : String(error)
  if (detail.includes('WRONGTYPE')) {
    return new EventwireError(
      'EVENTWIRE_STORE_INCOMPATIBLE',
      `Redis at ${where}: the store's keys hold something other than eventwire streams (${detail})`,
      { cause: error },
    )
  }
  if (error instanceof NoAnswerError) {
    return new EventwireError(
      'EVENTWIRE_STORE_ERROR',
      `Redis store at ${where} failed: ${detail} (it may still have been applied)`,
      { cause: error, retryable: false },
    )
  }
  return new EventwireError('EVENTWIRE_STORE_ERROR', `Redis store at ${where} failed: ${detail}`, {
    cause: error,
    retryable: true,
  })
}
