import type { InfraPrice, PriceTable } from './price-table';
import { parseDecimal, quantity, times, toMicros } from './rational';

type Resource = InfraPrice['resource'];

function cost(table: PriceTable, resource: Resource, amount: number): number {
  const price = table.infrastructure.find((p) => p.resource === resource);
  if (!price) throw new Error(`no infrastructure price for ${resource}`);
  return toMicros(times(quantity(amount), parseDecimal(price.usdPerUnit)));
}

/** Infrastructure costs at the seed's rates, each in integer micro-USD. */
export const infrastructureCost = {
  storage: (table: PriceTable, gbMonths: number) => cost(table, 'storage', gbMonths),
  egress: (table: PriceTable, gb: number) => cost(table, 'egress', gb),
  firestoreReads: (table: PriceTable, reads: number) => cost(table, 'firestoreReads', reads),
  firestoreWrites: (table: PriceTable, writes: number) => cost(table, 'firestoreWrites', writes),
  cloudRunVcpu: (table: PriceTable, vcpuSeconds: number) => cost(table, 'cloudRunVcpu', vcpuSeconds),
  cloudRunMemory: (table: PriceTable, gbSeconds: number) => cost(table, 'cloudRunMemory', gbSeconds),
  redis: (table: PriceTable, gbMonths: number) => cost(table, 'redis', gbMonths),
} as const;
