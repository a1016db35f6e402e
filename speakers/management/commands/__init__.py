"""Management commands of the speakers app: `manage.py import_speakers`…"""
