/**
 * The message model: what a tracked call becomes and carries through consumers, stores and
 * destinations. Depends on nothing else in eventwire.
 */
export { type DropReason, ENDPOINTS, type Endpoint, isEndpoint } from './endpoint.js'
export { flatten, isValidInsertId, newInsertId } from './ids.js'
export type { JsonObject, JsonValue } from './json.js'
export {
  adoptMessage,
  createMessage,
  draftMessage,
  isBuiltMessage,
  type Message,
  type MessageDraft,
  messageFromJson,
  messageList,
  setWaiter,
  waiterOf,
} from './message.js'
