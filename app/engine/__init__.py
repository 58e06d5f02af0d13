"""The job engine: JobServer and the parts it owns. Never imports Flask."""
