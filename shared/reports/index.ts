// `governor/reports`: the read models operators' own tools import — budget status and report,
// the security report and the cache's hit and savings summaries (formerly on governor/security and governor/cache).
export { budgetStatus, budgetReport } from './budget-status';
export type { BudgetStatus, BudgetReport, BudgetLine } from './budget-status';
export { scopedBudgetLines, topSpenders, ReportError, TOP_DIMENSIONS } from './scope-report';
export type { ScopedBudgetLine, TopSpenders, TopDimension, ScopedStatusFilter } from './scope-report';
export { securityReport, type SecurityReport } from './security-report';
export { cacheHitSummary, cacheSavingsBetween, type CacheHitSummary, type CacheSavings } from './cache-report';
