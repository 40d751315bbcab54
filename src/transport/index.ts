export {
  describeTarget,
  type HttpRequest,
  type HttpResponse,
  HttpTransport,
  type TransportOptions,
} from './http-transport.js'
export { type JsonApiContext, type JsonApiRequest, requestJson } from './json-api.js'
export { type RetryLoopOptions, sendWithRetries } from './send-with-retries.js'
export { TRANSPORT_OPTIONS } from './transport-options.js'
