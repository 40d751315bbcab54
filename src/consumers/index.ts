export { BufferedConsumer, type BufferedConsumerOptions } from './buffered-consumer.js'
export {
  type CloseOptions,
  type CloseResult,
  type ConsumerEvents,
  type ConsumerStats,
  type EventConsumer,
  emptyStats,
  totalDropped,
} from './consumer.js'
export { Delivery, type DeliveryReport, redactHeaders, reportError } from './delivery.js'
export { type DeliveryOptions, type DeliveryParts, resolveDeliveryOptions } from './delivery-options.js'
export { Consumer, type ConsumerOptions } from './direct-consumer.js'
