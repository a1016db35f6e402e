"""Passes, orders, payments, tickets and check-in (models arrive with the sales work)."""
