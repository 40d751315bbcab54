import { HttpError } from './http-io.js'
import { limitDepth, MAX_JSON_DEPTH } from './json-depth.js'

/** Mixpanel's limit of records in one request. */
export const MAX_RECORDS_PER_REQUEST = 2000

/**
 * Why one record of a request could not be read: `malformed_json` (an NDJSON line that is not
 * JSON; the record is its text) or `too_deep_json` (nested deeper than {@link MAX_JSON_DEPTH}
 * levels; the record is kept with its deeper parts cut).
 */
export interface RecordProblem {
  code: 'malformed_json' | 'too_deep_json'
  message: string
}

/** The records of one Mixpanel request and its parameters (query string merged with form fields). */
export interface DecodedRequest {
  records: unknown[]
  /** The problem of each record that could not be read as sent (same index as `records`). */
  problems: Map<number, RecordProblem>
  /** `verbose`, `strict`, `ip`... from the query string, overridden by form fields of the body. */
  params: URLSearchParams
  /** True when the records came in a `data=` parameter (the form encoding older SDKs use). */
  form: boolean
}

const JSON_TYPES = new Set(['', 'application/json', 'text/plain', 'text/json'])
const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
])
const FORM_TYPE = 'application/x-www-form-urlencoded'
/** Types a `data=` body may arrive with: none, or text/plain as `navigator.sendBeacon` sends it. */
const SNIFFED_TYPES = new Set(['', 'text/plain'])

/**
 * Decodes a Mixpanel ingestion request in every encoding the official SDKs and the HTTP docs use:
 * a JSON array or object, NDJSON, a form body with `data=` holding JSON or base64 (URL-encoded or
 * not, as the `mixpanel` npm package sends it), or `GET ?data=`. Throws an {@link HttpError}
 * (400 malformed, 415 wrong content type) naming the reason.
 */
export function decodeMixpanelRequest(
  method: string,
  contentType: string,
  body: Buffer,
  query: URLSearchParams,
): DecodedRequest {
  const params = new URLSearchParams(query)
  let records: unknown[]
  let form = true
  if (body.length === 0) {
    const data = query.get('data')
    if (data === null) {
      throw new HttpError(400, method === 'GET' ? 'missing the data query parameter' : 'the body is empty')
    }
    records = parseData(data)
  } else if (
    contentType === FORM_TYPE ||
    (SNIFFED_TYPES.has(contentType) && body.subarray(0, 5).toString() === 'data=')
  ) {
    const form = new URLSearchParams(body.toString('utf8'))
    for (const [key, value] of form) if (key !== 'data') params.set(key, value)
    const data = form.get('data')
    if (data === null) throw new HttpError(400, 'the form body has no data= field')
    records = parseData(data)
  } else if (NDJSON_TYPES.has(contentType)) {
    records = parseNdjson(body.toString('utf8'))
    form = false
  } else if (JSON_TYPES.has(contentType)) {
    records = parseJsonText(body.toString('utf8'))
    form = false
  } else {
    throw new HttpError(
      415,
      `unsupported Content-Type ${JSON.stringify(contentType)}: send application/json, application/x-ndjson or application/x-www-form-urlencoded`,
    )
  }
  if (records.length === 0) throw new HttpError(400, 'the request carries no records')
  if (records.length > MAX_RECORDS_PER_REQUEST) {
    throw new HttpError(
      400,
      `${records.length} records in one request, more than Mixpanel's limit of ${MAX_RECORDS_PER_REQUEST}`,
    )
  }
  const problems = new Map<number, RecordProblem>()
  records.forEach((record, index) => {
    if (record instanceof MalformedLine) {
      records[index] = record.text
      problems.set(index, { code: 'malformed_json', message: record.message })
      return
    }
    const limited = limitDepth(record)
    if (limited.tooDeep) {
      records[index] = limited.value
      problems.set(index, {
        code: 'too_deep_json',
        message: `nested deeper than the collector's limit of ${MAX_JSON_DEPTH} levels; deeper parts are not kept`,
      })
    }
  })
  return { records, params, form, problems }
}

/** An NDJSON line that is not JSON: judged as a refused record, not as a broken request. */
class MalformedLine {
  constructor(
    readonly text: string,
    readonly message: string,
  ) {}
}

/** Longest text of a malformed line kept with its record. */
const MAX_MALFORMED_TEXT = 4096

/** Parses a `data=` value: raw JSON, or standard / URL-safe base64 of JSON (padding optional). */
function parseData(data: string): unknown[] {
  const trimmed = data.trim()
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return parseJsonText(trimmed)
  const text = decodeBase64(trimmed)
  if (text === undefined) throw new HttpError(400, 'data= is neither JSON nor valid base64')
  try {
    return asRecords(JSON.parse(text))
  } catch (error) {
    if (error instanceof HttpError) throw error
    throw new HttpError(400, 'data= is base64 but does not decode to JSON')
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Decodes standard or URL-safe base64. A `+` that arrived as a space (an un-encoded form value
 * read as URL-encoded) is restored. Returns undefined when the text is not base64.
 */
export function decodeBase64(value: string): string | undefined {
  const normalized = value.replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/')
  if (normalized === '' || !BASE64.test(normalized)) return undefined
  const unpadded = normalized.replace(/=+$/, '')
  if (unpadded.length % 4 === 1) return undefined
  return Buffer.from(unpadded, 'base64').toString('utf8')
}

function parseJsonText(text: string): unknown[] {
  try {
    return asRecords(JSON.parse(text))
  } catch (error) {
    if (error instanceof HttpError) throw error
    // Several JSON values on separate lines are NDJSON sent without its content type.
    if (text.trim().includes('\n')) return parseNdjson(text)
    throw new HttpError(400, `malformed JSON: ${(error as Error).message}`)
  }
}

/**
 * One record per non-empty line. A line that is not JSON becomes a {@link MalformedLine}: Mixpanel
 * judges the lines of a request one by one, so it does not take the other lines down with it.
 */
function parseNdjson(text: string): unknown[] {
  const records: unknown[] = []
  const lines = text.split('\n')
  let malformed = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    try {
      records.push(JSON.parse(line))
    } catch (error) {
      malformed++
      records.push(
        new MalformedLine(
          line.length > MAX_MALFORMED_TEXT ? `${line.slice(0, MAX_MALFORMED_TEXT)}…` : line,
          `line ${i + 1} is not JSON: ${(error as Error).message}`,
        ),
      )
    }
  }
  if (malformed > 0 && malformed === records.length) {
    throw new HttpError(400, `malformed NDJSON: no line is JSON (${(records[0] as MalformedLine).message})`)
  }
  return records
}

function asRecords(parsed: unknown): unknown[] {
  if (Array.isArray(parsed)) return parsed
  if (typeof parsed === 'object' && parsed !== null) return [parsed]
  throw new HttpError(400, 'the body must be a JSON object or an array of objects')
}
