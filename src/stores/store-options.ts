import { optionList } from '../internal/index.js'
import { STORE_CAPACITY_OPTIONS } from './event-store.js'
import type { InMemoryEventStoreOptions } from './memory-store.js'
import type { RedisEventStoreOptions } from './redis-store.js'
import type { SqliteEventStoreOptions } from './sqlite-store.js'

/** The names of {@link InMemoryEventStoreOptions}. */
export const IN_MEMORY_STORE_OPTIONS = optionList<InMemoryEventStoreOptions>()({
  ...STORE_CAPACITY_OPTIONS,
  clock: true,
})

/** The names of {@link SqliteEventStoreOptions}. */
export const SQLITE_STORE_OPTIONS = optionList<SqliteEventStoreOptions>()({
  ...STORE_CAPACITY_OPTIONS,
  path: true,
  durability: true,
  driver: true,
  lockTimeoutMs: true,
  clock: true,
  logger: true,
})

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
