"""The programme: sessions arranged as an agenda, its exports and sync, personal agendas."""
