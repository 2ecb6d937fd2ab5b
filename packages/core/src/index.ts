/**
 * @unisequence/core: the provider-neutral model of email sequences, the `Sequences` service,
 * typed errors, capabilities and translation, the diff of two sequences, the in-memory provider,
 * and the migration engine: `Migration` and `SequenceFile` plan, `Plan` is what they plan, `Apply`
 * carries a plan out, keeping its state in the `Journal` service.
 */
export * as Apply from "./Apply.js"
export * as Capabilities from "./Capabilities.js"
export * as Diff from "./Diff.js"
export * as DispatcherHttpClient from "./DispatcherHttpClient.js"
export * as HttpPipeline from "./HttpPipeline.js"
export * as Journal from "./Journal.js"
export * as JournalLease from "./JournalLease.js"
export * as Memory from "./Memory.js"
export * as Migration from "./Migration.js"
export * as Plan from "./Plan.js"
export * as Resilience from "./Resilience.js"
export * as Secret from "./Secret.js"
export * as Sequence from "./Sequence.js"
export * as SequenceFile from "./SequenceFile.js"
export * as SequenceError from "./SequenceError.js"
export * as Sequences from "./Sequences.js"
