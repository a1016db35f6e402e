"""Passes, orders, payments, tickets and check-in."""
