"""REST API of the agenda: sessions with their speakers, lineups, personal agendas, exports."""
