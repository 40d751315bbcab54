/** Formats a plan property may use (validated with ajv-formats). */
export const PLAN_FORMATS = [
  'date-time',
  'date',
  'time',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'uuid',
  'regex',
] as const

/** JSON Schema type names a plan property may use. */
export const PLAN_TYPE_NAMES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const

/** Pattern of an event's code name (the key under `events`): usable as an identifier. */
export const CODE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$'

const nonNegative = { type: 'integer', minimum: 0 } as const
const names = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
} as const

/**
 * The JSON Schema (draft-07) of a tracking plan file. Published as
 * `schemas/tracking-plan.schema.json` for editors; a test keeps the two identical.
 */
export const PLAN_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'eventwire tracking plan',
  description:
    'Events, their properties, and user and group profile properties, enforced by eventwire at runtime and compile time.',
  type: 'object',
  required: ['version', 'events'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'Path or URL of this JSON Schema, for editors.' },
    version: {
      type: 'string',
      minLength: 1,
      description: 'Version of the plan, reported with every violation. Quote it in YAML ("1.10").',
    },
    title: { type: 'string' },
    description: { type: 'string' },
    additionalProperties: {
      type: 'boolean',
      default: false,
      description:
        'Default for events and profiles: whether properties the plan does not declare are allowed.',
    },
    commonProperties: { $ref: '#/definitions/commonProperties' },
    events: {
      type: 'object',
      description: 'Events keyed by code name (e.g. userSignsUp).',
      propertyNames: { pattern: CODE_NAME_PATTERN },
      additionalProperties: { $ref: '#/definitions/event' },
    },
    people: { $ref: '#/definitions/profile', description: 'User profile properties.' },
    groups: {
      type: 'object',
      description: 'Group profile properties per group key (e.g. company_id).',
      propertyNames: { minLength: 1 },
      additionalProperties: { $ref: '#/definitions/profile' },
    },
  },
  definitions: {
    event: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, description: 'Display name sent to Mixpanel.' },
        description: { type: 'string' },
        owner: { type: 'string', description: 'E-mail address or team name.' },
        tags: names,
        properties: { $ref: '#/definitions/propertyMap' },
        required: names,
        additionalProperties: { type: 'boolean' },
        deprecated: { type: 'boolean' },
        replacedBy: { type: 'string', minLength: 1, description: 'Code name or display name.' },
        aliases: { ...names, description: 'Other names still sent for this event.' },
      },
    },
    commonProperties: {
      type: 'object',
      required: ['properties'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        properties: { $ref: '#/definitions/propertyMap' },
        required: names,
      },
    },
    profile: {
      type: 'object',
      required: ['properties'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        description: { type: 'string' },
        properties: { $ref: '#/definitions/propertyMap' },
        additionalProperties: { type: 'boolean' },
      },
    },
    propertyMap: {
      type: 'object',
      propertyNames: { minLength: 1 },
      additionalProperties: { $ref: '#/definitions/property' },
    },
    typeName: { enum: [...PLAN_TYPE_NAMES] },
    property: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: {
          anyOf: [
            { $ref: '#/definitions/typeName' },
            { type: 'array', items: { $ref: '#/definitions/typeName' }, minItems: 1, uniqueItems: true },
          ],
        },
        title: { type: 'string' },
        description: { type: 'string' },
        examples: { type: 'array' },
        deprecated: { type: 'boolean' },
        enum: { type: 'array', minItems: 1, uniqueItems: true },
        const: {},
        pattern: { type: 'string', format: 'regex' },
        format: { enum: [...PLAN_FORMATS] },
        minLength: nonNegative,
        maxLength: nonNegative,
        minimum: { type: 'number' },
        maximum: { type: 'number' },
        exclusiveMinimum: { type: 'number' },
        exclusiveMaximum: { type: 'number' },
        multipleOf: { type: 'number', exclusiveMinimum: 0 },
        items: { $ref: '#/definitions/property' },
        minItems: nonNegative,
        maxItems: nonNegative,
        uniqueItems: { type: 'boolean' },
        properties: { $ref: '#/definitions/propertyMap' },
        required: names,
        additionalProperties: { type: 'boolean' },
      },
    },
  },
} as const
