"""Write a run's tables and manifest into its output folder, atomically.

Files go into a temporary folder beside the target, which is renamed into place only when
everything was written; a failed run leaves the previous results untouched.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from .config import scenario_digest
from .runner import RunResult

# Output precision: twelve significant digits keep even national totals exact to 0.001 person.
FLOAT_FORMAT = "%.12g"


def package_versions() -> dict[str, str]:
    """Versions of silverplan, Python and the scientific stack (without importing them)."""
    versions = {"python": platform.python_version()}
    for name in ("silverplan", "numpy", "pandas", "mesa", "pydantic", "statsmodels", "matplotlib"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def definitions(result: RunResult) -> dict:
    """How to read the run: the care severity definition; how ABM replicates were seeded."""
    scenario = result.scenario
    found = {}
    if scenario.care:
        found["care_severity"] = scenario.care.definition
    if "abm" in result.tables:
        found["abm_replicate_seed"] = ("numpy SeedSequence([seed, position of the mix in abm.mixes from 0, "
                                       "replicate from 0]).generate_state(1)")
        found["abm_scale"] = f"one agent per {scenario.abm.scale} person(s); counts scaled back to persons"
    return found


def build_manifest(result: RunResult, scenario_file: str, started: datetime, files: list[str]) -> dict:
    resolved, digest = scenario_digest(result.scenario)
    finished = datetime.now(timezone.utc)
    return {
        "scenario": result.scenario.name,
        "scenario_file": scenario_file,
        "config_sha256": digest,
        "config": resolved,
        "seed": result.scenario.seed,
        "versions": package_versions(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "runtime_seconds": round((finished - started).total_seconds(), 3),
        "stage_seconds": {k: round(v, 4) for k, v in result.timings.items()},
        "definitions": definitions(result),
        "warnings": result.warnings,
        "files": sorted(files + ["manifest.json"]),
    }


def write_run(result: RunResult, target: Path, scenario_file: str, started: datetime) -> Path:
    """Write all tables and the manifest to `target`, replacing an earlier run only on success."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
        files = []
        for name, table in result.tables.items():
            table.to_csv(staging / f"{name}.csv", index=False, float_format=FLOAT_FORMAT)
            files.append(f"{name}.csv")
        manifest = build_manifest(result, scenario_file, started, files)
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename `staging` to `target`; an existing `target` is moved aside first, then removed."""
    retired = None
    if target.exists():
        retired = target.parent / f".{target.name}.old-{os.getpid()}"
        os.replace(target, retired)
    try:
        os.replace(staging, target)
    except OSError:
        if retired is not None:
            os.replace(retired, target)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
