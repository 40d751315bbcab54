export {
  describeTarget,
  type HttpRequest,
  type HttpResponse,
  HttpTransport,
  type TransportOptions,
} from './http-transport.js'
