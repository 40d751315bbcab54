/**
 * Every error code eventwire can produce, with a one-line meaning.
 * `docs/errors.md` documents each code; a test keeps the two in step.
 */
export const ERROR_CODES = {
  // --- core ---
  EVENTWIRE_INVALID_OPTION:
    'An option passed to a constructor or function is missing, of the wrong type or out of range.',
  EVENTWIRE_INVALID_ARGUMENT:
    'An argument of a tracking call (distinct id, event name, profile operation) is invalid.',
  EVENTWIRE_INVALID_PROPERTY:
    'A property value cannot be serialised to JSON (function, symbol, circular reference, invalid Date).',
  EVENTWIRE_LIMIT_EXCEEDED:
    "A message breaks one of Mixpanel's documented limits (size, property count, nesting, list length).",
  EVENTWIRE_INVALID_INSERT_ID:
    'A caller-supplied $insert_id is longer than 36 characters or has characters other than A-Z, a-z, 0-9 and -.',
  EVENTWIRE_FORBIDDEN_DISTINCT_ID:
    'A distinct id that Mixpanel rejects on /import (such as "null", "undefined", "0" or the all-zero UUID).',
  EVENTWIRE_UNKNOWN_ENDPOINT:
    'A consumer was asked to send to an endpoint other than events, people, groups or imports.',
  EVENTWIRE_CLOSED: 'A call was made after close(): the message was not accepted.',
  // --- delivery ---
  EVENTWIRE_NETWORK_ERROR:
    'The request failed before a response arrived (connection refused or reset, DNS, TLS). Retryable.',
  EVENTWIRE_TIMEOUT: 'The request did not complete within requestTimeoutMs. Retryable.',
  EVENTWIRE_ABORTED: 'The request was aborted, for example by close() reaching its deadline.',
  EVENTWIRE_HTTP_ERROR: 'The server answered with an HTTP status that is not a success.',
  EVENTWIRE_API_ERROR:
    'The server answered 2xx but its body reported a failure (verbose status 0, or an unreadable body).',
  EVENTWIRE_IMPORT_FAILED_RECORDS:
    'An /import request with strict=1 rejected some records; the error lists each failed record.',
  EVENTWIRE_DELIVERY_FAILED:
    'A flush could not deliver some messages; the error carries the undelivered and rejected messages.',
  // --- batch ---
  // --- stores ---
  // --- plan ---
  // --- flags ---
  // --- snowplow ---
  // --- collector ---
  // --- cli ---
} as const

/** A stable error code string, `EVENTWIRE_*`. */
export type ErrorCode = keyof typeof ERROR_CODES
