"""Events, their stages, the agenda of sessions, and topic tags."""
