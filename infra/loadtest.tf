# `governor loadtest` beyond one machine: a Cloud Run job whose N tasks each run their share of
# one plan (task i takes every N-th arrival, from CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT,
# which Cloud Run sets) and store their mergeable recording in Firestore under the execution's
# name; `governor loadtest collect <execution>` merges them exactly and judges the thresholds.
# Created only when loadtest_image is set (an image built from infra/loadtest.Dockerfile).

locals {
  loadtest = {
    job_name = "governor-loadtest"
    # Must match COLLECTIONS.loadtestResults in shared/basics/collections.ts (test/infra checks it).
    results_collection = "governor_loadtest_results"
  }
}

variable "loadtest_image" {
  description = "Container image of the load generator (docker build -f infra/loadtest.Dockerfile .); empty: no job."
  type        = string
  default     = ""
}

variable "loadtest_tasks" {
  description = "Tasks of the load-test job: each runs 1/N of the plan, all at once."
  type        = number
  default     = 4
}

variable "loadtest_args" {
  description = "Arguments after `governor loadtest run`, e.g. [\"stress\", \"--url\", \"https://writer.example.com/generate\", \"--allow-remote\"]."
  type        = list(string)
  default     = ["baseline", "--target", "governor", "--allow-remote"]
}

variable "loadtest_timeout_seconds" {
  description = "Longest a task may run (the plan's duration plus start-up and the graceful stop)."
  type        = number
  default     = 4200
}

resource "google_service_account" "loadtest" {
  account_id   = "gov-loadtest"
  display_name = "Governor load generator"
}

# Stores its task result; with --target governor also watches the pipeline's records.
resource "google_project_iam_member" "loadtest_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.loadtest.email}"
}

# --target governor publishes probe events like an agent does.
resource "google_pubsub_topic_iam_member" "loadtest_publisher" {
  for_each = toset(["cost", "metric", "security"])
  topic    = google_pubsub_topic.events[each.key].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.loadtest.email}"
}

resource "google_cloud_run_v2_job" "loadtest" {
  count    = var.loadtest_image == "" ? 0 : 1
  name     = local.loadtest.job_name
  location = var.region

  template {
    task_count = var.loadtest_tasks
    # Every task at once: their loads add up to the plan's.
    parallelism = var.loadtest_tasks

    template {
      service_account = google_service_account.loadtest.email
      # A retried task would offer its share twice; a failed task is reported missing by `collect`.
      max_retries = 0
      timeout     = "${var.loadtest_timeout_seconds}s"

      containers {
        image = var.loadtest_image
        args  = concat(["loadtest", "run"], var.loadtest_args, ["--no-metrics"])
        env {
          name  = "GOOGLE_CLOUD_PROJECT"
          value = var.project_id
        }
        resources {
          limits = {
            cpu    = "2"
            memory = "1Gi"
          }
        }
      }
    }
  }
}
