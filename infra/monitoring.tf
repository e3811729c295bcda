# Custom metric descriptors of shared/metrics/monitoring-export.ts (metric-evaluator also creates
# them on first export; declaring them here makes them part of the deployment).
locals {
  exported_labels = ["operation", "agent", "model", "scope", "cache", "tier", "endpoint"]
  metric_descriptors = {
    latency           = { kind = "CUMULATIVE", value_type = "DISTRIBUTION", unit = "ms", description = "Operation latency per minute" }
    api_calls         = { kind = "CUMULATIVE", value_type = "INT64", unit = "1", description = "Calls per minute" }
    throughput        = { kind = "GAUGE", value_type = "DOUBLE", unit = "1/s", description = "Requests per second, mean over the minute" }
    error_rate        = { kind = "GAUGE", value_type = "DOUBLE", unit = "%", description = "Error percentage over the minute" }
    cpu_usage         = { kind = "GAUGE", value_type = "DOUBLE", unit = "%", description = "CPU percentage, mean over the minute" }
    memory_usage      = { kind = "GAUGE", value_type = "DOUBLE", unit = "%", description = "Memory percentage, mean over the minute" }
    agent_performance = { kind = "GAUGE", value_type = "DOUBLE", unit = "1", description = "Agent performance score, mean over the minute" }
    cache_hit_rate    = { kind = "GAUGE", value_type = "DOUBLE", unit = "%", description = "Cache hit percentage over the minute" }
    cache_savings     = { kind = "CUMULATIVE", value_type = "INT64", unit = "1", description = "Cost avoided by cache hits per minute (micro-USD)" }
  }
}

resource "google_monitoring_metric_descriptor" "governor" {
  for_each     = local.metric_descriptors
  type         = "custom.googleapis.com/governor/${each.key}"
  metric_kind  = each.value.kind
  value_type   = each.value.value_type
  unit         = each.value.unit
  description  = "Governor: ${each.value.description}"
  display_name = "Governor ${replace(each.key, "_", " ")}"

  dynamic "labels" {
    for_each = toset(local.exported_labels)
    content {
      key         = labels.value
      value_type  = "STRING"
      description = "Governor label ${labels.value}"
    }
  }
}

# metric-evaluator writes time series (and creates the descriptors above if missing).
resource "google_project_iam_member" "evaluator_metric_writer" {
  project = var.project_id
  role    = "roles/monitoring.metricWriter"
  member  = "serviceAccount:${google_service_account.function["metric-evaluator"].email}"
}
