# TTL policies: documents carrying `expireAt` are deleted by Firestore after that time.
locals {
  ttl_collections = ["governor_cost_events"]
}

resource "google_firestore_field" "ttl" {
  for_each   = toset(local.ttl_collections)
  database   = "(default)"
  collection = each.value
  field      = "expireAt"
  ttl_config {}
  # A TTL field needs no single-field index; exempting it saves index writes.
  index_config {}
}

# The ledger keeps each event as one JSON string that nothing queries: exempting it from indexing
# saves an index entry per write.
resource "google_firestore_field" "ledger_event_unindexed" {
  database   = "(default)"
  collection = "governor_cost_events"
  field      = "event"
  index_config {}
}
