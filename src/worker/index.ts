export { ENQUEUE_CONSUMER_OPTIONS, EnqueueConsumer, type EnqueueConsumerOptions } from './enqueue-consumer.js'
export {
  runWorker,
  WORKER_DEFAULTS,
  WORKER_OPTIONS,
  type WorkerDeliveryOptions,
  type WorkerOptions,
  type WorkerResult,
} from './run-worker.js'
export { WorkerStore } from './worker-store.js'
