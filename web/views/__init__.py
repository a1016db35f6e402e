"""Views of the public site, one module per group of pages."""
