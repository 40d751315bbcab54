import type { Redis, RedisOptions } from 'ioredis'
import { type Clock, type LoggerOption, optionList } from '../internal/index.js'
import { STORE_CAPACITY_OPTIONS, type StoreCapacityOptions } from './event-store.js'
import { DEFAULT_REDIS_URL } from './redis-connection.js'

/** Options of {@link RedisEventStore}. */
export interface RedisEventStoreOptions extends StoreCapacityOptions {
  /**
   * A Redis URL — `redis://host:port/db`, `rediss://` for TLS, credentials as
   * `redis://:password@host` or `redis://user:password@host` — or an ioredis client to share
   * (the store never closes a client it did not create).
   * @default 'redis://127.0.0.1:6379'
   */
  redis?: string | Redis
  /** Extra ioredis options used with a URL, e.g. `{ tls: { ca } }` for a private CA. */
  redisOptions?: RedisOptions
  /**
   * Name of the queue. Keys are `{name}:events`, `{name}:people`, `{name}:groups`,
   * `{name}:imports` (streams), `{name}:delayed` (sorted set) and `{name}:meta`; the braces keep
   * them in one Redis Cluster slot.
   * @default 'eventwire'
   */
  stream?: string
  /** Consumer group shared by the workers. @default 'eventwire' */
  group?: string
  /** This process's name in the group; must be unique per live process. @default host-pid-random */
  consumer?: string
  /**
   * How long a lease holds, in milliseconds, overriding the `leaseMs` each `lease()` call asks
   * for. Redis judges a lapsed lease by how long its messages sat idle, measured by the worker
   * that takes them over; set the same value in every worker so they agree. A worker that died
   * hands its messages over after this long; a request slower than this may be delivered twice.
   * @default the `leaseMs` of each `lease()` call
   */
  leaseTimeoutMs?: number
  /** While `add()` waits for room (`overflow: 'block'`), look again this often, in ms. @default 100 */
  blockPollMs?: number
  /**
   * Longest wait for one Redis command (and for connecting), in milliseconds: a Redis that stopped
   * answering (frozen, a broken network) turns into `EVENTWIRE_STORE_ERROR` failures, which the
   * consumer retries or reports, never into calls that wait forever.
   * @default 5000
   */
  commandTimeoutMs?: number
  /** Clock for lease expiry times and retry times (`notBefore`). @default systemClock */
  clock?: Clock
  /**
   * A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr
   * (Redis connection errors), never with the password
   */
  logger?: LoggerOption
}

/** Defaults of {@link RedisEventStoreOptions}. */
export const REDIS_STORE_DEFAULTS = {
  redis: DEFAULT_REDIS_URL,
  stream: 'eventwire',
  group: 'eventwire',
  blockPollMs: 100,
  commandTimeoutMs: 5000,
}

/** The names of {@link RedisEventStoreOptions}. */
export const REDIS_STORE_OPTIONS = optionList<RedisEventStoreOptions>()({
  ...STORE_CAPACITY_OPTIONS,
  commandTimeoutMs: true,
  redis: true,
  redisOptions: true,
  stream: true,
  group: true,
  consumer: true,
  leaseTimeoutMs: true,
  blockPollMs: true,
  clock: true,
  logger: true,
})
