// Plan connections: add, list, get, update, disconnect, rotate a credential, check, read the
// organisation's metadata, import from the environment, the provider catalog, and the plan's
// spend limits at its provider. The methods are the native ones (see index.d.ts for their docs).

import { decodeOrgInfo, decodeOrgMetadata, decodePlan, decodeProviderInfo } from './generated'
import { decoding, listOf, orNull, type NativeLedger } from './native'

export type {
  DisconnectOptions,
  ListPlansOptions,
  NewPlan,
  PlanUpdate,
  EffectiveSpend,
  EffectiveSpendOptions,
  SetSpendLimitOptions,
  SpendLimit,
  SpendLimitsOptions,
  SubscriptionInput,
} from '../index.js'
export type {
  AnalyticsUnavailable,
  ApiKeyInfo,
  BillingCycle,
  CredentialReach,
  OrgInfo,
  OrgMetadata,
  OrgUser,
  Plan,
  PlanStatus,
  Provider,
  ProviderInfo,
  Subscription,
  SubscriptionTier,
  Workspace,
} from './generated'

export const PLAN_METHODS = [
  'spendLimits',
  'setSpendLimit',
  'deleteSpendLimit',
  'effectiveSpend',
  'syncedSpendLimits',
] as const

/** The methods that return plans, organisations and the provider catalog. */
export const planMethods = decoding({
  addPlan: decodePlan,
  listPlans: listOf(decodePlan),
  getPlan: decodePlan,
  updatePlan: decodePlan,
  disconnectPlan: decodePlan,
  rotatePlanCredential: decodePlan,
  checkPlan: decodeOrgInfo,
  importPlanFromEnv: orNull(decodePlan),
  planMetadata: decodeOrgMetadata,
  providers: listOf(decodeProviderInfo),
})

/** The plan methods of `Ledger`. */
export type PlanMethods = Pick<NativeLedger, (typeof PLAN_METHODS)[number]> & typeof planMethods
