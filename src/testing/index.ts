export { type ConsumerContractOptions, runConsumerContract } from './consumer-contract.js'
export { type DestinationContractOptions, runDestinationContract } from './destination-contract.js'
export { createFakeClock, type FakeClock, type FakeClockOptions } from './fake-clock.js'
export {
  createMemoryTransport,
  type MemoryTransport,
  type MemoryTransportOptions,
} from './memory-transport.js'
export { runStoreContract, type StoreContractContext, type StoreContractOptions } from './store-contract.js'
export {
  type CollectedEvent,
  type CollectedEventFilter,
  startTestCollector,
  type TestCollector,
  type TestCollectorOptions,
} from './test-collector.js'
export {
  createTestConsumer,
  type RecordedEvent,
  type RecordedMessage,
  type TestConsumer,
} from './test-consumer.js'
export {
  type ReceivedRequest,
  type ReceiverHandler,
  type ScriptedResponse,
  startTestReceiver,
  type TestReceiver,
} from './test-receiver.js'
