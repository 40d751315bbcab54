export { EnqueueConsumer, type EnqueueConsumerOptions } from './enqueue-consumer.js'
export { runWorker, WORKER_DEFAULTS, type WorkerOptions, type WorkerResult } from './run-worker.js'
export { WorkerStore } from './worker-store.js'
