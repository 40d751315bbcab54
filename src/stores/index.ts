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
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './memory-store.js'
export { DEFAULT_REDIS_URL, redactUrl, redisPassword, redisUrlOption } from './redis-connection.js'
export { REDIS_STORE_DEFAULTS, RedisEventStore, type RedisEventStoreOptions } from './redis-store.js'
export {
  SQLITE_STORE_DEFAULTS,
  type SqliteDurability,
  SqliteEventStore,
  type SqliteEventStoreOptions,
} from './sqlite-store.js'
export { IN_MEMORY_STORE_OPTIONS, REDIS_STORE_OPTIONS, SQLITE_STORE_OPTIONS } from './store-options.js'
