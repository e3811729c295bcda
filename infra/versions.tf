terraform {
  required_version = ">= 1.5"
  required_providers {
    # The 6.x releases from 6.50 on: every argument here is checked against 6.50's schema
    # (test/infra/provider-schema-infra.test.ts, from @cdktf/provider-google's bindings).
    google = {
      source  = "hashicorp/google"
      version = "~> 6.50"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
