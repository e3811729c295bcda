data "google_project" "this" {}

locals {
  # The service agent that moves messages to dead-letter topics and pushes with OIDC tokens.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "events" {
  for_each = local.topics
  name     = each.value
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.consumed_topics
  name     = "${local.topics[each.value]}-dead-letter"
}

# Keeps dead-lettered messages (7 days) so an operator can read them; a topic without a
# subscription drops what is published to it.
resource "google_pubsub_subscription" "dead_letter_inspect" {
  for_each                   = local.consumed_topics
  name                       = "${local.topics[each.value]}-dead-letter-inspect"
  topic                      = google_pubsub_topic.dead_letter[each.value].id
  message_retention_duration = local.delivery.message_retention
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each                   = local.functions
  name                       = "${each.key}-push"
  topic                      = google_pubsub_topic.events[each.value.topic].id
  ack_deadline_seconds       = local.delivery.ack_deadline_seconds
  message_retention_duration = local.delivery.message_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.consumer[each.key].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.pusher.email
    }
  }

  retry_policy {
    minimum_backoff = local.delivery.minimum_backoff
    maximum_backoff = local.delivery.maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.topic].id
    max_delivery_attempts = local.delivery.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering needs the service agent to publish to the dead-letter topic and to subscribe
# (ack) on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.consumed_topics
  topic    = google_pubsub_topic.dead_letter[each.value].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = local.functions
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
