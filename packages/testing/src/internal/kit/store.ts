/**
 * The simulator's mutable state. Sequences are kept in a map plus an id array sorted ascending, so a
 * page is a binary search and a slice (O(log n + page)) even with 100,000 sequences.
 */
import { isoSeconds } from "./json.js"
import {
  type Account,
  DAYS,
  type EmailState,
  type Membership,
  type Seed,
  type SeedSequence,
  type SequenceState,
  type Snapshot,
  type SubscriberRecord
} from "./types.js"

export const defaultAccount: Account = {
  email_address: "owner@example.com",
  // Kit fills in the account's default template; the create/update responses document an integer.
  email_template_id: 1,
  time_zone: "America/New_York",
  send_hour: 11,
  send_days: DAYS,
  // The documents' subscriber schema requires `fields.category` (their example account's field).
  custom_fields: ["category"]
}

/** Index of the first element for which `isBefore` is false (classic lower bound). */
export const lowerBound = (length: number, isBefore: (index: number) => boolean): number => {
  let lo = 0
  let hi = length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (isBefore(mid)) lo = mid + 1
    else hi = mid
  }
  return lo
}

export class Store {
  account: Account = defaultAccount
  readonly sequences = new Map<number, SequenceState>()
  /** Sequence ids, ascending. */
  readonly sequenceIds: Array<number> = []
  readonly emails = new Map<number, EmailState>()
  /** Email ids of each sequence, ordered by position. */
  readonly emailIds = new Map<number, Array<number>>()
  readonly subscribers = new Map<number, SubscriberRecord>()
  readonly subscriberByEmail = new Map<string, number>()
  /** sequence id → subscriber id → membership. */
  readonly memberships = new Map<number, Map<number, Membership>>()
  nextSequenceId = 1
  nextEmailId = 1
  nextSubscriberId = 1

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.account = defaultAccount
    this.sequences.clear()
    this.sequenceIds.length = 0
    this.emails.clear()
    this.emailIds.clear()
    this.subscribers.clear()
    this.subscriberByEmail.clear()
    this.memberships.clear()
    this.nextSequenceId = 1
    this.nextEmailId = 1
    this.nextSubscriberId = 1
  }

  /**
   * Ids are taken when a create is planned, not when it commits: a create held open by a fault must not
   * hand its id to a concurrent one.
   */
  takeSequenceId(): number {
    return this.nextSequenceId++
  }

  takeEmailId(): number {
    return this.nextEmailId++
  }

  // ---- sequences ----

  putSequence(sequence: SequenceState): void {
    if (!this.sequences.has(sequence.id)) {
      const ids = this.sequenceIds
      // Auto-assigned ids only grow, so the common case is a push.
      if (ids.length === 0 || ids[ids.length - 1]! < sequence.id) ids.push(sequence.id)
      else
        ids.splice(
          lowerBound(ids.length, (i) => ids[i]! < sequence.id),
          0,
          sequence.id
        )
      this.emailIds.set(sequence.id, [])
      this.memberships.set(sequence.id, new Map())
    }
    this.sequences.set(sequence.id, sequence)
    this.nextSequenceId = Math.max(this.nextSequenceId, sequence.id + 1)
  }

  deleteSequence(id: number): void {
    if (!this.sequences.delete(id)) return
    const ids = this.sequenceIds
    const index = lowerBound(ids.length, (i) => ids[i]! < id)
    if (ids[index] === id) ids.splice(index, 1)
    for (const emailId of this.emailIds.get(id) ?? []) this.emails.delete(emailId)
    this.emailIds.delete(id)
    this.memberships.delete(id)
  }

  // ---- emails ----

  emailsOf(sequenceId: number): ReadonlyArray<EmailState> {
    const ids = this.emailIds.get(sequenceId) ?? []
    const out: Array<EmailState> = []
    for (const id of ids) {
      const email = this.emails.get(id)
      if (email !== undefined) out.push(email)
    }
    return out
  }

  putEmail(email: EmailState): void {
    this.emails.set(email.id, email)
    const ids = this.emailIds.get(email.sequence_id)
    if (ids === undefined) return
    if (!ids.includes(email.id)) ids.push(email.id)
    ids.sort((a, b) => (this.emails.get(a)?.position ?? 0) - (this.emails.get(b)?.position ?? 0))
    this.nextEmailId = Math.max(this.nextEmailId, email.id + 1)
  }

  deleteEmail(id: number): void {
    const email = this.emails.get(id)
    if (email === undefined) return
    this.emails.delete(id)
    const ids = this.emailIds.get(email.sequence_id)
    if (ids === undefined) return
    const index = ids.indexOf(id)
    // Kit's documents do not renumber the others: gaps stay.
    if (index >= 0) ids.splice(index, 1)
  }

  // ---- subscribers ----

  putSubscriber(subscriber: SubscriberRecord): void {
    this.subscribers.set(subscriber.id, subscriber)
    this.subscriberByEmail.set(subscriber.email_address.toLowerCase(), subscriber.id)
    this.nextSubscriberId = Math.max(this.nextSubscriberId, subscriber.id + 1)
  }

  findSubscriber(ref: number | string): SubscriberRecord | undefined {
    const id = typeof ref === "number" ? ref : this.subscriberByEmail.get(ref.toLowerCase())
    return id === undefined ? undefined : this.subscribers.get(id)
  }

  // ---- seed and snapshot ----

  /** Adds the seed to the current state. Throws on a seed that breaks Kit's rules (a programming error). */
  apply(seed: Seed): void {
    if (seed.account !== undefined) this.account = { ...this.account, ...seed.account }
    const stamp = isoSeconds(this.now())
    for (const s of seed.subscribers ?? []) {
      this.putSubscriber({
        id: s.id ?? this.nextSubscriberId,
        email_address: s.email_address,
        first_name: s.first_name ?? null,
        state: s.state ?? "active",
        created_at: s.created_at ?? stamp,
        fields: s.fields ?? {}
      })
    }
    for (const s of seed.sequences ?? []) this.applySequence(s, stamp)
  }

  private applySequence(s: SeedSequence, stamp: string): void {
    const id = s.id ?? this.nextSequenceId
    if (this.sequences.has(id)) throw new Error(`KitSimulator seed: sequence ${id} already exists`)
    this.putSequence({
      id,
      name: s.name,
      hold: s.hold ?? false,
      repeat: s.repeat ?? false,
      active: s.active ?? true,
      email_address: s.email_address === undefined ? this.account.email_address : s.email_address,
      email_template_id:
        s.email_template_id === undefined ? this.account.email_template_id : s.email_template_id,
      send_days: s.send_days ?? this.account.send_days,
      send_hour: s.send_hour ?? this.account.send_hour,
      time_zone: s.time_zone ?? this.account.time_zone,
      exclude_subscriber_sources: s.exclude_subscriber_sources ?? [],
      created_at: s.created_at ?? stamp,
      updated_at: s.updated_at ?? s.created_at ?? stamp
    })
    const taken = new Set<number>()
    let next = 0
    for (const e of s.emails ?? []) {
      const position = e.position ?? next
      if (taken.has(position))
        throw new Error(`KitSimulator seed: position ${position} taken in sequence ${id}`)
      taken.add(position)
      next = Math.max(next, position + 1)
      this.putEmail({
        id: e.id ?? this.nextEmailId,
        sequence_id: id,
        subject: e.subject,
        preview_text: e.preview_text ?? null,
        content: e.content ?? null,
        email_template_id: e.email_template_id ?? null,
        published: e.published ?? false,
        position,
        delay_value: e.delay_value ?? (position === 0 ? 0 : 1),
        delay_unit: e.delay_unit ?? "days",
        send_days: e.send_days ?? null
      })
    }
    const members = this.memberships.get(id)
    for (const m of s.subscribers ?? []) {
      const ref = typeof m === "object" ? m.subscriber : m
      const subscriber = this.findSubscriber(ref)
      if (subscriber === undefined) throw new Error(`KitSimulator seed: unknown subscriber ${String(ref)}`)
      members?.set(subscriber.id, {
        subscriber_id: subscriber.id,
        added_at: typeof m === "object" ? m.added_at : stamp
      })
    }
  }

  snapshot(): Snapshot {
    return structuredClone({
      account: this.account,
      sequences: this.sequenceIds.flatMap((id) => {
        const s = this.sequences.get(id)
        if (s === undefined) return []
        return [
          { ...s, emails: this.emailsOf(id), subscribers: [...(this.memberships.get(id)?.values() ?? [])] }
        ]
      }),
      subscribers: [...this.subscribers.values()].sort((a, b) => a.id - b.id)
    })
  }
}
