export {
  BatchConsumer,
  type BatchConsumerEvents,
  type BatchStats,
  type FlushOptions,
} from './batch-consumer.js'
export { BATCH_DEFAULTS, type BatchConsumerOptions } from './batch-options.js'
export { BufferedConsumer, type BufferedConsumerOptions } from './buffered-consumer.js'
export { type CloseOnSignalsOptions, closeOnSignals, type SignalTarget } from './close-on-signals.js'
export {
  type CloseOptions,
  type CloseResult,
  type ConsumerEvents,
  type ConsumerStats,
  type EventConsumer,
  emptyStats,
  totalDropped,
} from './consumer.js'
export { Delivery, type DeliveryReport, redactHeaders, reportError, retryCause } from './delivery.js'
export { type DeliveryOptions, type DeliveryParts, resolveDeliveryOptions } from './delivery-options.js'
export { Consumer, type ConsumerOptions } from './direct-consumer.js'
export {
  type FanoutCloseResult,
  FanoutConsumer,
  FanoutError,
  type FanoutFailure,
} from './fanout-consumer.js'
