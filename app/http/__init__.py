"""Everything Flask: the JSON API, the web UI, errors, metrics, security headers."""
