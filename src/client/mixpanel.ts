import {
  CLOSE_OPTIONS,
  type CloseOptions,
  type CloseResult,
  CONSUMER_OPTIONS,
  Consumer,
  type EventConsumer,
  FanoutConsumer,
  handled,
  isSafeConsumer,
} from '../consumers/index.js'
import { ConfigError, ValidationError } from '../errors/index.js'
import { LocalFlagsProvider, RemoteFlagsProvider } from '../flags/index.js'
import {
  checkOptions,
  type Logger,
  pickOptions,
  resolveLogger,
  stringOption,
  systemClock,
} from '../internal/index.js'
import type { Message } from '../message/index.js'
import { PLAN_VIOLATION_EVENT, type PlanViolation, violationEventProperties } from '../plan/index.js'
import { callError, consumerError } from './call-errors.js'
import { checkClientOptions, MIXPANEL_DEFAULTS, type MixpanelOptions } from './client-options.js'
import { checkDistinctId } from './identity.js'
import { type ImportEvent, importBatch } from './import-batch.js'
import { type ClientWarning, MessageBuilder } from './message-builder.js'
import { Groups, People, type ProfileProperties } from './people.js'
import { createPlanGate, PlanDrop, type PlanGate } from './plan-gate.js'

/** Event properties: any values with a documented JSON mapping (see docs/properties.md). */
export type Properties = Record<string, unknown>

/** Maps event names to their property types, for compile-time checked `track()` calls. */
export type EventMap = Record<string, Properties>

export type { ImportEvent } from './import-batch.js'

/**
 * A Mixpanel-compatible client. Every method returns a Promise that resolves when the consumer
 * accepted the message (for the default `Consumer`: when Mixpanel answered), and rejects with an
 * `EventwireError` for that one call when its input is invalid or delivery finally failed.
 *
 * `Events` maps event names to property types, so `track()` is checked at compile time.
 */
export class Mixpanel<
  Events extends EventMap = EventMap,
  UserProps extends ProfileProperties = ProfileProperties,
> {
  /** The consumer messages are handed to. */
  readonly consumer: EventConsumer
  /** User profile updates (`/engage`). */
  readonly people: People<UserProps>
  /** Group profile updates (`/groups`). */
  readonly groups: Groups
  readonly #builder: MessageBuilder<PlanGate | undefined>
  readonly #logger: Logger
  readonly #ownsConsumer: boolean
  readonly #violationConsumer: EventConsumer | undefined
  readonly #violationBuilder: MessageBuilder | undefined
  readonly #onViolation: ((violation: PlanViolation) => void) | undefined
  readonly #localFlags: LocalFlagsProvider | undefined
  readonly #remoteFlags: RemoteFlagsProvider | undefined
  #warnedEmail = false

  /**
   * @param token The project token.
   * @throws {ConfigError} for an unknown option (naming the option meant, when one is close), a
   *   delivery option next to `consumer`/`consumers`, or an invalid value.
   */
  constructor(token: string, options: MixpanelOptions = {}) {
    if (typeof token === 'object' && token !== null) {
      throw new ConfigError(
        'token',
        'expected the project token as the first argument: new Mixpanel(token, options)',
      )
    }
    const projectToken = stringOption('token', token, undefined)
    if (projectToken === undefined) throw new ConfigError('token', 'a project token is required')
    checkClientOptions(options)
    this.#logger = resolveLogger(options.logger)
    this.#ownsConsumer = options.consumer === undefined && options.consumers === undefined
    this.consumer =
      options.consumer ??
      (options.consumers
        ? new FanoutConsumer([...options.consumers])
        : new Consumer(pickOptions(options, CONSUMER_OPTIONS)))
    this.#safeConsumer = isSafeConsumer(this.consumer)
    const onWarning = options.onWarning
    const clock = options.clock ?? systemClock
    const profileDefaults = { ...MIXPANEL_DEFAULTS.profileDefaults, ...options.profileDefaults }
    const warn = (warning: ClientWarning) => {
      if (!this.#warnedEmail) {
        this.#warnedEmail = true
        this.#logger.warn({ code: warning.code, method: warning.method }, warning.message)
      }
      onWarning?.(warning)
    }
    this.#onViolation = options.onViolation
    this.#violationConsumer = options.violationConsumer
    this.#violationBuilder = options.violationConsumer
      ? new MessageBuilder(projectToken, clock, profileDefaults, warn)
      : undefined
    const gate = createPlanGate(options, (violation) => this.#reportViolation(violation), options.logger)
    this.#builder = new MessageBuilder(projectToken, clock, profileDefaults, warn, gate)
    const tracker = {
      track: (id: string, event: string, props: Record<string, unknown>) => this.#trackAny(id, event, props),
    }
    // Flags talk to the same host, with the same credentials, clock and logger as the client.
    const shared = {
      apiHost: options.apiHost,
      region: options.region,
      serviceAccount: options.serviceAccount,
      verifyCert: options.verifyCert,
      dispatcher: options.dispatcher,
      clock: options.clock,
      logger: options.logger,
    }
    this.#localFlags = options.localFlags
      ? new LocalFlagsProvider({ ...shared, ...options.localFlags, token: projectToken, tracker })
      : undefined
    this.#remoteFlags = options.remoteFlags
      ? new RemoteFlagsProvider({ ...shared, ...options.remoteFlags, token: projectToken, tracker })
      : undefined
    const send = (build: () => Message | PlanDrop) => this.#send(build)
    this.people = new People<UserProps>(this.#builder, send)
    this.groups = new Groups(this.#builder, send)
  }

  /**
   * Tracks an event (`/track`). Adds `token`, `distinct_id`, `time` (ms), `$insert_id` (kept if you
   * pass a valid one), `mp_lib: "eventwire"` and `$lib_version`. Pass `null` as `distinctId` to let
   * Mixpanel derive it from `$device_id` / `$user_id` (Simplified ID Merge).
   */
  track<E extends keyof Events & string>(
    distinctId: string | null,
    event: E,
    properties?: Events[E],
  ): Promise<void> {
    // The hot path: no closure, no async frame.
    let built: Message | PlanDrop
    try {
      built = this.#builder.event('events', 'track', distinctId, event, properties)
    } catch (error) {
      return this.#refused(error)
    }
    return this.#hand(built)
  }

  /**
   * Imports a historical event through `/import` (`strict=1`), authenticated with the service
   * account or the project token. Rejects with an `ImportError` naming the record if Mixpanel
   * refuses it.
   */
  import<E extends keyof Events & string>(
    distinctId: string,
    event: E,
    time: Date | number,
    properties?: Events[E],
  ): Promise<void> {
    return this.#send(() => this.#builder.event('imports', 'import', distinctId, event, properties, time))
  }

  /**
   * Imports many historical events. Records that fail validation here are not sent; the others are
   * (in requests of up to 2000). Resolves when all were accepted; otherwise rejects with an
   * `ImportError` whose `failedRecords` names every refused record by its index in `events`.
   */
  importBatch(events: readonly ImportEvent[]): Promise<void> {
    return handled(
      importBatch(this.#builder, this.consumer, events).catch((error: unknown) => {
        throw callError(error, 'EVENTWIRE_INVALID_ARGUMENT')
      }),
    )
  }

  /**
   * Creates an alias (`$create_alias`, Original ID Merge and Legacy projects): `alias` becomes
   * another name for `distinctId`.
   */
  alias(distinctId: string, alias: string): Promise<void> {
    return this.#send(() => {
      if (typeof alias !== 'string' || alias === '') {
        throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'alias must be a non-empty string', 'alias')
      }
      checkDistinctId(alias, 'alias', false)
      return this.#builder.event('events', 'alias', distinctId, '$create_alias', { alias })
    })
  }

  /**
   * Links an anonymous id to an identified one (`$identify`, Original ID Merge). With Simplified
   * ID Merge, send `$device_id` and `$user_id` on events instead.
   */
  identify(identifiedId: string, anonId: string): Promise<void> {
    return this.#send(() => {
      if (typeof anonId !== 'string' || anonId === '') {
        throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'anonId must be a non-empty string', 'anonId')
      }
      checkDistinctId(anonId, 'anonId', false)
      return this.#builder.event('events', 'identify', identifiedId, '$identify', {
        $identified_id: identifiedId,
        $anon_id: anonId,
      })
    })
  }

  /** Merges two distinct ids (`$merge`, Original ID Merge). Irreversible; sent through `/import`. */
  merge(distinctId1: string, distinctId2: string): Promise<void> {
    return this.#send(() => {
      for (const [name, value] of [
        ['distinctId1', distinctId1],
        ['distinctId2', distinctId2],
      ] as const) {
        if (typeof value !== 'string' || value === '') {
          throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'expected a non-empty distinct id', name)
        }
        checkDistinctId(value, name, true)
      }
      return this.#builder.event('imports', 'merge', distinctId1, '$merge', {
        $distinct_ids: [distinctId1, distinctId2],
      })
    })
  }

  /** Local flag evaluation, configured with the `localFlags` option. @throws {ConfigError} if not configured */
  get localFlags(): LocalFlagsProvider {
    if (this.#localFlags === undefined) {
      throw new ConfigError(
        'localFlags',
        'local flag evaluation is not configured: pass { localFlags: { ... } }',
      )
    }
    return this.#localFlags
  }

  /** Remote flag evaluation, configured with the `remoteFlags` option. @throws {ConfigError} if not configured */
  get remoteFlags(): RemoteFlagsProvider {
    if (this.#remoteFlags === undefined) {
      throw new ConfigError(
        'remoteFlags',
        'remote flag evaluation is not configured: pass { remoteFlags: { ... } }',
      )
    }
    return this.#remoteFlags
  }

  /** Resolves when everything accepted so far is delivered or finally failed (delegates to the consumer). */
  flush(): Promise<void> {
    return this.consumer.flush()
  }

  /**
   * Stops the flag providers this client created, then closes the consumer (stops intake, drains,
   * aborts at `timeoutMs`) and the violation consumer. Idempotent.
   * @throws {ConfigError} (as a rejection, before anything is closed) for an unknown key in
   *   `options`, naming the option meant when one is close.
   */
  async close(options?: CloseOptions): Promise<CloseResult> {
    checkOptions(options, CLOSE_OPTIONS, 'Mixpanel.close')
    await Promise.all([this.#localFlags?.shutdown(), this.#remoteFlags?.shutdown()])
    const [result] = await Promise.all([
      this.consumer.close(options),
      this.#violationConsumer?.close(options),
    ])
    return result
  }

  /** `close()`, for `await using mp = new Mixpanel(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** Whether this client created (and so owns) its consumer. */
  get ownsConsumer(): boolean {
    return this.#ownsConsumer
  }

  /** Whether the consumer's promises never reject unhandled (eventwire's own consumers). */
  readonly #safeConsumer: boolean

  #send(build: () => Message | PlanDrop): Promise<void> {
    let built: Message | PlanDrop
    try {
      built = build()
    } catch (error) {
      return this.#refused(error)
    }
    return this.#hand(built)
  }

  /**
   * Hands a built message to the consumer, or reports a call the plan dropped; whatever goes wrong
   * comes back as a rejection that nobody needs to await. A custom consumer's promise is marked
   * handled here, and what it throws or rejects with is wrapped in an `EventwireError`
   * (`EVENTWIRE_CONSUMER_FAILED`) unless it is one.
   */
  #hand(message: Message | PlanDrop): Promise<void> {
    if (message instanceof PlanDrop) return this.#dropped(message)
    if (this.#safeConsumer) return this.consumer.send(message.kind, message)
    try {
      const sent = this.consumer.send(message.kind, message)
      return handled(
        Promise.resolve(sent).catch((error: unknown) => {
          throw consumerError(error)
        }),
      )
    } catch (error) {
      return this.#refused(consumerError(error))
    }
  }

  /**
   * A call whose message could not be built: rejected (marked handled, and logged, so a call
   * nobody awaits is still reported).
   */
  #refused(error: unknown): Promise<void> {
    const err = callError(error)
    // One message text for every refusal: the stderr logger rate-limits by it and counts the rest.
    this.#logger.warn({ code: err.code, err }, 'eventwire: a call was refused')
    return handled(Promise.reject(err))
  }

  /** A call the plan policy dropped: counted and reported by the consumer, not an error for the caller. */
  #dropped(drop: PlanDrop): Promise<void> {
    try {
      drop.reportTo(this.consumer)
    } catch (thrown) {
      return handled(Promise.reject(thrown))
    }
    return Promise.resolve()
  }

  /** The tracking call flag exposures go through (event names outside the typed event map). */
  #trackAny(distinctId: string, event: string, properties: Record<string, unknown>): Promise<void> {
    return this.#send(() => this.#builder.event('events', 'track', distinctId, event, properties))
  }

  #reportViolation(violation: PlanViolation): void {
    try {
      this.#onViolation?.(violation)
    } catch (error) {
      this.#logger.error({ err: error }, 'eventwire: onViolation threw')
    }
    this.#logger.warn(
      { event: violation.name, action: violation.action, codes: violation.issues.map((i) => i.code) },
      'eventwire: tracking plan violation',
    )
    const consumer = this.#violationConsumer
    const builder = this.#violationBuilder
    if (consumer === undefined || builder === undefined) return
    try {
      const properties = violationEventProperties(violation)
      const message = builder.event('events', 'track', 'eventwire', PLAN_VIOLATION_EVENT, properties)
      consumer.send('events', message).catch((error: unknown) => {
        this.#logger.error({ err: error }, 'eventwire: could not send a $plan_violation event')
      })
    } catch (error) {
      this.#logger.error({ err: error }, 'eventwire: could not build a $plan_violation event')
    }
  }
}
