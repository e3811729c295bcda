variable "project_id" {
  description = "Google Cloud project that runs Governor."
  type        = string
}

variable "region" {
  description = "Region of the functions."
  type        = string
  default     = "us-central1"
}

variable "source_bucket" {
  description = "Bucket holding the functions' source archive (zip of package.json, package-lock.json and dist/)."
  type        = string
}

variable "source_object" {
  description = "Object name of the source archive in source_bucket."
  type        = string
}

variable "billing_account_id" {
  description = "Billing account whose budget notifications Governor counts (optional; empty disables the Cloud Billing budget below)."
  type        = string
  default     = ""
}

variable "billing_budget_usd" {
  description = "Monthly amount of the Cloud Billing budget that notifies Governor."
  type        = number
  default     = 250
}

variable "agent_service_accounts" {
  description = "Service account emails of the agents: they may publish events and read throttle flags."
  type        = list(string)
  default     = []
}

variable "rotated_secrets" {
  description = "API-key secrets Governor rotates, with their settings (mirrored in governor_config/key_rotation; `governor keys configure` sets that side)."
  type = map(object({
    period_hours = number
    grace_hours  = number
    retention    = number
  }))
  default = {}
}
