export { adoptAll, allBuilt } from './admit.js'
export {
  BatchConsumer,
  type BatchConsumerEvents,
  type BatchFlushOptions,
  type BatchStats,
} from './batch-consumer.js'
export { BATCH_CONSUMER_OPTIONS, BATCH_DEFAULTS, type BatchConsumerOptions } from './batch-options.js'
export type { BatchMode } from './batcher.js'
export {
  BUFFERED_CONSUMER_OPTIONS,
  BUFFERED_DEFAULTS,
  BufferedConsumer,
  type BufferedConsumerOptions,
} from './buffered-consumer.js'
export { type CloseOnSignalsOptions, closeOnSignals, type SignalTarget } from './close-on-signals.js'
export {
  CLOSE_DEFAULTS,
  CLOSE_OPTIONS,
  type CloseOptions,
  type CloseResult,
  type ConsumerEvents,
  type ConsumerStats,
  type EventConsumer,
  emptyStats,
  type FlushOptions,
  totalDropped,
} from './consumer.js'
export {
  DELIVERY_DEFAULTS,
  DELIVERY_OPTIONS,
  type DeliveryOptions,
  type DeliveryParts,
  resolveDeliveryOptions,
} from './delivery-options.js'
export { type DeliveryReport, reportError } from './delivery-report.js'
export {
  CONSUMER_DEFAULTS,
  CONSUMER_OPTIONS,
  Consumer,
  type ConsumerOptions,
} from './direct-consumer.js'
export { DeliveryEngine } from './engine.js'
export { EngineEmitter, type EngineEvents, type EngineStats, type LedgerCallbacks } from './engine-events.js'
export {
  ENGINE_DEFAULTS,
  ENGINE_OPTIONS,
  type EngineDefaults,
  type EngineOptions,
  type EngineSettings,
  resolveEngineSettings,
} from './engine-settings.js'
export { type FanoutCloseResult, FanoutConsumer } from './fanout-consumer.js'
export { handled, isSafeConsumer, markSafeConsumer } from './handled.js'
export type { MeterLike, MeterProviderLike } from './metrics.js'
