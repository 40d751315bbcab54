import type { IgluRegistry } from './iglu-registry.js'
import { isObject } from './mixpanel-rules.js'
import type { NewItem } from './types.js'

/**
 * Checks a Snowplow item's self-describing event and entities against the user's Iglu schemas,
 * as Snowplow Micro does: data that fails its schema (`iglu_invalid_data`) or names a schema the
 * folder does not have (`iglu_schema_not_found`) makes the item bad. Returns true when it found
 * an issue.
 */
export function checkIglu(registry: IgluRegistry, item: NewItem): boolean {
  const before = item.issues.length
  const decoded = item.decoded
  const unstruct = decoded?.unstruct
  const event = isObject(unstruct) ? unstruct.data : undefined
  if (isObject(event) && typeof event.schema === 'string') {
    check(registry, item, event.schema, event.data, 'decoded.unstruct.data')
  }
  const contexts = decoded?.contexts
  const list = isObject(contexts) ? contexts.data : undefined
  if (Array.isArray(list)) {
    list.forEach((entity, index) => {
      if (isObject(entity) && typeof entity.schema === 'string') {
        check(registry, item, entity.schema, entity.data, `decoded.contexts.data[${index}]`)
      }
    })
  }
  return item.issues.length > before
}

function check(registry: IgluRegistry, item: NewItem, uri: string, data: unknown, at: string): void {
  const result = registry.check(uri, data)
  if (result.status === 'unknown') {
    item.issues.push({
      code: 'iglu_schema_not_found',
      path: `${at}.schema`,
      message: `${uri} is not in the Iglu folder ${registry.dir}`,
      source: 'iglu',
    })
  } else if (result.status === 'invalid') {
    for (const problem of result.problems) {
      item.issues.push({
        code: 'iglu_invalid_data',
        path: problem.path === '' ? `${at}.data` : `${at}.data.${problem.path}`.replace('.data.[', '.data['),
        message: `${uri}: ${problem.message}`,
        source: 'iglu',
      })
    }
  }
}
