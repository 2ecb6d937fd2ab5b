/** The simulator's mutable state: indexed maps so that every request is O(size of what it touches). */
import type {
  AccessType,
  ContactState,
  CreationType,
  EmailAccountState,
  MembershipState,
  MembershipStatus,
  Priority,
  Profile,
  ScheduleState,
  Seed,
  SeedSequence,
  SeedStep,
  SeedTouch,
  SequenceState,
  SharingAccess,
  Snapshot,
  Stat,
  StepType,
  TouchStatus,
  TouchType,
  Visibility,
  WaitMode
} from "./types.js"

export interface Sharing {
  visibility: Visibility
  access_type: AccessType | null
  sharing_accesses: Array<SharingAccess>
}

export interface Campaign {
  readonly id: string
  name: string
  nameLower: string
  active: boolean
  archived: boolean
  creation_type: CreationType
  emailer_schedule_id: string | null
  label_names: Array<string>
  max_emails_per_day: number | null
  same_account_reply_delay_days: number | null
  cc_emails: string
  bcc_emails: string
  sharing: Sharing
  user_id: string
  readonly created_at: string
  updated_at: string
  settings: Record<string, unknown>
  stats: Record<string, Stat>
  /** Ordered: a step's position is its index + 1. */
  stepIds: Array<string>
}

export interface Step {
  readonly id: string
  readonly campaignId: string
  type: StepType
  wait_time: number | null
  wait_mode: WaitMode | null
  exact_datetime: string | null
  priority: Priority | null
  note: string | null
  max_emails_per_day: number | null
  auto_skip_in_x_days: number | null
  touchIds: Array<string>
}

export interface Touch {
  readonly id: string
  readonly stepId: string
  type: TouchType
  status: TouchStatus
  include_signature: boolean
  attachment_ids: Array<string>
  templateId: string
}

export interface Template {
  readonly id: string
  subject: string
  body_html: string
  readonly created_at: string
}

export interface Membership {
  readonly contact_id: string
  readonly emailer_campaign_id: string
  status: MembershipStatus
  send_email_from_email_account_id: string
  readonly added_at: string
  finished_at: string | null
  inactive_reason: string | null
}

/** Campaign statistics as the search document lists them. */
export const statNames: ReadonlyArray<string> = [
  "unique_scheduled",
  "unique_delivered",
  "unique_bounced",
  "unique_opened",
  "unique_hard_bounced",
  "unique_spam_blocked",
  "unique_replied",
  "unique_demoed",
  "unique_clicked",
  "unique_unsubscribed",
  "bounce_rate",
  "hard_bounce_rate",
  "open_rate",
  "click_rate",
  "reply_rate",
  "spam_block_rate",
  "opt_out_rate",
  "demo_rate"
]

const zeroStats = (): Record<string, Stat> => Object.fromEntries(statNames.map((name) => [name, 0]))

/** Mongo-like 24-hex ids: a fixed time prefix and a counter, skipping ids a seed already took. */
export class IdGenerator {
  private counter = 0
  private readonly used = new Set<string>()

  claim(id: string): string {
    this.used.add(id)
    return id
  }

  next(): string {
    for (;;) {
      this.counter += 1
      const id = "66e9e215" + this.counter.toString(16).padStart(16, "0")
      if (!this.used.has(id)) return this.claim(id)
    }
  }
}

export const defaultSeed = {
  userId: "66302798d03b9601c7934ebf",
  teamId: "6095a710bd01d100a506d4ac",
  schedules: [
    {
      id: "6095a711bd01d100a506d52a",
      name: "Business hours",
      time_zone: "America/New_York",
      default: true,
      schedule_hash: {
        monday: [[9, 17]],
        tuesday: [[9, 17]],
        wednesday: [[9, 17]],
        thursday: [[9, 17]],
        friday: [[9, 17]]
      }
    }
  ],
  emailAccounts: [
    {
      id: "6633baaece5fbd01c791d7ca",
      email: "sender@example.com",
      user_id: "66302798d03b9601c7934ebf",
      active: true,
      default: true,
      type: "gmail"
    }
  ],
  contacts: [
    {
      id: "66e34b81740c50074e3d1bd4",
      first_name: "Ada",
      last_name: "Lovelace",
      email: "ada@example.com",
      organization_name: "Analytical Engines"
    },
    {
      id: "66e34b81740c50074e3d1bd5",
      first_name: "Grace",
      last_name: "Hopper",
      email: "grace@example.com",
      organization_name: "Navy"
    },
    {
      id: "66e34b81740c50074e3d1bd6",
      first_name: "Alan",
      last_name: "Turing",
      email: "alan@example.com",
      organization_name: "Bletchley"
    }
  ],
  sequences: [],
  memberships: []
} satisfies Seed

const membershipKey = (campaignId: string, contactId: string): string => campaignId + ":" + contactId

export class Store {
  readonly ids = new IdGenerator()
  readonly userId: string
  readonly teamId: string
  readonly campaigns = new Map<string, Campaign>()
  readonly steps = new Map<string, Step>()
  readonly touches = new Map<string, Touch>()
  readonly templates = new Map<string, Template>()
  readonly schedules = new Map<string, ScheduleState>()
  readonly accounts = new Map<string, EmailAccountState>()
  readonly contacts = new Map<string, ContactState>()
  readonly memberships = new Map<string, Membership>()
  /** contact id -> campaign ids, for the "in other campaigns" checks. */
  readonly campaignsOfContact = new Map<string, Set<string>>()
  /** campaign id -> contact ids, for per-sequence contact counts. */
  readonly contactsOfCampaign = new Map<string, Set<string>>()
  readonly stableIds = new Map<string, string>()

  constructor(
    seed: Seed,
    readonly now: () => number,
    /** How answers are rendered (see `Profile`). */
    readonly profile: Profile = "documented"
  ) {
    this.userId = seed.userId ?? defaultSeed.userId
    this.teamId = seed.teamId ?? defaultSeed.teamId
    this.add({
      schedules: seed.schedules ?? defaultSeed.schedules,
      emailAccounts: seed.emailAccounts ?? defaultSeed.emailAccounts,
      contacts: seed.contacts ?? defaultSeed.contacts,
      sequences: seed.sequences ?? [],
      memberships: seed.memberships ?? []
    })
  }

  timestamp(): string {
    return new Date(this.now()).toISOString()
  }

  /** A deterministic id per key (labels, contact-campaign statuses), made on first use. */
  stableId(key: string): string {
    const known = this.stableIds.get(key)
    if (known !== undefined) return known
    const id = this.ids.next()
    this.stableIds.set(key, id)
    return id
  }

  labelId(name: string): string {
    return this.stableId("label:" + name)
  }

  defaultScheduleId(): string | null {
    let first: string | null = null
    for (const schedule of this.schedules.values()) {
      if (schedule.default) return schedule.id
      first ??= schedule.id
    }
    return first
  }

  /** Adds the seed's entities to the current state (trusted input: no API validation). */
  add(seed: Seed): void {
    for (const s of seed.schedules ?? []) {
      const id = this.ids.claim(s.id ?? this.ids.next())
      this.schedules.set(id, {
        id,
        name: s.name,
        time_zone: s.time_zone ?? "America/New_York",
        default: s.default ?? false,
        schedule_hash: s.schedule_hash ?? {}
      })
    }
    for (const a of seed.emailAccounts ?? []) {
      const id = this.ids.claim(a.id ?? this.ids.next())
      this.accounts.set(id, {
        id,
        email: a.email,
        user_id: a.user_id ?? this.userId,
        active: a.active ?? true,
        default: a.default ?? false,
        type: a.type ?? "gmail"
      })
    }
    for (const c of seed.contacts ?? []) {
      const id = this.ids.claim(c.id ?? this.ids.next())
      this.contacts.set(id, {
        id,
        first_name: c.first_name ?? null,
        last_name: c.last_name ?? null,
        email: c.email ?? null,
        email_status: c.email_status === undefined ? "verified" : c.email_status,
        organization_name: c.organization_name ?? null,
        label_names: [...(c.label_names ?? [])]
      })
    }
    for (const s of seed.sequences ?? []) this.addSeedSequence(s)
    for (const m of seed.memberships ?? []) {
      this.putMembership({
        contact_id: m.contact_id,
        emailer_campaign_id: m.emailer_campaign_id,
        status: m.status ?? "active",
        send_email_from_email_account_id: m.send_email_from_email_account_id ?? "",
        added_at: this.timestamp(),
        finished_at: null,
        inactive_reason: null
      })
    }
  }

  private addSeedSequence(s: SeedSequence): void {
    const id = this.ids.claim(s.id ?? this.ids.next())
    const created = s.created_at ?? this.timestamp()
    const campaign: Campaign = {
      id,
      name: s.name,
      nameLower: s.name.toLowerCase(),
      active: s.active ?? false,
      archived: s.archived ?? false,
      creation_type: s.creation_type ?? "new",
      emailer_schedule_id:
        s.emailer_schedule_id === undefined ? this.defaultScheduleId() : s.emailer_schedule_id,
      label_names: [...(s.label_names ?? [])],
      max_emails_per_day: s.max_emails_per_day ?? null,
      same_account_reply_delay_days:
        s.same_account_reply_delay_days === undefined ? 30 : s.same_account_reply_delay_days,
      cc_emails: s.cc_emails ?? "",
      bcc_emails: s.bcc_emails ?? "",
      sharing: {
        visibility: s.sharing_permission?.visibility ?? "restricted",
        access_type: s.sharing_permission?.access_type ?? null,
        sharing_accesses: [...(s.sharing_permission?.sharing_accesses ?? [])]
      },
      user_id: s.user_id ?? this.userId,
      created_at: created,
      updated_at: created,
      settings: { ...s.settings },
      stats: { ...zeroStats(), ...s.stats },
      stepIds: []
    }
    this.campaigns.set(id, campaign)
    for (const step of s.emailer_steps ?? []) campaign.stepIds.push(this.addSeedStep(id, step))
  }

  private addSeedStep(campaignId: string, s: SeedStep): string {
    const id = this.ids.claim(s.id ?? this.ids.next())
    const step: Step = {
      id,
      campaignId,
      type: s.type,
      wait_time: s.wait_time === undefined ? 1 : s.wait_time,
      wait_mode: s.wait_mode === undefined ? "day" : s.wait_mode,
      exact_datetime: s.exact_datetime ?? null,
      priority: s.priority ?? null,
      note: s.note ?? null,
      max_emails_per_day: s.max_emails_per_day ?? null,
      auto_skip_in_x_days: s.auto_skip_in_x_days ?? null,
      touchIds: []
    }
    this.steps.set(id, step)
    for (const t of s.emailer_touches ?? []) step.touchIds.push(this.addSeedTouch(id, t))
    return id
  }

  private addSeedTouch(stepId: string, t: SeedTouch): string {
    const id = this.ids.claim(t.id ?? this.ids.next())
    const templateId = this.ids.claim(t.emailer_template?.id ?? this.ids.next())
    this.templates.set(templateId, {
      id: templateId,
      subject: t.emailer_template?.subject ?? "",
      body_html: t.emailer_template?.body_html ?? "",
      created_at: this.timestamp()
    })
    this.touches.set(id, this.touchRecord(id, stepId, t, templateId))
    return id
  }

  private touchRecord(id: string, stepId: string, t: SeedTouch, templateId: string): Touch {
    return {
      id,
      stepId,
      type: t.type ?? "new_thread",
      status: t.status ?? "to_be_reviewed",
      include_signature: t.include_signature ?? false,
      attachment_ids: [],
      templateId
    }
  }

  newTemplate(subject: string, body_html: string): Template {
    const template: Template = { id: this.ids.next(), subject, body_html, created_at: this.timestamp() }
    this.templates.set(template.id, template)
    return template
  }

  newCampaign(
    fields: Omit<Campaign, "id" | "nameLower" | "created_at" | "updated_at" | "stats" | "stepIds">
  ): Campaign {
    const now = this.timestamp()
    const campaign: Campaign = {
      ...fields,
      id: this.ids.next(),
      nameLower: fields.name.toLowerCase(),
      created_at: now,
      updated_at: now,
      stats: zeroStats(),
      stepIds: []
    }
    this.campaigns.set(campaign.id, campaign)
    return campaign
  }

  /** Removes a step and its touches; templates stay (they are the team's, and may be shared). */
  deleteStep(stepId: string): void {
    const step = this.steps.get(stepId)
    if (step === undefined) return
    for (const touchId of step.touchIds) this.touches.delete(touchId)
    this.steps.delete(stepId)
  }

  membership(campaignId: string, contactId: string): Membership | undefined {
    return this.memberships.get(membershipKey(campaignId, contactId))
  }

  putMembership(m: Membership): void {
    this.memberships.set(membershipKey(m.emailer_campaign_id, m.contact_id), m)
    const set = this.campaignsOfContact.get(m.contact_id) ?? new Set<string>()
    set.add(m.emailer_campaign_id)
    this.campaignsOfContact.set(m.contact_id, set)
    const contacts = this.contactsOfCampaign.get(m.emailer_campaign_id) ?? new Set<string>()
    contacts.add(m.contact_id)
    this.contactsOfCampaign.set(m.emailer_campaign_id, contacts)
  }

  removeMembership(campaignId: string, contactId: string): void {
    this.memberships.delete(membershipKey(campaignId, contactId))
    this.campaignsOfContact.get(contactId)?.delete(campaignId)
    this.contactsOfCampaign.get(campaignId)?.delete(contactId)
  }

  membershipsOfCampaign(campaignId: string): ReadonlyArray<Membership> {
    const result: Array<Membership> = []
    for (const contactId of this.contactsOfCampaign.get(campaignId) ?? []) {
      const m = this.membership(campaignId, contactId)
      if (m !== undefined) result.push(m)
    }
    return result
  }

  membershipsOfContact(contactId: string): ReadonlyArray<Membership> {
    const result: Array<Membership> = []
    for (const campaignId of this.campaignsOfContact.get(contactId) ?? []) {
      const m = this.membership(campaignId, contactId)
      if (m !== undefined) result.push(m)
    }
    return result
  }

  sequenceState(campaign: Campaign): SequenceState {
    return {
      id: campaign.id,
      name: campaign.name,
      active: campaign.active,
      archived: campaign.archived,
      creation_type: campaign.creation_type,
      emailer_schedule_id: campaign.emailer_schedule_id,
      label_names: [...campaign.label_names],
      max_emails_per_day: campaign.max_emails_per_day,
      same_account_reply_delay_days: campaign.same_account_reply_delay_days,
      cc_emails: campaign.cc_emails,
      bcc_emails: campaign.bcc_emails,
      sharing_permission: {
        visibility: campaign.sharing.visibility,
        access_type: campaign.sharing.access_type,
        sharing_accesses: campaign.sharing.sharing_accesses.map((a) => ({ ...a }))
      },
      user_id: campaign.user_id,
      created_at: campaign.created_at,
      updated_at: campaign.updated_at,
      settings: structuredClone(campaign.settings),
      stats: { ...campaign.stats },
      emailer_steps: campaign.stepIds.flatMap((stepId, index) => {
        const step = this.steps.get(stepId)
        if (step === undefined) return []
        return [
          {
            id: step.id,
            emailer_campaign_id: campaign.id,
            position: index + 1,
            type: step.type,
            wait_time: step.wait_time,
            wait_mode: step.wait_mode,
            exact_datetime: step.exact_datetime,
            priority: step.priority,
            note: step.note,
            max_emails_per_day: step.max_emails_per_day,
            auto_skip_in_x_days: step.auto_skip_in_x_days,
            emailer_touches: step.touchIds.flatMap((touchId) => {
              const touch = this.touches.get(touchId)
              const template = touch === undefined ? undefined : this.templates.get(touch.templateId)
              if (touch === undefined || template === undefined) return []
              return [
                {
                  id: touch.id,
                  emailer_step_id: step.id,
                  type: touch.type,
                  status: touch.status,
                  include_signature: touch.include_signature,
                  attachment_ids: [...touch.attachment_ids],
                  emailer_template_id: template.id,
                  emailer_template: {
                    id: template.id,
                    subject: template.subject,
                    body_html: template.body_html
                  }
                }
              ]
            })
          }
        ]
      })
    }
  }

  snapshot(): Snapshot {
    return {
      userId: this.userId,
      teamId: this.teamId,
      sequences: [...this.campaigns.values()].map((c) => this.sequenceState(c)),
      schedules: [...this.schedules.values()].map((s) => structuredClone(s)),
      emailAccounts: [...this.accounts.values()].map((a) => ({ ...a })),
      contacts: [...this.contacts.values()].map((c) => ({ ...c, label_names: [...c.label_names] })),
      memberships: [...this.memberships.values()].map((m): MembershipState => ({ ...m }))
    }
  }
}
