export * as SqlJournal from "./SqlJournal.js"
