import type { IncomingMessage, ServerResponse } from 'node:http'
import { createGunzip } from 'node:zlib'

/** A request-level failure: answered with `status` and `reason`, the server carries on. */
export class HttpError extends Error {
  readonly status: number

  constructor(status: number, reason: string) {
    super(reason)
    this.name = 'HttpError'
    this.status = status
  }
}

/** Size limits applied while reading a request body. */
export interface BodyLimits {
  /** Largest body as sent (before gzip decoding), in bytes. */
  maxBodyBytes: number
  /** Largest body after gzip decoding, in bytes. */
  maxDecompressedBytes: number
}

/** Bytes of an oversized body the server keeps discarding before it drops the connection. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024

/**
 * Reads a request body, decoding `Content-Encoding: gzip` as a stream so that a small compressed
 * body cannot expand past `maxDecompressedBytes` in memory (gzip bombs). Rejects with an
 * {@link HttpError}: 413 for either limit, 415 for other encodings, 400 for broken gzip.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase()
  const gzipped = encoding === 'gzip' || encoding === 'x-gzip'
  if (!gzipped && encoding !== 'identity' && encoding !== '') {
    discard(req)
    return Promise.reject(
      new HttpError(415, `unsupported Content-Encoding ${JSON.stringify(encoding)}: only gzip is accepted`),
    )
  }
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    discard(req)
    return Promise.reject(tooLarge(limits.maxBodyBytes))
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let rawBytes = 0
    let outBytes = 0
    let settled = false
    const gunzip = gzipped ? createGunzip() : undefined

    const fail = (error: HttpError) => {
      if (settled) return
      settled = true
      gunzip?.destroy()
      discard(req)
      reject(error)
    }
    const finish = () => {
      if (settled) return
      settled = true
      resolve(Buffer.concat(chunks, outBytes))
    }
    const push = (chunk: Buffer) => {
      if (settled) return
      outBytes += chunk.length
      if (outBytes > limits.maxDecompressedBytes) {
        fail(
          new HttpError(413, `decompressed body exceeds the limit of ${limits.maxDecompressedBytes} bytes`),
        )
        return
      }
      chunks.push(chunk)
    }

    req.on('data', (chunk: Buffer) => {
      if (settled) return
      rawBytes += chunk.length
      if (rawBytes > limits.maxBodyBytes) {
        fail(tooLarge(limits.maxBodyBytes))
        return
      }
      if (gunzip) gunzip.write(chunk)
      else push(chunk)
    })
    req.on('end', () => {
      if (settled) return
      if (gunzip) gunzip.end()
      else finish()
    })
    req.on('error', () => fail(new HttpError(400, 'the request body could not be read')))
    gunzip?.on('data', push)
    gunzip?.on('end', finish)
    gunzip?.on('error', () => fail(new HttpError(400, 'the body is not valid gzip data')))
  })
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request exceeds max limit of ${limit} bytes`)
}

/**
 * Throws away the rest of a body that will not be read, so the connection stays usable for the
 * next request; a sender that goes on far past the limit is disconnected.
 */
export function discard(req: IncomingMessage): void {
  req.removeAllListeners('data')
  let discarded = 0
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length
    if (discarded > MAX_DISCARD_BYTES) req.socket.destroy()
  })
  req.resume()
}

/** An answer, built before it is sent so that it can be recorded with its request. */
export interface Reply {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

/** A JSON answer. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  }
}

/** A plain-text answer (Mixpanel's non-verbose `1` / `0`). */
export function textReply(status: number, text: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: text }
}

/** Sends a {@link Reply}. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  send(res, reply.status, reply.body, reply.headers)
}

/** Security headers sent with every response. */
const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }

/** Sends a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers })
}

/** Sends a plain-text response (Mixpanel's non-verbose `1` / `0`). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, text, { 'content-type': 'text/plain; charset=utf-8', ...headers })
}

/** Sends a response unless the connection is already gone. */
export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { ...BASE_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(body)) })
  res.end(body)
}

/** The media type of a request (`application/json`), lower-cased, without parameters. */
export function mediaType(req: IncomingMessage): string {
  const header = req.headers['content-type']
  if (header === undefined) return ''
  return header.split(';', 1)[0]!.trim().toLowerCase()
}
