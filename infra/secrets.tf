# Secrets whose versions are API keys that key-rotator rotates. Secret Manager's own rotation
# schedule sends SECRET_ROTATE to the key-rotation topic; Cloud Scheduler's tick (scheduler.tf)
# covers retirement of old versions after the grace window.
resource "google_secret_manager_secret" "rotated" {
  for_each  = var.rotated_secrets
  secret_id = each.key
  labels    = { managed-by = "governor" }

  replication {
    auto {}
  }

  topics {
    name = google_pubsub_topic.events["key_rotation"].id
  }

  rotation {
    rotation_period    = "${floor(each.value.period_hours * 3600)}s"
    next_rotation_time = timeadd(plantimestamp(), "${floor(each.value.period_hours * 3600)}s")
  }

  lifecycle {
    ignore_changes = [rotation[0].next_rotation_time]
  }

  depends_on = [google_pubsub_topic_iam_member.secret_manager_publisher]
}

# Secret Manager publishes its notifications as its service agent.
resource "google_pubsub_topic_iam_member" "secret_manager_publisher" {
  topic  = google_pubsub_topic.events["key_rotation"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-secretmanager.iam.gserviceaccount.com"
}

# The rotator adds versions, and lists, disables and destroys them — on these secrets only.
resource "google_secret_manager_secret_iam_member" "rotator_adder" {
  for_each  = var.rotated_secrets
  secret_id = google_secret_manager_secret.rotated[each.key].id
  role      = "roles/secretmanager.secretVersionAdder"
  member    = "serviceAccount:${google_service_account.function["key-rotator"].email}"
}

resource "google_secret_manager_secret_iam_member" "rotator_manager" {
  for_each  = var.rotated_secrets
  secret_id = google_secret_manager_secret.rotated[each.key].id
  role      = "roles/secretmanager.secretVersionManager"
  member    = "serviceAccount:${google_service_account.function["key-rotator"].email}"
}

# Agents may only read the keys.
resource "google_secret_manager_secret_iam_member" "agent_accessor" {
  for_each  = { for pair in setproduct(keys(var.rotated_secrets), var.agent_service_accounts) : "${pair[0]}/${pair[1]}" => pair }
  secret_id = google_secret_manager_secret.rotated[each.value[0]].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${each.value[1]}"
}

# The rotator announces rotations as security events.
resource "google_pubsub_topic_iam_member" "rotator_security_events" {
  topic  = google_pubsub_topic.events["security"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.function["key-rotator"].email}"
}
