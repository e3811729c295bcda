// The agent-facing entry point (`require('governor')`): the publisher and the event vocabulary.
export { createPublisher, GovernorPublisher } from './publisher/publisher';
export type { EmitInput, EmitReceipt, PublisherStats } from './publisher/publisher';
export type { PublisherOptions } from './publisher/publisher-options';
export type { OverflowPolicy, BatchingOptions, BufferOptions, RetryOptions } from './publisher/default-options';
export { usdToMicros } from './publisher/event-builders';
export type { CostInput, AiUsageInput, MetricSampleInput, SecurityEventInput } from './publisher/event-builders';
export { PublishError, PublisherClosedError, BufferFullError } from './publisher/publish-error';
export type { DropReport } from './publisher/publish-error';
export { COST_CATEGORIES, METRIC_TYPES, SECURITY_EVENT_KINDS, SEVERITIES } from './contracts/vocabulary';
export type { CostCategory, MetricType, SecurityEventKind, Severity } from './contracts/vocabulary';
export { EventValidationError, OptionsError } from './contracts/validation-error';
export { newEventId } from './contracts/event-id';
export { createThrottleReader, ThrottleReader, THROTTLE_READER_DEFAULTS } from './throttle/throttle-reader';
export type { ThrottleReaderOptions, FailMode, ReaderState } from './throttle/throttle-reader';
export type { ThrottleLevel } from './budget/thresholds';
export { PRICE_TABLE, calculateAiCost, estimateCost, infrastructureCost, PricingError } from './pricing';
export type { EstimateInput, PricedUsage } from './pricing';
