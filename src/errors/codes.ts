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
    'A property value cannot be serialised to JSON (function, symbol, circular reference, invalid Date), or a message handed to a consumer cannot be rebuilt from its JSON or body.',
  EVENTWIRE_LIMIT_EXCEEDED:
    "A call breaks one of Mixpanel's documented limits (message size, property count, nesting, list length, length of a distinct id or event name).",
  EVENTWIRE_INVALID_INSERT_ID:
    'A caller-supplied $insert_id is longer than 36 characters or has characters other than A-Z, a-z, 0-9 and -.',
  EVENTWIRE_FORBIDDEN_DISTINCT_ID:
    'A distinct id that Mixpanel rejects on /import (such as "null", "undefined", "0" or the all-zero UUID).',
  EVENTWIRE_UNKNOWN_ENDPOINT:
    'A consumer was asked to send to an endpoint other than events, people, groups or imports.',
  EVENTWIRE_CLOSED: 'A call was made after close(): the message was not accepted.',
  EVENTWIRE_DEPENDENCY_MISSING:
    'An entry point needs an optional peer dependency that is not installed (@openfeature/server-sdk for eventwire/openfeature).',
  EVENTWIRE_CONSUMER_FAILED:
    'A custom consumer threw or rejected with something that is not an EventwireError; cause is what it threw.',
  // --- delivery ---
  EVENTWIRE_NETWORK_ERROR:
    'The request failed before a response arrived (connection refused or reset, DNS, TLS). Retryable.',
  EVENTWIRE_TIMEOUT: 'The request did not complete within requestTimeoutMs. Retryable.',
  EVENTWIRE_ABORTED: 'The request was aborted, for example by close() reaching its deadline.',
  EVENTWIRE_HTTP_ERROR: 'The server answered with an HTTP status that is not a success.',
  EVENTWIRE_API_ERROR:
    'The server answered 2xx but its body reported a failure (verbose status 0; refused), or could not be read (retried).',
  EVENTWIRE_IMPORT_FAILED_RECORDS:
    'An /import request with strict=1 rejected some records; the error lists each failed record.',
  EVENTWIRE_DELIVERY_FAILED:
    'A flush could not deliver some messages; the error carries the undelivered and rejected messages.',
  // --- batch ---
  EVENTWIRE_QUEUE_FULL:
    'A BatchConsumer dropped a message because its store was full (overflow drop-newest or drop-oldest).',
  EVENTWIRE_MESSAGE_TOO_LARGE:
    'A single message cannot fit in one request of byteLimit bytes; it was dropped before sending.',
  EVENTWIRE_RETRIES_EXHAUSTED:
    'Messages were not delivered within their retry budget (retryLimit or retryBudgetMs) and were dropped.',
  EVENTWIRE_STORE_FAILED:
    'An EventStore operation failed inside a BatchConsumer; the operation is retried later.',
  EVENTWIRE_FANOUT_PARTIAL:
    'Some consumers of a FanoutConsumer refused a message that the others accepted; errors lists each refusal.',
  // --- stores ---
  EVENTWIRE_STORE_DEPENDENCY_MISSING:
    'A store needs an optional package that is not installed (ioredis for Redis; better-sqlite3 for SQLite where the runtime has no node:sqlite, as on Node.js 20).',
  EVENTWIRE_STORE_LOCKED:
    'The SQLite store file is open in another process; one process owns a file at a time.',
  EVENTWIRE_STORE_INCOMPATIBLE:
    'The store file or Redis keys were written by an incompatible eventwire version.',
  EVENTWIRE_STORE_ERROR:
    'The storage engine failed (SQLite I/O error, Redis connection or command error). Retryable.',
  // --- plan ---
  EVENTWIRE_INVALID_PLAN:
    'A tracking plan file cannot be read, parsed or compiled; the error names the file and the JSON pointer.',
  EVENTWIRE_PLAN_VIOLATION:
    'A call broke the tracking plan and the plan policy rejects it; the error lists the issues.',
  EVENTWIRE_LEXICON_ERROR:
    'The Mixpanel Lexicon Schemas API refused a request or answered with something unreadable.',
  // --- flags ---
  EVENTWIRE_FLAGS_INVALID_DEFINITIONS:
    'Flag definitions (a /flags/definitions response or a definitions file) are not { "flags": [...] } JSON.',
  EVENTWIRE_FLAGS_UNAVAILABLE:
    'Flag definitions could not be loaded: ready() rejected (refused request, readyTimeoutMs elapsed, or shut down first).',
  // --- snowplow ---
  EVENTWIRE_SNOWPLOW_NO_SCHEMA:
    'A Mixpanel-style event reached a Snowplow emitter that has no Iglu schema for it (set eventSchema).',
  // --- collector ---
  EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING:
    'The collector needs SQLite for a file database: the runtime has no node:sqlite (Node.js 20) and the optional peer dependency better-sqlite3 is not installed or not built.',
  EVENTWIRE_COLLECTOR_DATABASE_ERROR:
    'The collector could not open or prepare its SQLite database (unwritable folder, corrupt file).',
  EVENTWIRE_COLLECTOR_LISTEN_FAILED:
    'The collector could not listen on the requested host and port (port in use, permission denied).',
  EVENTWIRE_COLLECTOR_FLAGS_FILE_INVALID:
    'The flag definitions file given to the collector cannot be read or is not {"flags": [...]} JSON.',
  EVENTWIRE_COLLECTOR_TLS_ERROR:
    "The collector's HTTPS certificate could not be made, read or used (unwritable folder, not PEM).",
  EVENTWIRE_COLLECTOR_IGLU_INVALID:
    'The Iglu schema folder given to the collector cannot be read, or a schema in it is not JSON, misplaced or does not compile.',
  // --- cli ---
  EVENTWIRE_INPUT_UNREADABLE:
    'An input file of a bulk command cannot be opened, decompressed, or split into records (e.g. a JSON array that is not closed).',
  EVENTWIRE_CHECKPOINT_MISMATCH:
    'An import checkpoint belongs to another file, another version of the file, or other settings; restart or delete it.',
  EVENTWIRE_BULK_INCOMPLETE:
    'A bulk command stopped before every record had a final outcome (undelivered batch, refused request, interrupted).',
  EVENTWIRE_GDPR_API_ERROR:
    'The Mixpanel GDPR API refused a deletion or status request, or answered with something unreadable.',
  EVENTWIRE_UNSAFE_DELETE:
    'people sync --delete-missing was refused because the input holds no rows: it would delete every synced profile.',
} as const

/** A stable error code string, `EVENTWIRE_*`. */
export type ErrorCode = keyof typeof ERROR_CODES

/**
 * The one class that carries each code: its constructor takes only these codes (or fixes its
 * one), so a code and its class cannot drift apart. `docs/errors.md` lists the same binding.
 */
export const ERROR_CLASSES = {
  EVENTWIRE_INVALID_OPTION: 'ConfigError',
  EVENTWIRE_INVALID_ARGUMENT: 'ValidationError',
  EVENTWIRE_INVALID_PROPERTY: 'ValidationError',
  EVENTWIRE_LIMIT_EXCEEDED: 'ValidationError',
  EVENTWIRE_INVALID_INSERT_ID: 'ValidationError',
  EVENTWIRE_FORBIDDEN_DISTINCT_ID: 'ValidationError',
  EVENTWIRE_UNKNOWN_ENDPOINT: 'DeliveryError',
  EVENTWIRE_CLOSED: 'ClosedError',
  EVENTWIRE_DEPENDENCY_MISSING: 'MissingDependencyError',
  EVENTWIRE_CONSUMER_FAILED: 'ConsumerError',
  EVENTWIRE_NETWORK_ERROR: 'DeliveryError',
  EVENTWIRE_TIMEOUT: 'DeliveryError',
  EVENTWIRE_ABORTED: 'DeliveryError',
  EVENTWIRE_HTTP_ERROR: 'DeliveryError',
  EVENTWIRE_API_ERROR: 'DeliveryError',
  EVENTWIRE_IMPORT_FAILED_RECORDS: 'ImportError',
  EVENTWIRE_DELIVERY_FAILED: 'DeliveryError',
  EVENTWIRE_QUEUE_FULL: 'DeliveryError',
  EVENTWIRE_MESSAGE_TOO_LARGE: 'DeliveryError',
  EVENTWIRE_RETRIES_EXHAUSTED: 'DeliveryError',
  EVENTWIRE_STORE_FAILED: 'DeliveryError',
  EVENTWIRE_FANOUT_PARTIAL: 'FanoutError',
  EVENTWIRE_STORE_DEPENDENCY_MISSING: 'MissingDependencyError',
  EVENTWIRE_STORE_LOCKED: 'StoreError',
  EVENTWIRE_STORE_INCOMPATIBLE: 'StoreError',
  EVENTWIRE_STORE_ERROR: 'StoreError',
  EVENTWIRE_INVALID_PLAN: 'PlanError',
  EVENTWIRE_PLAN_VIOLATION: 'PlanViolationError',
  EVENTWIRE_LEXICON_ERROR: 'LexiconError',
  EVENTWIRE_FLAGS_INVALID_DEFINITIONS: 'FlagsError',
  EVENTWIRE_FLAGS_UNAVAILABLE: 'FlagsError',
  EVENTWIRE_SNOWPLOW_NO_SCHEMA: 'ValidationError',
  EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING: 'MissingDependencyError',
  EVENTWIRE_COLLECTOR_DATABASE_ERROR: 'CollectorError',
  EVENTWIRE_COLLECTOR_LISTEN_FAILED: 'CollectorError',
  EVENTWIRE_COLLECTOR_FLAGS_FILE_INVALID: 'CollectorError',
  EVENTWIRE_COLLECTOR_TLS_ERROR: 'CollectorError',
  EVENTWIRE_COLLECTOR_IGLU_INVALID: 'CollectorError',
  EVENTWIRE_INPUT_UNREADABLE: 'BulkError',
  EVENTWIRE_CHECKPOINT_MISMATCH: 'BulkError',
  EVENTWIRE_BULK_INCOMPLETE: 'BulkError',
  EVENTWIRE_GDPR_API_ERROR: 'GdprApiError',
  EVENTWIRE_UNSAFE_DELETE: 'BulkError',
} as const satisfies Record<ErrorCode, string>

/** The name of an error class that carries codes. */
export type ErrorClassName = (typeof ERROR_CLASSES)[ErrorCode]

/** The codes bound to the class named `C`. */
export type CodeOf<C extends ErrorClassName> = {
  [K in ErrorCode]: (typeof ERROR_CLASSES)[K] extends C ? K : never
}[ErrorCode]
