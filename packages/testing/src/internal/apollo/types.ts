/** Public shapes of the Apollo simulator: seed, snapshot, log, options. Re-exported by ApolloSimulator.ts. */

import type { FaultKind, FaultOptions as SharedFaultOptions } from "../faults.js"

export type StepType =
  | "auto_email"
  | "manual_email"
  | "call"
  | "action_item"
  | "linkedin_step_connect"
  | "linkedin_step_message"
  | "linkedin_step_view_profile"
  | "linkedin_step_interact_post"

export type WaitMode = "minute" | "hour" | "day"
export type TouchType = "new_thread" | "reply_to_thread"
export type TouchStatus = "to_be_reviewed" | "approved"
export type CreationType = "draft" | "new" | "ai_assistant"
export type Priority = "high" | "medium" | "low"
export type Visibility = "restricted" | "everyone"
export type AccessType = "can_view" | "can_edit" | "full_access"
/** Apollo sometimes answers a statistic with the string "loading" instead of a number. */
export type Stat = number | "loading"
export type MembershipStatus = "active" | "paused" | "finished"
export type RemoveMode = "mark_as_finished" | "remove" | "stop"

/** Operation names: used for per-endpoint faults and rate limits and in the request log. */
export type Operation =
  | "search"
  | "getCampaign"
  | "listCampaigns"
  | "createSequence"
  | "updateSequence"
  | "approve"
  | "abort"
  | "archive"
  | "addContactIds"
  | "removeOrStopContactIds"
  | "listSchedules"
  | "listEmailAccounts"

export interface SharingAccess {
  readonly id: string
  readonly user_or_team_id: string
  readonly user_or_team_type: "user" | "team" | "subteam"
  readonly access_type: AccessType
}

export interface SharingPermission {
  readonly visibility: Visibility
  readonly access_type: AccessType | null
  readonly sharing_accesses: ReadonlyArray<SharingAccess>
}

export interface TemplateState {
  readonly id: string
  readonly subject: string
  readonly body_html: string
}

export interface TouchState {
  readonly id: string
  readonly emailer_step_id: string
  readonly type: TouchType
  readonly status: TouchStatus
  readonly include_signature: boolean
  readonly attachment_ids: ReadonlyArray<string>
  readonly emailer_template_id: string
  readonly emailer_template: TemplateState
}

export interface StepState {
  readonly id: string
  readonly emailer_campaign_id: string
  /** One-based. */
  readonly position: number
  readonly type: StepType
  readonly wait_time: number | null
  readonly wait_mode: WaitMode | null
  readonly exact_datetime: string | null
  readonly priority: Priority | null
  readonly note: string | null
  readonly max_emails_per_day: number | null
  readonly auto_skip_in_x_days: number | null
  readonly emailer_touches: ReadonlyArray<TouchState>
}

export interface SequenceState {
  readonly id: string
  readonly name: string
  readonly active: boolean
  readonly archived: boolean
  readonly creation_type: CreationType
  readonly emailer_schedule_id: string | null
  readonly label_names: ReadonlyArray<string>
  readonly max_emails_per_day: number | null
  readonly same_account_reply_delay_days: number | null
  readonly cc_emails: string
  readonly bcc_emails: string
  readonly sharing_permission: SharingPermission
  readonly user_id: string
  readonly created_at: string
  readonly updated_at: string
  /** Create-only flags (`mark_finished_if_reply`, `mark_paused_if_ooo`, …) as sent or seeded. */
  readonly settings: Readonly<Record<string, unknown>>
  readonly stats: Readonly<Record<string, Stat>>
  readonly emailer_steps: ReadonlyArray<StepState>
}

export interface ScheduleState {
  readonly id: string
  readonly name: string
  readonly time_zone: string
  readonly default: boolean
  /** `{ monday: [[9, 17]], … }`; an empty hash is an empty schedule (cannot be attached). */
  readonly schedule_hash: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>
}

export interface EmailAccountState {
  readonly id: string
  readonly email: string
  readonly user_id: string
  readonly active: boolean
  readonly default: boolean
  readonly type: string
}

export interface ContactState {
  readonly id: string
  readonly first_name: string | null
  readonly last_name: string | null
  readonly email: string | null
  readonly email_status: string | null
  readonly organization_name: string | null
  readonly label_names: ReadonlyArray<string>
}

export interface MembershipState {
  readonly contact_id: string
  readonly emailer_campaign_id: string
  readonly status: MembershipStatus
  readonly send_email_from_email_account_id: string
  readonly added_at: string
  readonly finished_at: string | null
  readonly inactive_reason: string | null
}

/** A read of the whole simulated team (deep copies; mutating them changes nothing). */
export interface Snapshot {
  readonly userId: string
  readonly teamId: string
  readonly sequences: ReadonlyArray<SequenceState>
  readonly schedules: ReadonlyArray<ScheduleState>
  readonly emailAccounts: ReadonlyArray<EmailAccountState>
  readonly contacts: ReadonlyArray<ContactState>
  readonly memberships: ReadonlyArray<MembershipState>
}

export interface SeedTemplate {
  readonly id?: string
  readonly subject?: string
  readonly body_html?: string
}

export interface SeedTouch {
  readonly id?: string
  readonly type?: TouchType
  readonly status?: TouchStatus
  readonly include_signature?: boolean
  readonly emailer_template?: SeedTemplate
}

export interface SeedStep {
  readonly id?: string
  readonly type: StepType
  readonly wait_time?: number | null
  readonly wait_mode?: WaitMode | null
  readonly exact_datetime?: string | null
  readonly priority?: Priority | null
  readonly note?: string | null
  readonly max_emails_per_day?: number | null
  readonly auto_skip_in_x_days?: number | null
  readonly emailer_touches?: ReadonlyArray<SeedTouch>
}

export interface SeedSequence {
  readonly id?: string
  readonly name: string
  readonly active?: boolean
  readonly archived?: boolean
  readonly creation_type?: CreationType
  /** Defaults to the team's default schedule; `null` for none. */
  readonly emailer_schedule_id?: string | null
  readonly label_names?: ReadonlyArray<string>
  readonly max_emails_per_day?: number | null
  /** Default 30, as Apollo's examples show. */
  readonly same_account_reply_delay_days?: number | null
  readonly cc_emails?: string
  readonly bcc_emails?: string
  readonly sharing_permission?: Partial<SharingPermission>
  readonly user_id?: string
  readonly created_at?: string
  readonly settings?: Readonly<Record<string, unknown>>
  /** Any statistic, e.g. `{ unique_delivered: "loading" }`; the others are 0. */
  readonly stats?: Readonly<Record<string, Stat>>
  readonly emailer_steps?: ReadonlyArray<SeedStep>
}

export interface SeedSchedule {
  readonly id?: string
  readonly name: string
  readonly time_zone?: string
  readonly default?: boolean
  readonly schedule_hash?: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>
}

export interface SeedEmailAccount {
  readonly id?: string
  readonly email: string
  readonly user_id?: string
  readonly active?: boolean
  readonly default?: boolean
  readonly type?: string
}

export interface SeedContact {
  readonly id?: string
  readonly first_name?: string | null
  readonly last_name?: string | null
  readonly email?: string | null
  /** `verified` by default. */
  readonly email_status?: string | null
  readonly organization_name?: string | null
  readonly label_names?: ReadonlyArray<string>
}

export interface SeedMembership {
  readonly contact_id: string
  readonly emailer_campaign_id: string
  readonly status?: MembershipStatus
  readonly send_email_from_email_account_id?: string
}

/**
 * Initial state. A field left out takes the default seed's value (one schedule, one email account,
 * three contacts, no sequence); give `[]` for none.
 */
export interface Seed {
  readonly userId?: string
  readonly teamId?: string
  readonly sequences?: ReadonlyArray<SeedSequence>
  readonly schedules?: ReadonlyArray<SeedSchedule>
  readonly emailAccounts?: ReadonlyArray<SeedEmailAccount>
  readonly contacts?: ReadonlyArray<SeedContact>
  readonly memberships?: ReadonlyArray<SeedMembership>
}

export type KeyKind = "master" | "scoped" | "none"

export type { FaultCounts, FaultKind, FaultSpec, MalformedKind } from "../faults.js"

export interface LoggedRequest {
  readonly method: string
  readonly path: string
  /** Repeated parameters (and every `name[]` parameter) are arrays. */
  readonly query: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** The parsed JSON body, or null when there was none or it was not JSON. */
  readonly body: unknown
  /** null when no answer was sent (hang, reset). */
  readonly status: number | null
  readonly keyKind: KeyKind
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

export interface RateLimitWindows {
  readonly perMinute?: number
  readonly perHour?: number
  readonly perDay?: number
}

export interface RateLimitOptions {
  /** Per endpoint, for every endpoint without its own entry. */
  readonly default?: RateLimitWindows
  /** `false` disables limiting for that endpoint. */
  readonly endpoints?: Partial<Record<Operation, RateLimitWindows | false>>
  /** `legacy` sends `x-rate-limit-daily` / `x-daily-usage` / `x-daily-requests-left` instead of the 24-hour names. */
  readonly headerNaming?: "current" | "legacy"
  /**
   * Divides every window's length, for tests that must hit a limit and see it reset quickly: 60
   * makes a "minute" last one second (and `retry-after` says the real wait, at least 1 s). Default 1.
   */
  readonly windowScale?: number
  /**
   * `false` leaves out the `x-*-requests-left` / usage / limit headers. With scaled windows they would
   * describe windows a client assumes to be real minutes and hours. Default true.
   */
  readonly budgetHeaders?: boolean
}

export interface PlanOptions {
  /** More than one touch in a step (A/B test). Default true. */
  readonly abTesting?: boolean
  readonly maxSequences?: number
  readonly maxStepsPerSequence?: number
}

/**
 * `documented` (the default) answers exactly as Apollo's document says where it is specific;
 * `observed` adds what public clients report (extra fields, `GET /emailer_campaigns/{id}`, more
 * accepted write fields) — and is how this simulator behaved before profiles.
 */
export type Profile = "documented" | "observed"

/** Single behaviours; each defaults to the profile's choice. */
export interface QuirkOptions {
  /**
   * Serve `GET /emailer_campaigns/{id}`, which the document does not list (public clients use it).
   * Default: on in `observed`, off in `documented` (then it is a 404 like any unknown path).
   */
  readonly readOneSequence?: boolean
  /**
   * Answer `GET /emailer_schedules` and `GET /email_accounts` with a JSON-encoded string of the body, as
   * the document's examples show (a defect of the document). Default false.
   */
  readonly stringEncodedLists?: boolean
}

export interface Options {
  /** Default `"documented"`. */
  readonly profile?: Profile
  readonly quirks?: QuirkOptions
  /** Keys with access to every endpoint. Default `["apollo_master_key"]`. */
  readonly masterKeys?: ReadonlyArray<string>
  /** key -> scope names (see `Scopes`). */
  readonly scopedKeys?: Readonly<Record<string, ReadonlyArray<string>>>
  /** Default `DefaultRateLimit` (generous, so suites and benchmarks don't stall); `false` disables. */
  readonly rateLimit?: false | RateLimitOptions
  /** Clock in ms, for rate-limit windows, timestamps and `exact_datetime` checks. Default `Date.now`. */
  readonly now?: () => number
  readonly seed?: Seed
  readonly faults?: FaultOptions
  /** Holds each sequence write open this long, so that two writes can overlap (429). Default 0. */
  readonly writeProcessingMs?: number
  readonly plan?: PlanOptions
  /** Default 0: a free port. */
  readonly port?: number
}
