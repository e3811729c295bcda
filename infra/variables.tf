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
