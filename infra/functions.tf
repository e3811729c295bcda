# The Cloud Run functions runtime of every function (consumers and dashboard). Google's schedule:
# nodejs24 deprecated 2028-04-30, decommissioned 2028-10-31 (nodejs20 could no longer be deployed
# from 2026-10-30). CI runs the tests and the package-start test on the same major
# (scripts/production-node), and test/infra/runtime-infra.test.ts holds this, the load-test image and
# that binary to one supported major.
locals {
  functions_runtime = "nodejs24"
}

# Functions are HTTP functions fed by the push subscriptions in pubsub.tf, so every subscription
# carries Governor's own retry and dead-letter settings (an Eventarc trigger would not).
resource "google_cloudfunctions2_function" "consumer" {
  for_each = local.functions
  name     = each.key
  location = var.region

  build_config {
    runtime     = local.functions_runtime
    entry_point = each.value.target
    source {
      storage_source {
        bucket = var.source_bucket
        object = var.source_object
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function[each.key].email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    max_instance_count               = 20
    # Concurrent pushes share group commits: more in flight per instance, fewer writes per event.
    max_instance_request_concurrency = 250
    available_cpu                    = "1"
    available_memory                 = "512Mi"
    timeout_seconds                  = 60
    environment_variables = merge({
      GOOGLE_CLOUD_PROJECT = var.project_id
      LOG_LEVEL            = "info"
    }, lookup(local.function_env, each.key, {}))
  }
}
