/**
 * Realistic Kit sequences for the demo and the tests: day and hour delays, per-email send days,
 * drafts and published emails, an evergreen (`hold`) sequence, a `repeat` one, exclusions. Their
 * schedule (weekdays from 9:00, New York) is the Apollo simulator's default team schedule, so that
 * a migration to Apollo finds a schedule to write them on.
 */
import type { KitSimulator } from "@unisequence/testing"

const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"] as const
const schedule = { send_days: weekdays, send_hour: 9, time_zone: "America/New_York" }

const html = (...paragraphs: ReadonlyArray<string>) => paragraphs.map((p) => `<p>${p}</p>`).join("")

export const kitSeed: KitSimulator.Seed = {
  account: {
    email_address: "hello@acme.example",
    time_zone: "America/New_York",
    send_hour: 9,
    send_days: weekdays
  },
  subscribers: [
    { email_address: "ada@example.com", first_name: "Ada" },
    { email_address: "grace@example.com", first_name: "Grace" }
  ],
  sequences: [
    {
      name: "Welcome series",
      ...schedule,
      email_address: "hello@acme.example",
      exclude_subscriber_sources: [{ type: "tag", ids: [12] }],
      emails: [
        {
          subject: "Welcome to Acme",
          content: html("Hi {{ subscriber.first_name }}, welcome aboard.", "Here is what to expect."),
          published: true,
          delay_value: 0,
          delay_unit: "days"
        },
        {
          subject: "Getting started in 5 minutes",
          content: html("Three things to set up first."),
          published: true,
          delay_value: 2,
          delay_unit: "days"
        },
        {
          subject: "Tips from our customers",
          preview_text: "What the best teams do differently",
          content: html("Tip 1: start small."),
          published: true,
          delay_value: 3,
          delay_unit: "days",
          send_days: ["tuesday", "thursday"]
        },
        {
          subject: "What's next",
          content: html("A draft: not sent yet."),
          published: false,
          delay_value: 5,
          delay_unit: "days"
        }
      ]
    },
    {
      name: "Trial nurture (hourly)",
      ...schedule,
      emails: [
        {
          subject: "Your trial has started",
          content: html("Welcome to your trial."),
          published: true,
          delay_value: 0,
          delay_unit: "hours"
        },
        {
          subject: "Need a hand?",
          content: html("Reply to this email."),
          published: true,
          delay_value: 4,
          delay_unit: "hours"
        },
        {
          subject: "Halfway there",
          content: html("Seven days left."),
          published: false,
          delay_value: 20,
          delay_unit: "hours"
        }
      ]
    },
    {
      name: "Evergreen newsletter",
      ...schedule,
      hold: true,
      emails: [
        {
          subject: "This week at Acme",
          content: html("News."),
          published: true,
          delay_value: 7,
          delay_unit: "days"
        },
        {
          subject: "From the blog",
          content: html("Posts."),
          published: true,
          delay_value: 7,
          delay_unit: "days"
        },
        {
          subject: "Customer story",
          content: html("A story."),
          published: true,
          delay_value: 7,
          delay_unit: "days"
        }
      ]
    },
    {
      name: "Win-back",
      ...schedule,
      repeat: true,
      exclude_subscriber_sources: [{ type: "segment", ids: [5] }],
      emails: [
        {
          subject: "We miss you",
          content: html("Come back for 20% off."),
          published: true,
          delay_value: 0,
          delay_unit: "days"
        },
        {
          subject: "Last chance",
          content: html("The offer ends Friday."),
          published: false,
          delay_value: 14,
          delay_unit: "days",
          send_days: ["friday"]
        }
      ]
    }
  ]
}
