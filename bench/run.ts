/**
 * `npm run bench`: runs every benchmark in its own process, one after another, and prints their
 * reports. Pass names to run a subset: `npm run bench -- consumers flags`.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const ALL = [
  'consumers',
  'batch',
  'fire-and-forget',
  'cold-start',
  'stores',
  'plan',
  'serialize',
  'flags',
  'collector',
  'import',
]
const wanted = process.argv.slice(2)
const names = wanted.length > 0 ? wanted : ALL
let failed = 0
for (const name of names) {
  const file = new URL(`./${name}.ts`, import.meta.url).pathname
  if (!existsSync(file)) {
    console.error(`bench/${name}.ts does not exist`)
    failed++
    continue
  }
  console.log(`\n=== bench/${name}.ts ===`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file], { stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`bench/${name}.ts exited with ${result.status ?? result.signal}`)
    failed++
  }
}
process.exit(failed === 0 ? 0 : 1)
