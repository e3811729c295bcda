// `governor/security`: what an agent's endpoint needs to guard itself.
export { createRequestGuard, RequestGuard, clientIp } from './request-guard';
export type { GuardRequest, GuardDecision, RequestGuardOptions, SecurityEventSink } from './request-guard';
export { BanCache } from './ban-cache';
export type { BanStatus } from './ban-cache';
export { RateLimits, DEFAULT_RATE_RULES, RATE_DIMENSIONS } from './rate-limits';
export type { RateRules, RateRule, RateDecision, RateStatus, RateDimension } from './rate-limits';
export { safeText, safeUrl, emailAddress, alphanumericId, validateRequest } from './request-schemas';
export type { Violation, ValidationResult } from './request-schemas';
export { detectThreats, THREAT_RULES, DETECTION_CONTEXTS } from './input-rules';
export type { ThreatRule, ThreatMatch, DetectOptions, DetectionContext } from './input-rules';
export { securityHeaders, DEFAULT_HELMET_OPTIONS } from './security-headers';
export { DEFAULT_BAN_POLICY, parseBanPolicy } from './ban-policy';
export type { BanPolicy, Subject } from './ban-policy';
