/** The providers the command works with, by the names its options take. */
export type ProviderName = "kit" | "apollo"
export const providerNames = ["kit", "apollo"] as const
