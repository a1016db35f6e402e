"""Accounts for the site and the apps, through django-allauth (web pages and headless API)."""
