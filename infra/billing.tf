# Optional: a Cloud Billing budget on this project that publishes its programmatic notifications to
# the billing topic, where billing-ingestor counts them as spend (once, however often GCP re-sends).
resource "google_billing_budget" "governor" {
  count           = var.billing_account_id == "" ? 0 : 1
  billing_account = var.billing_account_id
  display_name    = "governor-${var.project_id}"

  budget_filter {
    projects = ["projects/${data.google_project.this.number}"]
  }

  amount {
    specified_amount {
      currency_code = "USD"
      units         = tostring(var.billing_budget_usd)
    }
  }

  threshold_rules {
    threshold_percent = 0.8
  }
  threshold_rules {
    threshold_percent = 1.0
  }

  all_updates_rule {
    pubsub_topic   = google_pubsub_topic.events["billing"].id
    schema_version = "1.0"
  }
}

# Cloud Billing publishes as its own service agent.
resource "google_pubsub_topic_iam_member" "billing_publisher" {
  count  = var.billing_account_id == "" ? 0 : 1
  topic  = google_pubsub_topic.events["billing"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:billing-budget-alert@system.gserviceaccount.com"
}
