"""The systemd units in deploy/systemd are valid and keep every process running."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALL_ROOT = "/opt/kzo"  # where docs/production.md installs the project


@pytest.fixture
def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        reason = "systemd-analyze is not installed (Debian package `systemd`; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def installed_copy(tmp_path: Path) -> list[Path]:
    """The units as installed, with this checkout standing in for the install folder, so
    that `verify` finds the executables they start."""
    copies = []
    for unit in sorted(UNITS.iterdir()):
        target = tmp_path / unit.name
        target.write_text(unit.read_text().replace(INSTALL_ROOT, str(ROOT)))
        copies.append(target)
    return copies


def test_units_pass_systemd_analyze_verify_without_a_warning(systemd_analyze, tmp_path):
    units = installed_copy(tmp_path)
    assert {unit.name for unit in units} == {
        "kzo-web.service",
        "kzo-worker.service",
        "kzo-beat.service",
        "kzo.target",
    }
    result = subprocess.run(
        [systemd_analyze, "verify", *map(str, units)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_verify_catches_a_unit_whose_program_is_missing(systemd_analyze, tmp_path):
    broken = tmp_path / "kzo-web.service"
    broken.write_text((UNITS / "kzo-web.service").read_text())  # /opt/kzo does not exist here
    result = subprocess.run(
        [systemd_analyze, "verify", str(broken)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "not executable" in result.stderr


@pytest.mark.parametrize("name", ["kzo-web", "kzo-worker", "kzo-beat"])
def test_each_process_is_restarted_when_it_dies_and_runs_with_production_settings(name):
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(UNITS / f"{name}.service")
    assert unit["Service"]["Restart"] == "always"
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in unit["Service"]["Environment"]
    assert unit["Service"]["ExecStart"].startswith(f"{INSTALL_ROOT}/.venv/bin/")
    assert unit["Install"]["WantedBy"] == "kzo.target"
