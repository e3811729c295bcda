# One service account per function, holding only what that function does.
resource "google_service_account" "function" {
  for_each     = local.functions
  account_id   = "gov-${each.key}"
  display_name = "Governor ${each.key}"
}

# Reads and writes its Firestore documents.
resource "google_project_iam_member" "function_firestore" {
  for_each = local.functions
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Publishes invalid messages to its own dead-letter topic, nothing else.
resource "google_pubsub_topic_iam_member" "function_dead_letter" {
  for_each = local.functions
  topic    = google_pubsub_topic.dead_letter[each.value.topic].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

# The identity Pub/Sub pushes as; it may invoke the functions and nothing else.
resource "google_service_account" "pusher" {
  account_id   = "gov-pubsub-pusher"
  display_name = "Governor Pub/Sub push identity"
}

resource "google_cloud_run_service_iam_member" "pusher_invoker" {
  for_each = local.functions
  location = var.region
  service  = google_cloudfunctions2_function.consumer[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.pusher.email}"
}

# Pub/Sub mints the pusher's OIDC tokens.
resource "google_service_account_iam_member" "pubsub_token_creator" {
  service_account_id = google_service_account.pusher.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# The functions that raise alerts (budget and performance) publish to the alerts topic.
resource "google_pubsub_topic_iam_member" "function_alerts" {
  for_each = toset(["spend-aggregator", "billing-ingestor", "budget-evaluator", "metric-aggregator", "metric-evaluator", "security-monitor"])
  topic    = google_pubsub_topic.events["alerts"].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Agents read throttle flags (and nothing is written by them): a role for the agents' own accounts.
resource "google_project_iam_member" "agent_flag_reader" {
  for_each = toset(var.agent_service_accounts)
  project  = var.project_id
  role     = "roles/datastore.viewer"
  member   = "serviceAccount:${each.value}"
}

# Agents publish events to the three event topics only.
resource "google_pubsub_topic_iam_member" "agent_publisher" {
  for_each = { for pair in setproduct(var.agent_service_accounts, ["cost", "metric", "security"]) : "${pair[0]}/${pair[1]}" => pair }
  topic    = google_pubsub_topic.events[each.value[1]].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${each.value[0]}"
}
