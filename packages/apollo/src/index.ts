/**
 * @unisequence/apollo: the Apollo.io adapter — `ApolloClient`, a typed client for every sequence
 * endpoint, and `Apollo`, the neutral `Sequences` service on it.
 */
export * as Apollo from "./Apollo.js"
export * as ApolloClient from "./ApolloClient.js"
