"""Without a browser, the browser tests skip and name the missing path, unless CI requires them.

Runs pytest on tests/browser/ in a subprocess with CHROMIUM_PATH at a path that does not exist
(on SQLite in a temporary directory, so it never meets this run's test database).
"""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
MISSING = "/nonexistent/chromium"


def run_browser_tests(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "GREENROOM_REQUIRE_BROWSER", "CHROMIUM_PATH"}
    }
    env.update(
        CHROMIUM_PATH=MISSING,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        GREENROOM_VAR_DIR=str(tmp_path),
        **extra,
    )
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "-q"]
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [*pytest, "tests/browser/test_signup.py"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_browser_tests_skip_naming_the_missing_browser(tmp_path):
    result = run_browser_tests(tmp_path)

    assert result.returncode == 0, result.stdout
    assert f"no browser at {MISSING}" in result.stdout
    assert "2 skipped" in result.stdout


def test_browser_tests_fail_without_a_browser_when_required(tmp_path):
    result = run_browser_tests(tmp_path, GREENROOM_REQUIRE_BROWSER="1")

    assert result.returncode == 1, result.stdout
    assert f"GREENROOM_REQUIRE_BROWSER=1 but no browser at {MISSING}" in result.stdout
    assert "2 errors" in result.stdout
