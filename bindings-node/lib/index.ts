// costledger for Node.js: what your AI plans cost, in-process, for server code.
//
//   const ledger = await Ledger.open({ databaseUrl: 'sqlite://ledger.db', masterKey })
//   const plan = await ledger.addPlan({ label: 'Prod org', adminApiKey })
//   const report = await ledger.sync()

export { Ledger, type LedgerOptions } from './ledger'
export { CostLedgerError, ERROR_CODES, type ErrorCode } from './errors'
export { type KeyCipher } from './cipher'
export { generateMasterKey } from './master_key'
export type { Money } from '../index.js'
export type * from './plans'
export type * from './subjects'
export type * from './sync'
export type * from './reports'
export type * from './claude_code_logs'
