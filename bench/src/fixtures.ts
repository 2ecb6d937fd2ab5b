/**
 * Seeds for the simulators, generated where the simulator runs (the child process), so the measured
 * process never holds 100,000 seed objects.
 */
import type { ApolloSimulator, KitSimulator } from "@unisequence/testing"

/** A compact description of a Kit seed, cheap to send over IPC. */
export interface KitSeedSpec {
  readonly sequences: number
  readonly emails: number
  /** Bytes of HTML per email (default 0: no content). */
  readonly contentBytes?: number
  /** Weekdays at 9:00 New York: the schedule Apollo's default seed holds, so a migration can match it. */
  readonly businessHours?: boolean
  /** Seeded subscribers (for enrolment). */
  readonly subscribers?: number
}

const html = (bytes: number, label: string): string => {
  if (bytes <= 0) return `<p>${label}</p>`
  const sentence = `<p>${label}: the quick brown fox jumps over the lazy dog, again and again.</p>\n`
  return sentence.repeat(Math.max(1, Math.ceil(bytes / sentence.length))).slice(0, bytes)
}

export const kitSeed = (spec: KitSeedSpec): KitSimulator.Seed => ({
  subscribers: Array.from({ length: spec.subscribers ?? 0 }, (_, i) => ({
    id: 9000 + i,
    email_address: `subscriber${i}@example.com`
  })),
  sequences: Array.from({ length: spec.sequences }, (_, s) => ({
    id: s + 1,
    name: `Sequence ${s + 1}`,
    ...(spec.businessHours === true
      ? {
          send_days: ["monday", "tuesday", "wednesday", "thursday", "friday"] as const,
          send_hour: 9,
          time_zone: "America/New_York"
        }
      : {}),
    emails: Array.from({ length: spec.emails }, (_, e) => ({
      id: (s + 1) * 100 + e + 1,
      subject: `Email ${e + 1} of sequence ${s + 1}`,
      content: html(spec.contentBytes ?? 0, `Email ${e + 1}`),
      position: e,
      delay_value: e === 0 ? 0 : 2,
      delay_unit: "days" as const
    }))
  }))
})

/** An Apollo sequence of `steps` automatic email steps, one touch each. */
export const apolloSequence = (name: string, steps: number, id?: string): ApolloSimulator.SeedSequence => ({
  ...(id === undefined ? {} : { id }),
  name,
  emailer_steps: Array.from({ length: steps }, (_, i) => ({
    type: "auto_email" as const,
    wait_time: i === 0 ? 0 : 2,
    wait_mode: "day" as const,
    emailer_touches: [
      {
        status: "to_be_reviewed" as const,
        emailer_template: { subject: `Step ${i + 1}`, body_html: `<p>Step ${i + 1}</p>` }
      }
    ]
  }))
})
