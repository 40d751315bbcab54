/**
 * `eventwire/redis`: a {@link RedisEventStore} shared by many processes, {@link EnqueueConsumer}
 * for producers that only enqueue, and {@link runWorker} (the library form of `eventwire worker`)
 * for the processes that deliver. Needs the optional peer dependency `ioredis`.
 */
export { REDIS_STORE_DEFAULTS, RedisEventStore, type RedisEventStoreOptions } from '../stores/index.js'
export {
  EnqueueConsumer,
  type EnqueueConsumerOptions,
  runWorker,
  WORKER_DEFAULTS,
  type WorkerOptions,
  type WorkerResult,
} from '../worker/index.js'
