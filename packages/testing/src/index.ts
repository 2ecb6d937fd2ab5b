/**
 * Stateful simulators of the Kit and Apollo sequence APIs, served over real HTTP on 127.0.0.1,
 * plus OpenAPI contract validation for tests.
 */
export * as KitSimulator from "./KitSimulator.js"
export * as ApolloSimulator from "./ApolloSimulator.js"
export * as OpenApiContract from "./OpenApiContract.js"
export * as Postgres from "./Postgres.js"
export * as Executable from "./Executable.js"
export * as RecordingTracer from "./RecordingTracer.js"
