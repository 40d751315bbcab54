export {
  type HttpRequest,
  type HttpResponse,
  HttpTransport,
  type TransportEngine,
  type TransportOptions,
} from './http-transport.js'
export { type RetryLoopOptions, sendWithRetries } from './send-with-retries.js'
export { describeTarget } from './transport-errors.js'
export { TRANSPORT_OPTIONS } from './transport-options.js'
