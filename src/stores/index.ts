export {
  type AddResult,
  type EventStore,
  type Lease,
  type LeasedMessage,
  type LeaseOptions,
  type OverflowPolicy,
  STORE_DEFAULTS,
  type StoreCapacityOptions,
  type StoreSize,
} from './event-store.js'
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './memory-store.js'
