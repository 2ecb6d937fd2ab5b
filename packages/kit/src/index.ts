export * as Kit from "./Kit.js"
export * as KitClient from "./KitClient.js"
