import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = new URL('..', import.meta.url).pathname

test('npm run demo: the example service lands in the local collector and the summary says so', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'eventwire-demo-'))
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(root, 'examples/demo.ts'), '--once'],
      {
        cwd,
        timeout: 90_000,
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    )
    const number = (label: string) => Number(new RegExp(`^\\s+${label}\\s+(\\d+)$`, 'm').exec(stdout)?.[1])
    const delivered = Number(/delivered (\d+), failed 0, dropped 0, pending 0/.exec(stdout)?.[1])
    assert.ok(delivered > 0, stdout)
    assert.ok(number('events') > 0, stdout)
    // Every event goes to Mixpanel and, as a self-describing event whose eid is its $insert_id, to Snowplow.
    const mixpanel = Number(/^ {2}mixpanel: (\d+) events$/m.exec(stdout)?.[1])
    const [, sent, valid, unplanned] =
      /^ {2}snowplow: (\d+) self-describing events, (\d+) valid against the exported Iglu schemas, (\d+) unplanned \(no schema\)$/m
        .exec(stdout)!
        .map(Number)
    assert.equal(number('uniqueInsertIds'), mixpanel, 'each event stored once per destination')
    assert.equal(number('events'), mixpanel + sent!)
    assert.equal(sent, mixpanel)
    assert.equal(valid! + unplanned!, sent, 'every Snowplow event is valid or names a schema the plan lacks')
    assert.ok(valid! > unplanned!, stdout)
    assert.ok(number('good') > number('bad'), 'the example service is mostly valid')
    assert.ok(number('bad') >= 1, 'the unplanned event is stored as invalid')
    assert.ok(number('profiles') > 0, stdout)
    assert.match(stdout, /plan issues reported: \d+ calls \(.*invalid_type.*\)/)
  } finally {
    await rm(cwd, { recursive: true, force: true })
  }
})

test('npm run demo on a port in use says so and listens on a free port', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'eventwire-demo-'))
  const busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  const port = (busy.address() as { port: number }).port
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        join(root, 'examples/demo.ts'),
        '--once',
        '--port',
        String(port),
      ],
      { cwd, timeout: 90_000, env: { ...process.env, NODE_OPTIONS: '' } },
    )
    assert.match(stdout, new RegExp(`^port ${port} is in use: the collector takes a free port instead$`, 'm'))
    const url = /^collector and debugger: http:\/\/127\.0\.0\.1:(\d+)$/m.exec(stdout)
    assert.ok(url, stdout)
    assert.notEqual(Number(url[1]), port)
    assert.match(stdout, /delivered [1-9]\d*, failed 0, dropped 0, pending 0/)
  } finally {
    busy.close()
    await rm(cwd, { recursive: true, force: true })
  }
})
