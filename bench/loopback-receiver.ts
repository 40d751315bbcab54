/**
 * A minimal Mixpanel-like receiver for benchmarks, run as its own process so it does not share the
 * event loop with the code being measured. Prints its port on stdout; counts records and bytes.
 * `GET /_count` returns `{ records, requests, bytes }`.
 */
import { createServer } from 'node:http'
import { gunzipSync } from 'node:zlib'

let records = 0
let requests = 0
let bytes = 0
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    if (req.url === '/_count') {
      res.end(JSON.stringify({ records, requests, bytes }))
      return
    }
    const raw = Buffer.concat(chunks)
    bytes += raw.length
    requests++
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString()
    try {
      const parsed = JSON.parse(body)
      records += Array.isArray(parsed) ? parsed.length : 1
    } catch {
      res.writeHead(400).end('{"status":0,"error":"bad json"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(req.url?.startsWith('/import') ? '{"code":200,"status":"OK"}' : '{"status":1,"error":null}')
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
