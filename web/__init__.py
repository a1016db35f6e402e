"""The public site: events, agenda, speakers, passes, checkout and orders, server-rendered."""
