"""REST API of the events app: published events with their stages."""
