// Plan connections: add, list, get, update, disconnect, rotate a credential, check, read the
// organisation's metadata, import from the environment, the provider catalog, and the plan's
// spend limits at its provider. The methods are the native ones (see index.d.ts for their docs).

import { decodeOrgMetadata, decodeProviderInfo } from './generated'
import { decoding, listOf, type NativeLedger } from './native'

export type {
  DisconnectOptions,
  ListPlansOptions,
  NewPlan,
  Plan,
  PlanUpdate,
  EffectiveSpend,
  EffectiveSpendOptions,
  SetSpendLimitOptions,
  SpendLimit,
  SpendLimitsOptions,
  Subscription,
  SubscriptionInput,
} from '../index.js'
export type { ApiKeyInfo, OrgInfo, OrgMetadata, OrgUser, ProviderInfo, Workspace } from './generated'

export const PLAN_METHODS = [
  'addPlan',
  'listPlans',
  'getPlan',
  'updatePlan',
  'disconnectPlan',
  'rotatePlanCredential',
  'checkPlan',
  'importPlanFromEnv',
  'spendLimits',
  'setSpendLimit',
  'deleteSpendLimit',
  'effectiveSpend',
  'syncedSpendLimits',
] as const

/** The methods that return the provider catalog and an organisation's metadata. */
export const planMethods = decoding({
  planMetadata: decodeOrgMetadata,
  providers: listOf(decodeProviderInfo),
})

/** The plan methods of `Ledger`. */
export type PlanMethods = Pick<NativeLedger, (typeof PLAN_METHODS)[number]> & typeof planMethods
