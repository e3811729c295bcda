# The operators' dashboard (functions/dashboard): an HTTP function that people open, not fed by
# Pub/Sub. Production access is IAM: Cloud Run admits only callers holding roles/run.invoker on
# the service (dashboard_invokers), before a request reaches the code; nobody else — no allUsers.
# Open it with `gcloud run services proxy dashboard --region REGION` (the proxy adds the caller's
# identity token) or, for browsers without gcloud, put Identity-Aware Proxy in front: an external
# HTTPS load balancer with a serverless NEG on this service, ingress ALLOW_INTERNAL_AND_GCLB, and
# roles/run.invoker granted to IAP's service agent instead of people (IAP then checks them).
variable "dashboard_invokers" {
  description = "IAM members (user:…, group:…, serviceAccount:…) allowed to open the dashboard."
  type        = list(string)
  default     = []
}

resource "google_service_account" "dashboard" {
  account_id   = "gov-dashboard"
  display_name = "Governor dashboard"
}

resource "google_cloudfunctions2_function" "dashboard" {
  name     = "dashboard"
  location = var.region

  build_config {
    runtime     = local.functions_runtime
    entry_point = "dashboard"
    source {
      storage_source {
        bucket = var.source_bucket
        object = var.source_object
      }
    }
  }

  service_config {
    service_account_email = google_service_account.dashboard.email
    # Reached by operators' browsers (through IAM); the consumers stay internal.
    ingress_settings = "ALLOW_ALL"
    # One instance holds the listeners and the CSRF secret every viewer shares; reads do not grow with viewers.
    max_instance_count               = 1
    max_instance_request_concurrency = 100
    available_cpu                    = "1"
    available_memory                 = "512Mi"
    # A live page holds its event stream for up to an hour, then reconnects.
    timeout_seconds = 3600
    environment_variables = {
      GOOGLE_CLOUD_PROJECT      = var.project_id
      LOG_LEVEL                 = "info"
      GOVERNOR_DASHBOARD_ACCESS = "iam"
    }
  }
}

resource "google_cloud_run_service_iam_member" "dashboard_invoker" {
  for_each = toset(var.dashboard_invokers)
  location = var.region
  service  = google_cloudfunctions2_function.dashboard.service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}

# Reads every store; writes budgets (set budget) and bans (lift).
resource "google_project_iam_member" "dashboard_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.dashboard.email}"
}

# Set budget re-applies budgets (alerts), flush asks alert-digest, rotate announces a security event.
resource "google_pubsub_topic_iam_member" "dashboard_publisher" {
  for_each = toset(["alerts", "alert_ticks", "security"])
  topic    = google_pubsub_topic.events[each.value].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.dashboard.email}"
}

# Counts dead letters by pulling the inspection subscriptions and handing the messages back.
resource "google_pubsub_subscription_iam_member" "dashboard_dead_letters" {
  for_each     = local.consumed_topics
  subscription = google_pubsub_subscription.dead_letter_inspect[each.value].name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.dashboard.email}"
}

# Key-rotation status lists versions; "rotate now" adds one and retires old ones, as key-rotator does.
resource "google_secret_manager_secret_iam_member" "dashboard_rotator" {
  for_each  = { for pair in setproduct(keys(var.rotated_secrets), ["roles/secretmanager.secretVersionAdder", "roles/secretmanager.secretVersionManager"]) : "${pair[0]}/${pair[1]}" => pair }
  secret_id = google_secret_manager_secret.rotated[each.value[0]].id
  role      = each.value[1]
  member    = "serviceAccount:${google_service_account.dashboard.email}"
}
