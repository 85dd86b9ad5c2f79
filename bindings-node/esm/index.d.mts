// Types of the ESM entry: those of the CommonJS entry, which it re-exports.
export * from '../dist/index.js'
