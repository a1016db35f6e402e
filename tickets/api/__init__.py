"""REST API of the tickets app: passes, orders, tickets, check-in and Stripe's webhook."""
