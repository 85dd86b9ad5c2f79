// Plan connections: add, list, get, update, disconnect, rotate a credential, check, read the
// organisation's metadata, import from the environment, the provider catalog, and the plan's
// spend limits at its provider. The methods are the native ones (see index.d.ts for their docs).

import { type NativeLedger } from './native'

export type {
  ApiKeyInfo,
  DisconnectOptions,
  ListPlansOptions,
  NewPlan,
  OrgInfo,
  OrgMetadata,
  OrgUser,
  Plan,
  PlanUpdate,
  EffectiveSpend,
  EffectiveSpendOptions,
  ProviderInfo,
  SetSpendLimitOptions,
  SpendLimit,
  SpendLimitsOptions,
  Subscription,
  SubscriptionInput,
  Workspace,
} from '../index.js'

export const PLAN_METHODS = [
  'addPlan',
  'listPlans',
  'getPlan',
  'updatePlan',
  'disconnectPlan',
  'rotatePlanCredential',
  'checkPlan',
  'planMetadata',
  'importPlanFromEnv',
  'providers',
  'spendLimits',
  'setSpendLimit',
  'deleteSpendLimit',
  'effectiveSpend',
  'syncedSpendLimits',
] as const

/** The plan methods of `Ledger`. */
export type PlanMethods = Pick<NativeLedger, (typeof PLAN_METHODS)[number]>
