import { createRequire } from 'node:module'
import type * as JsonLogic from 'json-logic-js'
import { datetimeCompare, semverCompare } from './runtime-operators.js'

export type { RulesLogic } from 'json-logic-js'

let loaded: typeof JsonLogic | undefined

/**
 * json-logic-js, loaded the first time a rule needs it: a rule the compiler leaves to it, or a
 * `missing` key that is itself logic. Mixpanel's two operations (`semver_compare`,
 * `datetime_compare`) go into its global operation table then, so importing eventwire, or
 * evaluating rules that compile, changes nothing in it.
 */
export function jsonLogic(): typeof JsonLogic {
  if (loaded === undefined) {
    loaded = createRequire(import.meta.url)('json-logic-js') as typeof JsonLogic
    loaded.add_operation('semver_compare', semverCompare)
    loaded.add_operation('datetime_compare', datetimeCompare)
  }
  return loaded
}
