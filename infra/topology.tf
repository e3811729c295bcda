# Mirrors shared/topology/topology.ts; test/infra/topology-infra.test.ts fails when they disagree.
locals {
  topics = {
    cost         = "governor-cost-events"
    metric       = "governor-metric-events"
    security     = "governor-security-events"
    alerts       = "governor-alerts"
    key_rotation = "governor-key-rotation"
    billing      = "governor-billing-budgets"
    metric_ticks = "governor-metric-ticks"
    alert_ticks  = "governor-alert-ticks"
    budget_ticks = "governor-budget-ticks"
  }

  delivery = {
    ack_deadline_seconds  = 60
    max_delivery_attempts = 5
    minimum_backoff       = "1s"
    maximum_backoff       = "60s"
    message_retention     = "604800s"
  }

  # One entry per Cloud Function: its functions-framework target and the topic (key) feeding it.
  functions = {
    "spend-aggregator" = { target = "spendAggregator", topic = "cost" }
    "billing-ingestor" = { target = "billingIngestor", topic = "billing" }
    "metric-aggregator" = { target = "metricAggregator", topic = "metric" }
    "metric-evaluator"  = { target = "metricEvaluator", topic = "metric_ticks" }
    "security-monitor"  = { target = "securityMonitor", topic = "security" }
    "key-rotator"       = { target = "keyRotator", topic = "key_rotation" }
    "alert-notifier"    = { target = "alertNotifier", topic = "alerts" }
    "alert-digest"      = { target = "alertDigest", topic = "alert_ticks" }
    "budget-evaluator"  = { target = "budgetEvaluator", topic = "budget_ticks" }
  }

  consumed_topics = toset([for f in values(local.functions) : f.topic])

  # Mirrors shared/topology/schedules.ts: Cloud Scheduler jobs publishing to a topic.
  schedules = {
    "governor-metric-tick"       = { cron = "* * * * *", topic = "metric_ticks", data = "{\"tick\":\"metrics\"}" }
    "governor-key-rotation-tick" = { cron = "*/5 * * * *", topic = "key_rotation", data = "{\"tick\":\"rotate\"}" }
    "governor-alert-tick"        = { cron = "* * * * *", topic = "alert_ticks", data = "{\"tick\":\"alerts\"}" }
    "governor-budget-tick"       = { cron = "* * * * *", topic = "budget_ticks", data = "{\"tick\":\"budgets\"}" }
  }
}
