# Alert email: the SMTP server and recipients of alert-notifier and alert-digest. The password
# lives in Secret Manager; add its value once with
#   printf %s "$SMTP_PASSWORD" | gcloud secrets versions add governor-smtp-password --data-file=-
# Routes by severity and category are Firestore config (`governor alerts routing set`); these
# variables give the default route.

variable "smtp_host" {
  description = "SMTP server alert email is sent through (e.g. smtp.sendgrid.net)."
  type        = string
  default     = ""
}

variable "smtp_port" {
  description = "SMTP port: 587 (STARTTLS) or 465 (implicit TLS)."
  type        = number
  default     = 587
}

variable "smtp_user" {
  description = "SMTP login; its password is the governor-smtp-password secret."
  type        = string
  default     = ""
}

variable "alert_email_to" {
  description = "Comma-separated recipients of the default alert route."
  type        = string
  default     = ""
}

variable "alert_email_from" {
  description = "Sender address of alert email."
  type        = string
  default     = ""
}

resource "google_secret_manager_secret" "smtp_password" {
  secret_id = "governor-smtp-password"
  labels    = { managed-by = "governor" }

  replication {
    auto {}
  }
}

locals {
  alert_senders = toset(["alert-notifier", "alert-digest"])

  smtp_env = {
    SMTP_HOST                 = var.smtp_host
    SMTP_PORT                 = tostring(var.smtp_port)
    SMTP_USER                 = var.smtp_user
    SMTP_PASSWORD_SECRET      = var.smtp_user == "" ? "" : google_secret_manager_secret.smtp_password.secret_id
    SMTP_REQUIRE_TLS          = var.smtp_port == 465 ? "false" : "true"
    GOVERNOR_ALERT_EMAIL_TO   = var.alert_email_to
    GOVERNOR_ALERT_EMAIL_FROM = var.alert_email_from
  }

  # Extra environment per function (merged in functions.tf).
  function_env = { for name in local.alert_senders : name => local.smtp_env }
}

# Only the two senders may read the SMTP password.
resource "google_secret_manager_secret_iam_member" "smtp_password_accessor" {
  for_each  = local.alert_senders
  secret_id = google_secret_manager_secret.smtp_password.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.key].email}"
}

# The digest tick dead-letters undeliverable alerts onto the alerts dead-letter topic (the
# notifier's own, which function_dead_letter in iam.tf already grants it).
resource "google_pubsub_topic_iam_member" "digest_alerts_dead_letter" {
  topic  = google_pubsub_topic.dead_letter["alerts"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.function["alert-digest"].email}"
}
