// costledger for Node.js: what your AI plans cost, in-process, for server code.
//
//   const ledger = await Ledger.open({ databaseUrl: 'sqlite://ledger.db', masterKey })
//   const plan = await ledger.addPlan({ label: 'Prod org', adminApiKey })   // or { label, oauthTokens }
//   const report = await ledger.sync()

export { Ledger, type LedgerOptions } from './ledger'
export { CostLedgerError, ERROR_CODES, type ErrorCode } from './errors'
export { type KeyCipher } from './cipher'
export { OAuthClient, type OAuthTokens } from './oauth'
export { generateMasterKey } from './master_key'
export type { Money } from '../index.js'
export type * from './plans'
export type { Disconnected, OAuthBegin, OAuthClientOptions, OAuthTokensInfo, Revocation } from './oauth'
export type * from './subjects'
export type * from './sync'
export type * from './reports'
export type * from './claude_code_logs'
