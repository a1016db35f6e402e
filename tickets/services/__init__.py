"""Writes of the tickets app, one module per flow: ordering, payment, fulfilment, refunds."""
