/** Public data types of the Kit simulator: seeds, state snapshots, the request log and faults. */

import type { FaultCounts, FaultKind, FaultOptions as SharedFaultOptions } from "../faults.js"

export const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const
export type Day = (typeof DAYS)[number]

export const SOURCE_TYPES = ["tag", "sequence", "form", "segment"] as const
export type SourceType = (typeof SOURCE_TYPES)[number]

export const DELAY_UNITS = ["days", "hours"] as const
export type DelayUnit = (typeof DELAY_UNITS)[number]

export const SUBSCRIBER_STATES = ["active", "cancelled", "bounced", "complained", "inactive"] as const
export type SubscriberStatus = (typeof SUBSCRIBER_STATES)[number]

export interface ExcludeSource {
  readonly type: SourceType
  readonly ids: ReadonlyArray<number>
}

/** A sequence as the simulator stores it (wire field names). */
export interface SequenceState {
  readonly id: number
  readonly name: string
  readonly hold: boolean
  readonly repeat: boolean
  readonly active: boolean
  readonly email_address: string | null
  readonly email_template_id: number | null
  readonly send_days: ReadonlyArray<Day>
  readonly send_hour: number
  readonly time_zone: string
  readonly exclude_subscriber_sources: ReadonlyArray<ExcludeSource>
  readonly created_at: string
  readonly updated_at: string
}

/** A sequence email as stored; `send_days: null` means "inherits the sequence schedule". */
export interface EmailState {
  readonly id: number
  readonly sequence_id: number
  readonly subject: string
  readonly preview_text: string | null
  readonly content: string | null
  readonly email_template_id: number | null
  readonly published: boolean
  readonly position: number
  readonly delay_value: number
  readonly delay_unit: DelayUnit
  readonly send_days: ReadonlyArray<Day> | null
}

export interface SubscriberRecord {
  readonly id: number
  readonly email_address: string
  readonly first_name: string | null
  readonly state: SubscriberStatus
  readonly created_at: string
  readonly fields: Readonly<Record<string, string | null>>
}

export interface Membership {
  readonly subscriber_id: number
  readonly added_at: string
}

/** Account defaults Kit fills in when a sequence is created without them. */
export interface Account {
  readonly email_address: string
  readonly email_template_id: number | null
  readonly time_zone: string
  readonly send_hour: number
  readonly send_days: ReadonlyArray<Day>
  /** The account's custom subscriber fields: every subscriber answers each of them (null when unset). */
  readonly custom_fields: ReadonlyArray<string>
}

// ---- seeds: ids optional (auto-assigned), every other field defaulted like Kit does ----

export interface SeedEmail {
  readonly id?: number
  readonly subject: string
  readonly preview_text?: string | null
  readonly content?: string | null
  readonly email_template_id?: number | null
  readonly published?: boolean
  /** Zero-based; omitted = after the last one. */
  readonly position?: number
  /** Default: 0 for position 0, otherwise 1. */
  readonly delay_value?: number
  readonly delay_unit?: DelayUnit
  readonly send_days?: ReadonlyArray<Day> | null
}

export interface SeedSequence {
  readonly id?: number
  readonly name: string
  readonly hold?: boolean
  readonly repeat?: boolean
  readonly active?: boolean
  readonly email_address?: string | null
  readonly email_template_id?: number | null
  readonly send_days?: ReadonlyArray<Day>
  readonly send_hour?: number
  readonly time_zone?: string
  readonly exclude_subscriber_sources?: ReadonlyArray<ExcludeSource>
  readonly created_at?: string
  readonly updated_at?: string
  readonly emails?: ReadonlyArray<SeedEmail>
  /** Subscribers already in the sequence: a subscriber id or email address (the subscriber must be seeded). */
  readonly subscribers?: ReadonlyArray<
    number | string | { readonly subscriber: number | string; readonly added_at: string }
  >
}

export interface SeedSubscriber {
  readonly id?: number
  readonly email_address: string
  readonly first_name?: string | null
  readonly state?: SubscriberStatus
  readonly created_at?: string
  readonly fields?: Readonly<Record<string, string | null>>
}

export interface Seed {
  readonly account?: Partial<Account>
  readonly subscribers?: ReadonlyArray<SeedSubscriber>
  readonly sequences?: ReadonlyArray<SeedSequence>
}

export interface SequenceSnapshot extends SequenceState {
  /** Ordered by position. */
  readonly emails: ReadonlyArray<EmailState>
  readonly subscribers: ReadonlyArray<Membership>
}

/** A deep copy of the simulator's state, for assertions. */
export interface Snapshot {
  readonly account: Account
  /** Ordered by id. */
  readonly sequences: ReadonlyArray<SequenceSnapshot>
  /** Ordered by id. */
  readonly subscribers: ReadonlyArray<SubscriberRecord>
}

// ---- operations, log, faults ----

export const OPERATIONS = [
  "listSequences",
  "createSequence",
  "getSequence",
  "updateSequence",
  "deleteSequence",
  "listEmails",
  "createEmail",
  "getEmail",
  "updateEmail",
  "deleteEmail",
  "listSubscribers",
  "addSubscriberByEmail",
  "addSubscriberById"
] as const
export type Operation = (typeof OPERATIONS)[number]

export type AuthKind = "api_key" | "oauth" | "none"

export { FAULT_KINDS } from "../faults.js"
export type { FaultCounts, FaultKind, FaultSpec, MalformedKind } from "../faults.js"

export interface LoggedRequest {
  readonly method: string
  /** Path without the query string, e.g. `/v4/sequences/3`. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** Parsed JSON body, or `null` when there was none or it was not JSON. */
  readonly body: unknown
  /** Status line sent, `null` when none was (hang, reset before headers). */
  readonly status: number | null
  readonly auth: AuthKind
  readonly operation: Operation | null
  readonly fault: FaultKind | null
  /** `now()` when the request arrived. */
  readonly at: number
  /** The answer as sent (`text` is the body), for contract checks; `null` while pending or when none was sent whole. */
  readonly response: LoggedResponse | null
}

export interface LoggedResponse {
  readonly contentType: string | null
  readonly text: string
}

/** The `faults` option: one shape for both simulators (see `FaultSpec`). */
export type FaultOptions = SharedFaultOptions<Operation>

// ---- options and handle ----

export interface RateLimitOptions {
  readonly apiKey?: { readonly limit: number; readonly windowMs: number }
  readonly oauth?: { readonly limit: number; readonly windowMs: number }
}

/**
 * `documented` (the default) answers exactly as Kit's documents say where they are specific;
 * `observed` answers as public clients report Kit behaving (and as this simulator did before profiles).
 */
export type Profile = "documented" | "observed"

/** Single behaviours, each defaulting to the profile's choice. */
export interface QuirkOptions {
  /**
   * What hour-based emails return as `send_days`: `"all_days"` in `documented` (every response schema
   * types it as an array), `"null"` in `observed` (the create page's prose).
   */
  readonly hourEmailSendDays?: "null" | "all_days"
  /** `"null"` in `documented` (the create/update examples answer `position: null`); `"value"` in `observed`. */
  readonly positionInWriteResponses?: "value" | "null"
}

export interface Options {
  /** Default `"documented"`. */
  readonly profile?: Profile
  /** The account cannot create sequences: `POST /v4/sequences` answers Kit's documented 403. Default false. */
  readonly createForbidden?: boolean
  /** Accepted in `X-Kit-Api-Key`. Default `["kit_test_key"]`. */
  readonly apiKeys?: ReadonlyArray<string>
  /** Accepted in `Authorization: Bearer …`. Default none. */
  readonly oauthTokens?: ReadonlyArray<string>
  /** Default 120 / 60 s per API key and 600 / 60 s per OAuth token; `false` disables it. */
  readonly rateLimit?: false | RateLimitOptions
  /** Clock in ms, for the rate limit windows and timestamps. Default `Date.now`. */
  readonly now?: () => number
  readonly seed?: Seed
  /** Off by default. */
  readonly faults?: FaultOptions
  readonly quirks?: QuirkOptions
  /** Default 0: a random free port. */
  readonly port?: number
}

export interface KitSimulator {
  /** `http://127.0.0.1:PORT`: the adapter's base URL; API paths are `url + "/v4/..."`. */
  readonly url: string
  readonly port: number
  /** The request log, oldest first (a copy). */
  readonly requests: ReadonlyArray<LoggedRequest>
  clearLog(): void
  /** Back to the seed given at start (or to `seed`, which becomes the new baseline); clears rate-limit windows. */
  reset(seed?: Seed): void
  /** A deep copy of the current state. */
  state(): Snapshot
  /** Adds to the current state. */
  seed(seed: Seed): void
  /** Replaces the fault options (and restarts the PRNG from their seed); `undefined` turns faults off. */
  setFaults(faults: FaultOptions | undefined): void
  readonly faultCounts: FaultCounts
  close(): Promise<void>
}
