import { loadTopology, pushPathFor } from '../../../shared/topology/topology';

describe('loadTopology', () => {
  it('uses the default topic names', () => {
    expect(loadTopology({}).topics).toEqual({
      cost: 'governor-cost-events',
      metric: 'governor-metric-events',
      security: 'governor-security-events',
      alerts: 'governor-alerts',
      keyRotation: 'governor-key-rotation',
      billing: 'governor-billing-budgets',
      metricTicks: 'governor-metric-ticks',
      alertTicks: 'governor-alert-ticks',
      budgetTicks: 'governor-budget-ticks',
    });
  });

  it('applies env overrides to topics, subscriptions and dead-letter topics alike', () => {
    const topology = loadTopology({ GOVERNOR_TOPIC_COST: 'team-a-costs' });
    expect(topology.topics.cost).toBe('team-a-costs');
    const spend = topology.functions.find((f) => f.name === 'spend-aggregator');
    expect(spend?.subscription).toMatchObject({ topic: 'team-a-costs', deadLetterTopic: 'team-a-costs-dead-letter', maxDeliveryAttempts: 5 });
    expect(topology.allTopics).toContain('team-a-costs-dead-letter');
  });

  it('builds push paths that carry the topic', () => {
    expect(pushPathFor('demo-x', 'governor-cost-events')).toBe('/projects/demo-x/topics/governor-cost-events');
  });
});
