// The ESM entry (`import … from 'costledger'`): the CommonJS build re-exported, so `import`
// and `require` share one module instance (one addon, one `CostLedgerError` class for
// `instanceof`). The test `package.test.mjs` checks it exports what the CommonJS entry does.
import cjs from '../dist/index.js'

export const { Ledger, CostLedgerError, ERROR_CODES, OAuthClient, generateMasterKey } = cjs
