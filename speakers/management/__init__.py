"""Management commands of the speakers app."""
