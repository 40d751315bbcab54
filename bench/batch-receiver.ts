/**
 * The BatchConsumer benchmark's receiver, run as its own process so it does not share the event
 * loop with the code being measured. Answers like Mixpanel's `/track` (`verbose=1`), counts
 * requests, body bytes, records and distinct `$insert_id`s. Prints its port on stdout.
 * `GET /_count` returns `{ requests, bytes, records, unique }`; `POST /_reset` zeroes them.
 */
import { createServer } from 'node:http'

let requests = 0
let bytes = 0
let records = 0
let ids = new Set<string>()

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    if (req.url === '/_count') {
      res.end(JSON.stringify({ requests, bytes, records, unique: ids.size }))
      return
    }
    if (req.url === '/_reset') {
      requests = 0
      bytes = 0
      records = 0
      ids = new Set()
      res.end('{}')
      return
    }
    const raw = Buffer.concat(chunks)
    requests++
    bytes += raw.length
    let parsed: Array<{ properties?: { $insert_id?: string } }>
    try {
      parsed = JSON.parse(raw.toString('utf8'))
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":0,"error":"bad json"}')
      return
    }
    for (const record of parsed) {
      records++
      const id = record.properties?.$insert_id
      if (id !== undefined) ids.add(id)
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"status":1,"error":null}')
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
