"""The data-rights API: export, consents, erasure of the signed-in person."""
