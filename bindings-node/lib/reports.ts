// Reports: user costs, the dashboard, budgets and forecasts, their exports (the core's JSON
// and CSV, and the FinOps FOCUS CSV), and rebuilding and verifying the cost facts they read. The methods
// are the native ones (see index.d.ts for their docs).

import {
  decodeBilledCostLine,
  decodeDashboard,
  decodeForecast,
  decodeReconcileLine,
  decodeUnitUsageLine,
  decodeUserCosts,
  decodeVerifyReport,
} from './generated'
import { decoding, listOf, type NativeLedger } from './native'

export type {
  BilledCostsOptions,
  Budget,
  BudgetScope,
  BudgetStatus,
  BudgetUpdate,
  DashboardOptions,
  DateRange,
  FocusOptions,
  ForecastOptions,
  NewBudget,
  ReconcileOptions,
  UnitUsageOptions,
  UserCostsOptions,
  VerifyOptions,
  WorkspaceOption,
} from '../index.js'
export type {
  ActorType,
  Basis,
  BilledActor,
  BilledBy,
  BilledCostLine,
  BudgetAlert,
  Cost,
  Dashboard,
  DayCost,
  DayDifference,
  Forecast,
  MissingPriceLine,
  ModelCost,
  ModelLine,
  MonthDifference,
  Period,
  PlanCost,
  PlanLine,
  PlanVerification,
  ProjectCost,
  ReconcileLine,
  ReconcileStatus,
  SeatShare,
  SourceState,
  SubjectLine,
  TokenCounts,
  UnitUsageLine,
  UsageUnit,
  UserCosts,
  VerifyReport,
  WorkspaceLine,
  WorkspaceRef,
} from './generated'

/** The formats of the `export…` methods: the core's JSON or its RFC 4180 CSV. */
export type ExportFormat = 'json' | 'csv'

export const REPORT_METHODS = [
  'createBudget',
  'createMirroredBudget',
  'getBudget',
  'listBudgets',
  'updateBudget',
  'deleteBudget',
  'budgetStatus',
  'budgetStatuses',
  'exportDashboard',
  'exportUserCosts',
  'exportForecast',
  'exportBudgets',
  'exportBudgetStatuses',
  'exportSyncHistory',
  'syncAndExport',
  'focusExport',
  'rebuildCostFacts',
] as const

/** The reports that return the core's values, decoded by the generated functions. */
export const reportMethods = decoding({
  userCosts: decodeUserCosts,
  dashboard: decodeDashboard,
  forecast: decodeForecast,
  unitUsage: listOf(decodeUnitUsageLine),
  billedCosts: listOf(decodeBilledCostLine),
  reconcile: listOf(decodeReconcileLine),
  verify: decodeVerifyReport,
})

/** The report, budget and export methods of `Ledger`. */
export type ReportMethods = Pick<NativeLedger, (typeof REPORT_METHODS)[number]> & typeof reportMethods
