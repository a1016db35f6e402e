"""Project-wide REST API plumbing: errors, pagination, authentication, throttling, caching."""
