/** A JSON value as it goes on the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object as it goes on the wire. */
export type JsonObject = { [key: string]: JsonValue }
