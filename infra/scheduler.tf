# The schedules of shared/topology/schedules.ts (locally, `npm start` runs them with croner).
resource "google_cloud_scheduler_job" "schedule" {
  for_each  = local.schedules
  name      = each.key
  region    = var.region
  schedule  = each.value.cron
  time_zone = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.events[each.value.topic].id
    data       = base64encode(each.value.data)
  }

  retry_config {
    retry_count = 1
  }
}
