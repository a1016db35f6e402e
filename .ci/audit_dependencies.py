"""Fail on known vulnerabilities in the locked dependencies (requirements.lock).

pip-audit checks every pin against the advisories PyPI publishes for that exact release
(/pypi/NAME/VERSION/json). A PyPI mirror that serves only the project pages (/pypi/NAME/json)
makes pip-audit skip the pin rather than fail; the project page carries the advisories of the
project's latest release, so a skipped pin that is that latest release is checked there. A pin
that a newer release has overtaken cannot be checked on such a mirror: it is listed as not
audited, without failing the run, since every release anyone publishes would otherwise turn CI
red until `make lock` runs. Known advisories always fail.

Usage: python .ci/audit_dependencies.py requirements.lock
"""

import json
import re
import subprocess
import sys

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

# A dropped connection or a 5xx from the index is retried before a pin counts as not audited.
PYPI = requests.Session()
RETRIES = Retry(total=4, backoff_factor=1, status_forcelist=(500, 502, 503, 504))
PYPI.mount("https://", HTTPAdapter(max_retries=RETRIES))

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run_pip_audit(lock: str) -> list[dict]:
    command = [sys.executable, "-m", "pip_audit", "--requirement", lock, "--require-hashes"]
    command += ["--disable-pip", "--format", "json", "--progress-spinner", "off"]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if not finished.stdout.strip():
        sys.exit(f"pip-audit failed:\n{finished.stderr}")
    return json.loads(finished.stdout)["dependencies"]


def latest_release_problems(name: str, version: str) -> list[str] | None:
    """The advisories PyPI lists for `name==version` ([] if none), or None where the project
    page cannot tell because a newer release has overtaken the pin."""
    try:
        response = PYPI.get(f"https://pypi.org/pypi/{name}/json", timeout=30)
        response.raise_for_status()
    except requests.RequestException as error:
        return [f"{name} {version}: not audited ({error})"]
    project = response.json()
    latest = project["info"]["version"]
    if latest != version:
        print(f"Not audited here: {name} {version} (the project page covers {latest} only).")
        return None
    return [
        f"{name} {version}: {advisory['id']} (fixed in {', '.join(advisory['fixed_in']) or '-'})"
        for advisory in project.get("vulnerabilities") or []
        if advisory.get("withdrawn") is None
    ]


def main(lock: str) -> None:
    with open(lock, encoding="utf-8") as lock_file:
        pins = {canonical(name): version for name, version in PIN.findall(lock_file.read())}
    problems: list[str] = []
    by_release = by_project = unaudited = 0
    for dependency in run_pip_audit(lock):
        name = canonical(dependency["name"])
        if "skip_reason" in dependency:
            found = latest_release_problems(name, pins[name])
            if found is None:
                unaudited += 1
            else:
                by_project += 1
                problems += found
        else:
            by_release += 1
            problems += [
                f"{name} {dependency['version']}: {vulnerability['id']} "
                f"(fixed in {', '.join(vulnerability['fix_versions']) or '-'})"
                for vulnerability in dependency["vulns"]
            ]
    print(
        f"{len(pins)} pinned packages: pip-audit checked {by_release} against their release's "
        f"advisories; {by_project} it could not look up were checked on their project page; "
        f"{unaudited} could not be checked on this index."
    )
    if problems:
        sys.exit("Known vulnerabilities or unaudited packages:\n  " + "\n  ".join(problems))
    print("No known vulnerabilities found.")


if __name__ == "__main__":
    main(*sys.argv[1:])
