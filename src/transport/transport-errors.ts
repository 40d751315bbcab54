import { DeliveryError, type EventwireError } from '../errors/index.js'
import type { HttpRequest } from './transport.js'

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/

/** Largest response body kept, so a misbehaving server cannot fill memory. */
export const MAX_RESPONSE_BYTES = 1024 * 1024

/** `POST https://host/path` without the query string, which may hold ids. */
export function describeTarget(req: Pick<HttpRequest, 'method' | 'url'>): string {
  const q = req.url.indexOf('?')
  return `${req.method} ${q === -1 ? req.url : req.url.slice(0, q)}`
}

/** No complete response by the request deadline (retryable). */
export function timeoutError(req: HttpRequest, timeoutMs: number): EventwireError {
  return new DeliveryError(
    'EVENTWIRE_TIMEOUT',
    `${describeTarget(req)}: no complete response within ${timeoutMs} ms`,
    {
      retryable: true,
    },
  )
}

/** The caller's signal aborted the request. */
export function abortedError(req: HttpRequest, reason: unknown): EventwireError {
  return new DeliveryError('EVENTWIRE_ABORTED', `${describeTarget(req)}: request aborted`, { cause: reason })
}

/**
 * A network failure (connection refused or reset, TLS, the HTTP client's own timeouts) as an
 * `EventwireError`: retryable, except a certificate the client refuses.
 */
export function networkError(req: HttpRequest, error: Error): EventwireError {
  const code = (error as { code?: string }).code
  const timeout =
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  // A certificate the client refuses will be refused again: retrying only delays the report.
  const certificate = code !== undefined && CERTIFICATE_ERRORS.test(code)
  const hint = certificate ? ' (TLS certificate refused; see verifyCert)' : ''
  return new DeliveryError(
    timeout ? 'EVENTWIRE_TIMEOUT' : 'EVENTWIRE_NETWORK_ERROR',
    `${describeTarget(req)}: ${code ?? error.message ?? 'request failed'}${hint}`,
    { cause: error, retryable: !certificate },
  )
}
