export { ERROR_CODES, type ErrorCode } from './codes.js'
export {
  DeliveryError,
  type DeliveryErrorOptions,
  type FailedRecord,
  ImportError,
  MixpanelError,
  type RejectedMessage,
} from './delivery-error.js'
export {
  ConfigError,
  type ConfigErrorOptions,
  EventwireError,
  type EventwireErrorOptions,
  isEventwireError,
  ValidationError,
} from './eventwire-error.js'
