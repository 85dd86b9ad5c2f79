// Reports: user costs, the dashboard, budgets and forecasts, their exports (the core's JSON
// and CSV, and the FinOps FOCUS CSV), and rebuilding and verifying the cost facts they read. The methods
// are the native ones (see index.d.ts for their docs).

import { type NativeLedger } from './native'

export type {
  BilledActor,
  BilledCostLine,
  BilledCostsOptions,
  Budget,
  BudgetAlert,
  BudgetScope,
  BudgetStatus,
  BudgetUpdate,
  Cost,
  Dashboard,
  DashboardOptions,
  DateRange,
  DayCost,
  DayDifference,
  FocusOptions,
  Forecast,
  ForecastOptions,
  MissingPriceLine,
  ModelCost,
  ModelLine,
  MonthDifference,
  NewBudget,
  Period,
  PlanCost,
  PlanLine,
  PlanVerification,
  ProjectCost,
  ReconcileLine,
  ReconcileOptions,
  SeatShare,
  SubjectLine,
  TokenCounts,
  UnitUsageLine,
  UnitUsageOptions,
  UserCosts,
  UserCostsOptions,
  VerifyOptions,
  VerifyReport,
  WorkspaceLine,
  WorkspaceOption,
  WorkspaceRef,
} from '../index.js'

/** The formats of the `export…` methods: the core's JSON or its RFC 4180 CSV. */
export type ExportFormat = 'json' | 'csv'

export const REPORT_METHODS = [
  'userCosts',
  'dashboard',
  'forecast',
  'unitUsage',
  'billedCosts',
  'reconcile',
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
  'verify',
] as const

/** The report, budget and export methods of `Ledger`. */
export type ReportMethods = Pick<NativeLedger, (typeof REPORT_METHODS)[number]>
