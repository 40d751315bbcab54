export {
  describeTarget,
  type HttpRequest,
  type HttpResponse,
  HttpTransport,
  type TransportOptions,
} from './http-transport.js'
export { type JsonApiContext, type JsonApiRequest, requestJson } from './json-api.js'
