"""Speakers, their organizations, event lineups and who speaks in which session."""
