export { type AddOutcome, AddQueue, type AddQueueOptions, type CommitFn } from './add-queue.js'
export {
  type AddResult,
  type EventStore,
  type Lease,
  type LeasedMessage,
  type LeaseOptions,
  type OverflowPolicy,
  STORE_CAPACITY_OPTIONS,
  STORE_DEFAULTS,
  type StoreCapacityOptions,
  type StoreSize,
} from './event-store.js'
export { loadOptional } from './load-optional.js'
export {
  IN_MEMORY_STORE_OPTIONS,
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from './memory-store.js'
export { DEFAULT_REDIS_URL, redactUrl, redisPassword, redisUrlOption } from './redis-connection.js'
export { REDIS_STORE_DEFAULTS, REDIS_STORE_OPTIONS, type RedisEventStoreOptions } from './redis-options.js'
export { RedisEventStore } from './redis-store.js'
export {
  SQLITE_STORE_DEFAULTS,
  SQLITE_STORE_OPTIONS,
  type SqliteDurability,
  type SqliteEventStoreOptions,
} from './sqlite-options.js'
export { SqliteEventStore } from './sqlite-store.js'
