import { type EventwireError, isEventwireError } from '../errors/index.js'
import {
  type Clock,
  type Logger,
  patternRedactor,
  type Redactor,
  type RetryPolicy,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import { type HttpResponse, sendWithRetries, type Transport } from '../transport/index.js'

/** What an App API client (Lexicon, GDPR) brings to {@link requestJson}. */
export interface JsonApiContext {
  readonly transport: Transport
  readonly policy: RetryPolicy
  readonly clock: Clock
  readonly logger: Logger
  /** The API's name for log lines, e.g. `Lexicon`. */
  readonly api: string
  /**
   * Takes the API's credentials out of server answers quoted in errors and log lines (a server
   * or proxy may echo the `Authorization` header). @default patterns only
   */
  readonly redactor?: Redactor
  /** Waits until the API's rate limit allows `request` (called before every attempt). */
  throttle(request: JsonApiRequest): Promise<void>
  /**
   * What follows `failed with HTTP <status>` in the error message: `detail` is the server's
   * explanation (`: text`, or empty); add hints such as which role the credentials need.
   */
  explain(status: number, detail: string): string
  /** Builds the API's own error; `cause` is the network error or the JSON parse error. */
  error(message: string, details: { status?: number; retryable: boolean; cause?: unknown }): EventwireError
  /** Told of every backoff wait, in milliseconds. */
  onWait?(ms: number): void
  /**
   * What is wrong with a 2xx answer's JSON object, for APIs that report failures in the body
   * (`"status": "error"`); undefined when it is a success.
   */
  bodyProblem?(body: JsonObject): string | undefined
}

/** One request to an App API: where, how, and a label naming it in messages (`POST /schemas`). */
export interface JsonApiRequest {
  readonly method: 'GET' | 'POST'
  readonly url: string
  readonly label: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: JsonObject
  /** Rate-limit units the request uses, for APIs that count more than requests. @default 1 */
  readonly units?: number
}

/**
 * The request loop of the App API clients: sends a request, rate limited by `throttle`, retried
 * per the retry policy (network errors, 408/429/5xx, `Retry-After`; see `sendWithRetries`), and
 * answers the parsed JSON object of a 2xx response. Every final failure is the API's own error,
 * with the server's explanation and the hint; never the credentials.
 */
export async function requestJson(context: JsonApiContext, request: JsonApiRequest): Promise<JsonObject> {
  const redactor = context.redactor ?? patternRedactor
  const text = request.body === undefined ? undefined : JSON.stringify(request.body)
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
  if (text !== undefined) headers['content-type'] = 'application/json'
  const bodyBytes = text === undefined ? 0 : Buffer.byteLength(text)
  let res: HttpResponse
  try {
    res = await sendWithRetries(
      context.transport,
      () => ({ url: request.url, method: request.method, headers, body: text, bodyBytes }),
      {
        policy: context.policy,
        clock: context.clock,
        before: () => context.throttle(request),
        onRetry: (retry, delayMs, reason) => {
          context.logger.warn(
            { retry, delayMs },
            redactor.text(`${context.api} request will be retried: ${request.label}: ${reason}`),
          )
          context.onWait?.(delayMs)
        },
      },
    )
  } catch (error) {
    const retryable = isEventwireError(error) && error.retryable
    throw context.error(redactor.text(`${request.label}: ${(error as Error).message}`), {
      cause: error,
      retryable,
    })
  }
  if (res.status >= 200 && res.status < 300) return parseObject(context, res, request.label)
  throw context.error(
    `${request.label} failed with HTTP ${res.status}${context.explain(res.status, redactor.text(serverDetail(res)))}`,
    { status: res.status, retryable: context.policy.isRetryableStatus(res.status) },
  )
}

function parseObject(context: JsonApiContext, res: HttpResponse, label: string): JsonObject {
  let parsed: unknown
  try {
    parsed = JSON.parse(res.body)
  } catch (error) {
    throw context.error(`${label}: the answer is not JSON`, {
      status: res.status,
      retryable: false,
      cause: error,
    })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw context.error(`${label}: the answer is not a JSON object`, { status: res.status, retryable: false })
  }
  const problem = context.bodyProblem?.(parsed as JsonObject)
  if (problem !== undefined) {
    const text = (context.redactor ?? patternRedactor).text(`${label}: ${problem}`)
    throw context.error(text, { status: res.status, retryable: false })
  }
  return parsed as JsonObject
}

/** The server's `error` text, or the start of a non-JSON body, prefixed with `: `. */
function serverDetail(res: HttpResponse): string {
  try {
    const parsed = JSON.parse(res.body) as { error?: unknown }
    if (typeof parsed?.error === 'string') return `: ${parsed.error.slice(0, 500)}`
  } catch {
    // not JSON: show the start of the text
  }
  const text = res.body.trim()
  return text === '' ? '' : `: ${text.slice(0, 200)}`
}
