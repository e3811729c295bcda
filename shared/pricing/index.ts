export { PRICE_TABLE } from './price-data';
export { parsePriceTable, priceOn } from './price-table';
export type { PriceTable, ModelPrice, InfraPrice } from './price-table';
export { calculateAiCost, estimateCost, priceWith, PricingError, CHARS_PER_TOKEN_ESTIMATE } from './ai-cost';
export type { PricedUsage, EstimateInput } from './ai-cost';
export { conservativePrice, familyOf } from './provisional-price';
export type { UnknownModelPolicy } from './provisional-price';
export { infrastructureCost } from './infra-cost';
