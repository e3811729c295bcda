# Hard budgets (README "Hard budgets"): agents lease allowance in transactions on
# governor_allowance_shards and, to reap a crashed agent's lease, read its ledger entries. That
# needs read/write on Firestore for the agents that use a spend guard; other agents keep
# datastore.viewer (iam.tf). Firestore IAM cannot narrow this to one collection.
variable "hard_budget_agent_service_accounts" {
  description = "Service accounts of agents that spend hard budgets through a spend guard (Firestore read/write)."
  type        = list(string)
  default     = []
}

resource "google_project_iam_member" "hard_budget_agent" {
  for_each = toset(var.hard_budget_agent_service_accounts)
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${each.value}"
}
