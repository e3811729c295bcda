# Semantic reuse of AI answers (shared/cache/semantic/firestore-vector-index.ts): prompt vectors in
# governor_cache_vectors, searched with findNearest pre-filtered on the partition (model, system
# prompt, sampling parameters, tenant, embedder and the prompt's numbers/negations/names).
locals {
  cache_vectors_collection = "governor_cache_vectors"
  # FIRESTORE_VECTOR_DIMENSIONS: Gemini embeddings requested at 768 dimensions, and the offline embedder's default.
  cache_vector_dimensions = 768
}

resource "google_firestore_index" "cache_vectors_nearest" {
  database   = "(default)"
  collection = local.cache_vectors_collection
  fields {
    field_path = "partition"
    order      = "ASCENDING"
  }
  fields {
    field_path = "embedding"
    vector_config {
      dimension = local.cache_vector_dimensions
      flat {}
    }
  }
}

# A vector lapses with its answer (the answer's L2 expiry).
resource "google_firestore_field" "cache_vectors_ttl" {
  database   = "(default)"
  collection = local.cache_vectors_collection
  field      = "expireAt"
  ttl_config {}
  index_config {}
}
