/** How bulk work is delivered: the options every bulk operation shares, the engine, ordered results. */
export {
  BULK_DEFAULTS,
  BULK_OPTIONS,
  type BulkOptions,
  type BulkParts,
  resolveBulkOptions,
} from './bulk-options.js'
export { OrderedWindow } from './ordered-window.js'
