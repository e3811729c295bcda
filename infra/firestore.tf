# TTL policies: documents carrying `expireAt` are deleted by Firestore after that time.
# governor_allowance_shards: only scoped budget instances' allowance carries it (35 days after its
# window ends); the fleet's monthly allowance documents have none and are kept.
locals {
  ttl_collections = ["governor_cost_events", "governor_metric_buckets", "governor_security_strikes", "governor_security_audit", "governor_bans", "governor_alert_deliveries", "governor_scope_spend", "governor_allowance_shards", "governor_burn_minutes"]
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

# Window queries over metric buckets: metric == ?, resolution == ?, bucketStart in a range.
resource "google_firestore_index" "metric_buckets_window" {
  database   = "(default)"
  collection = "governor_metric_buckets"
  fields {
    field_path = "metric"
    order      = "ASCENDING"
  }
  fields {
    field_path = "resolution"
    order      = "ASCENDING"
  }
  fields {
    field_path = "bucketStart"
    order      = "ASCENDING"
  }
}

# The serialized sketch and the merged event-id hashes are never queried: no index entries.
resource "google_firestore_field" "metric_bucket_unindexed" {
  for_each   = toset(["sketch", "seenIds"])
  database   = "(default)"
  collection = "governor_metric_buckets"
  field      = each.value
  index_config {}
}

# fail2ban's find window: a subject's strike slices since a time.
resource "google_firestore_index" "security_strikes_window" {
  database   = "(default)"
  collection = "governor_security_strikes"
  fields {
    field_path = "subjectType"
    order      = "ASCENDING"
  }
  fields {
    field_path = "subject"
    order      = "ASCENDING"
  }
  fields {
    field_path = "sliceStart"
    order      = "ASCENDING"
  }
}

# An alert route's queue, oldest first (the digest), and the CLI's recent deliveries by status.
resource "google_firestore_index" "alert_deliveries_queue" {
  database   = "(default)"
  collection = "governor_alert_deliveries"
  fields {
    field_path = "routeId"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "queuedAt"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "alert_deliveries_by_status" {
  database   = "(default)"
  collection = "governor_alert_deliveries"
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "queuedAt"
    order      = "DESCENDING"
  }
}

# The alert a delivery carries is read whole, never queried.
resource "google_firestore_field" "alert_delivery_unindexed" {
  database   = "(default)"
  collection = "governor_alert_deliveries"
  field      = "alert"
  index_config {}
}

# Scoped budgets' counters are summed by aggregation queries on `counter` (a single-field index);
# the summed fields and the window bounds are never filtered on: no index entries per increment.
resource "google_firestore_field" "scope_spend_unindexed" {
  for_each   = toset(["spentMicros", "events", "windowStart", "windowEnd", "shard"])
  database   = "(default)"
  collection = "governor_scope_spend"
  field      = each.value
  index_config {}
}

# The dashboard's fleet spend-over-time: the ledger's entries of a month, summed per UTC day.
resource "google_firestore_index" "ledger_period_recorded" {
  database   = "(default)"
  collection = "governor_cost_events"
  fields {
    field_path = "period"
    order      = "ASCENDING"
  }
  fields {
    field_path = "recordedAt"
    order      = "ASCENDING"
  }
}
