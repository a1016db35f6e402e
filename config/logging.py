"""Logging for every settings module: one stream handler that never writes database error text.

PostgreSQL's error messages quote the data they refused ("DETAIL: Failing row contains (…,
ada@example.com, …)"), and Django logs a view's unhandled exception with its message and the
messages of the exceptions it was raised from. The handler keeps the traceback and the error
class and SQLSTATE, which are what an operator needs, and withholds the message.
"""

import logging

from django.db import DatabaseError


class WithholdDatabaseErrorText(logging.Filter):
    """Replace a logged database exception by one of the same class without its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DatabaseError):
            exc_type, error, traceback = record.exc_info
            cause = error.__cause__ or error
            sqlstate = getattr(cause, "sqlstate", None) or "unknown"
            withheld = exc_type(f"SQLSTATE {sqlstate}; message withheld, it may quote row data")
            record.exc_info = (exc_type, withheld, traceback)
            record.exc_text = None
        return True


def logging_config(*, level: str, handler: dict) -> dict:
    """A dictConfig sending every record, Django's own included, through `handler`.

    Django's default "django" logger writes to a console handler of its own, which would
    bypass the filter; here it only propagates to the root.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"withhold_database_error_text": {"()": WithholdDatabaseErrorText}},
        "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "default": {
                **handler,
                "formatter": "line",
                "filters": ["withhold_database_error_text"],
            }
        },
        "loggers": {"django": {"handlers": [], "level": level, "propagate": True}},
        "root": {"handlers": ["default"], "level": level},
    }
