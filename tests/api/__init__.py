"""Tests of the REST API (/api/v1/): personal agenda, tokens, privacy, errors and limits."""
