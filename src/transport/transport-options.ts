import { optionList } from '../internal/index.js'
import type { TransportOptions } from './http-transport.js'

/** The names of {@link TransportOptions}. */
export const TRANSPORT_OPTIONS = optionList<TransportOptions>()({
  requestTimeoutMs: true,
  connectTimeoutMs: true,
  verifyCert: true,
  dispatcher: true,
  fetch: true,
  clock: true,
})
