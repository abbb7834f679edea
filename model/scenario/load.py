"""Scenario files: YAML in, a frozen, fully validated `Scenario` out.

A scenario is validated whole before any stage runs. Every error is one line naming the
file, the dotted key, the offending value and what is allowed, e.g.::

    configs/bad.yaml: population.fertility.tfr.values: -1 in 2020 is out of range; allowed 0 to 10

Features (see DESIGN.md, "Scenario files"):

* ``extends: PATH`` overlays this file on another (deep merge of mappings; lists and
  scalars replace). Paths are relative to the file that names them. A scenario's `name` is
  its own file's, never inherited.
* Time paths: a number, a mapping ``{year: value}``, or ``{values: …, interpolation:
  linear|step, unit: …, source: …}``. A path an overlay gives replaces the base's path, and
  keeps its unit and source (marked as changed by the overlay) unless it gives its own.
* Table paths (any key named ``table``) are relative to the file that names them.
* Unknown keys are refused with a "did you mean" suggestion; duplicate keys, aliases that
  expand past `MAX_YAML_NODES` values and files over `MAX_SCENARIO_BYTES` are refused.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import OptionError, ScenarioError
from .quantities import Source, plain
from .schema import Outputs, Scenario, check_folder_name

MAX_SCENARIO_BYTES = 1_000_000   # a scenario is a page of settings; tables live in CSV files
MAX_YAML_NODES = 100_000         # nodes after aliases are expanded ("billion laughs" bombs)


# YAML's safe loader, in C where PyYAML was built with libyaml (about 7× faster).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(handle) -> Any:
    """The YAML document in `handle`, refusing what a scenario never needs and a careless or
    hostile file may hold: duplicate keys (``2020`` and ``"2020"`` count as the same year) and
    aliases that expand to more than `MAX_YAML_NODES` nodes. The node tree is checked before
    any of it is turned into Python objects."""
    loader = _SafeLoader(handle)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, {})
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_nodes(node, sizes: dict) -> int:
    """Nodes under `node` with every alias expanded (memoised by node, so one pass over the
    file), refusing duplicate keys on the way."""
    if id(node) in sizes:
        return sizes[id(node)]
    sizes[id(node)] = 1  # a recursive alias counts once
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if key.tag == "tag:yaml.org,2002:merge" or not isinstance(key, yaml.ScalarNode):
                continue  # `<<: *defaults`: explicit keys may override merged ones
            line = key.start_mark.line + 1
            if key.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key.value!r} (lines {seen[key.value]} and {line}); give each key once",
                    key.start_mark)
            seen[key.value] = line
        children = [part for pair in node.value for part in pair]
    else:
        children = node.value if isinstance(node, yaml.SequenceNode) else []
    sizes[id(node)] = 1 + sum(_check_nodes(child, sizes) for child in children)
    if sizes[id(node)] > MAX_YAML_NODES:
        raise yaml.composer.ComposerError(
            None, None, f"the file expands to more than {MAX_YAML_NODES:,} values (aliases repeated "
            "within aliases); write the settings out", node.start_mark)
    return sizes[id(node)]


def _read_yaml(path: Path) -> dict:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{path}: {size:,} bytes is too large for a scenario file (at most "
                                f"{MAX_SCENARIO_BYTES:,}); put tables in CSV files named by `table:` keys")
        with open(path, encoding="utf-8") as handle:
            data = _parse(handle)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a scenario file") from None
    except PermissionError:
        raise ScenarioError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ScenarioError(f"{path}: {problem}{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: the top level must be a mapping of keys, not {type(data).__name__}")
    return data


def _resolve_tables(data: Any, folder: Path) -> Any:
    """Make every `table` path absolute, relative to the folder of the file that names it."""
    if isinstance(data, dict):
        resolved = {}
        for key, value in data.items():
            if key == "table" and isinstance(value, str):
                resolved[key] = str((folder / value).resolve())
            elif key == "table" and isinstance(value, dict) and isinstance(value.get("path"), str):
                resolved[key] = {**value, "path": str((folder / value["path"]).resolve())}
            else:
                resolved[key] = _resolve_tables(value, folder)
        return resolved
    return data


def _is_time_path(value: Any) -> bool:
    """A mapping an overlay gives as a whole time path: `{values: …}` or keys that look like
    years (also ones that are not valid years, such as 2020.5, so they are reported, not merged)."""
    return isinstance(value, dict) and ("values" in value or any(_looks_numeric(k) for k in value))


def _looks_numeric(key: Any) -> bool:
    if isinstance(key, bool):
        return False
    if isinstance(key, (int, float)):
        return True
    return isinstance(key, str) and (key.isdigit() or re.fullmatch(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?", key) is not None)


def deep_merge(base: dict, overlay: dict, changed_by: str | None = None) -> dict:
    """Overlay mappings recursively; lists, scalars, time paths and empty mappings in
    `overlay` replace those in `base` (``{}`` clears a mapping). A time path that replaces
    another keeps its unit and source unless it gives its own; the kept source records the
    file that changed the value (`changed_by`). `_drop_replaced` prepares `base` for the few
    exceptions."""
    merged = dict(base)
    for key, value in overlay.items():
        old = merged.get(key)
        if isinstance(value, dict) and value and isinstance(old, dict) and not _is_time_path(value):
            merged[key] = deep_merge(old, value, changed_by)
        elif _is_time_path(old) and "values" in old and (_is_time_path(value) or _is_number(value)):
            merged[key] = _replaced_path(old, value, changed_by)
        else:
            merged[key] = value
    return merged


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _replaced_path(old: dict, new: Any, changed_by: str | None) -> dict:
    """The path `new` (a number, {year: value} or {values: …}) with the unit and source of the
    path it replaces where it gives none."""
    new = dict(new) if isinstance(new, dict) and "values" in new else {"values": new}
    if new.get("unit") is None and old.get("unit") is not None:
        new["unit"] = old["unit"]
    if new.get("source") is None and old.get("source") is not None:
        try:
            source = Source.model_validate(old["source"]).model_dump(exclude_none=True)
        except ValidationError:
            source = None  # the old source was itself wrong: validation reports it where it was given
        if source is not None:
            new["source"] = {**source, "changed_by": changed_by} if changed_by else source
    return new


# Inputs of a section that exclude each other: when an overlay gives one group, the base's
# other groups are dropped, so `extends` works without explicit nulls.
_ALTERNATIVES = {
    ("population", "base"): (("table",), ("census_region", "total", "shares", "reference_region")),
    ("population", "mortality"): (("table",), ("e0", "female_male_gap")),
    ("population", "fertility"): (("table",), ("tfr",)),
    ("population", "migration"): (("table",), ("net",), ("rate",)),
}
# What belongs to the region of a scenario: an overlay naming another census region drops them.
_REGIONAL = {"population.base": ("total", "shares"), "population": ("year_end",), "": ("region", "region_en", "title")}


def _drop_replaced(base: dict, overlay: dict) -> dict:
    """Copy of `base` without the inputs that `overlay` replaces by their alternative."""
    base = json.loads(json.dumps(base))  # deep copy of plain YAML data
    for (outer, inner), groups in _ALTERNATIVES.items():
        new = overlay.get(outer, {}).get(inner) if isinstance(overlay.get(outer), dict) else None
        old = base.get(outer, {}).get(inner) if isinstance(base.get(outer), dict) else None
        if not isinstance(new, dict) or not isinstance(old, dict):
            continue
        if inner == "base" and overlay.get("region") not in (None, base.get("region")) \
                and "census_region" not in new and "table" not in new:
            # Another region known by totals and shares alone: the old region's census is not its own.
            for key in ("census_region", "reference_region"):
                old.pop(key, None)
            for key in ("students", *_REGIONAL["population"]):
                if key not in overlay.get("population", {}):
                    base[outer].pop(key, None)
        if inner == "base" and new.get("census_region") not in (None, old.get("census_region")):
            for key in _REGIONAL["population.base"]:
                old.pop(key, None)  # targets belong to the region they were given for …
            for key in _REGIONAL["population"]:
                if key not in overlay.get("population", {}):
                    base["population"].pop(key, None)  # … and so do its published year-ends …
            for key in _REGIONAL[""]:
                if key not in overlay:
                    base.pop(key, None)  # … and so do its name and title
        for group in groups:
            if any(new.get(key) is not None for key in group):
                for other in groups:
                    if other is not group:
                        for key in other:
                            old.pop(key, None)
        if inner == "base" and new.get("table") is not None:
            base[outer].pop("students", None)  # the student stock is estimated from census groups
    # The care mixes to test are a list of experiments: an overlay that names mixes tests those.
    if isinstance(overlay.get("abm"), dict) and "mixes" in overlay["abm"] and isinstance(base.get("abm"), dict):
        base["abm"].pop("mixes", None)
    return base


def load_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict:
    """Read a scenario file and everything it extends, merged, with table paths resolved."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " → ".join(str(p) for p in (*_chain, path))
        raise ScenarioError(f"{path}: extends: forms a cycle ({cycle})")
    data = _resolve_tables(_read_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: {parent!r} must be a path to another scenario file")
    inherited = load_raw(path.parent / parent, (*_chain, path))
    inherited.pop("name", None)  # a name belongs to its file: an overlay is named by its own
    return deep_merge(_drop_replaced(inherited, data), data, changed_by=path.name)


def assignments(items: tuple[str, ...] | list[str]) -> dict:
    """The nested overrides of `--set KEY=VALUE` items: a dotted key into the scenario and a
    value read as YAML (32000, 1.0, [pension, care], {2020: 0.4, 2030: 0.5}); validated later
    exactly like the scenario file. Raises OptionError for an item that is not KEY=VALUE."""
    nested: dict = {}
    for item in items:
        key, equals, text = item.partition("=")
        parts = key.strip().split(".")
        if not equals or not all(re.fullmatch(r"[A-Za-z0-9_]+", part) for part in parts):
            raise OptionError("set", item, "give KEY=VALUE with a dotted key, such as care.beds=32000")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            raise OptionError("set", item, "the value is not a number, word, list or mapping") from None
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise OptionError("set", item, f"{part} is given a value and keys at once")
        node[parts[-1]] = value
    return nested


def load_scenario(path: str | Path, overrides: dict | None = None) -> Scenario:
    """Load, merge and validate a scenario; raise ScenarioError (one line per problem).

    The scenario's `name` is its file's own ``name:``, never one inherited through `extends`;
    without one it is the file's stem (``configs/scenarios/care_9064.yaml`` → care_9064)."""
    data = load_raw(Path(path))
    if overrides:
        data = deep_merge(_drop_replaced(data, overrides), overrides, changed_by="the command line")
    if "name" not in data:
        stem = Path(path).stem
        try:
            data["name"] = check_folder_name(stem)
        except ValueError:
            raise ScenarioError(f"{path}: name: the file name {stem!r} cannot name an output folder; "
                                "give the scenario a name: (letters, digits, spaces, _ . -)") from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(*(f"{path}: {line}" for line in describe_validation_error(exc, data))) from None
    from ..localise import localise  # reads the census: only once the scenario is valid

    try:
        return localise(scenario)
    except ScenarioError as exc:
        raise ScenarioError(*(line if line.startswith(str(path)) else f"{path}: {line}" for line in exc.problems)) from None


MAX_PROBLEMS_SHOWN = 6


def describe_validation_error(exc: ValidationError, data: dict) -> list[str]:
    """One line per problem (at most `MAX_PROBLEMS_SHOWN`, then a count of the rest): dotted
    key, value, what is allowed. Pydantic reports a value that fits no branch of a union once
    per branch; those are merged into the most telling one."""
    by_key: dict[str, list[dict]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(str(part) for part in error["loc"] if not _is_union_tag(part))
        by_key.setdefault(".".join(loc), []).append({**error, "loc": loc})
    chosen = [_most_specific(errors) for errors in by_key.values()]
    # A time path given as {year: value} fails as `{values: …}` too ("values: required"):
    # keep the problem with the given keys, not the branch that was not meant.
    keys = [".".join(error["loc"]) for error in chosen]
    chosen = [error for error, key in zip(chosen, keys)
              if not (error["type"] == "missing" and error["loc"][-1:] == ("values",)
                      and any(other.startswith(key.rsplit(".", 1)[0] + ".") and other != key for other in keys))]
    lines = [_describe(error) for error in chosen]
    if len(lines) > MAX_PROBLEMS_SHOWN:
        rest = len(lines) - MAX_PROBLEMS_SHOWN + 1
        lines = lines[:MAX_PROBLEMS_SHOWN - 1] + [f"… and {rest} more problems (fix these first)"]
    return lines


def _describe(error: dict) -> str:
    loc = list(error["loc"])
    key = ".".join(loc) or "(top level)"
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(Scenario, loc[:-1])
        guess = difflib.get_close_matches(loc[-1], allowed, n=1)
        hint = f"did you mean {guess[0]!r}?" if guess else f"allowed keys: {', '.join(allowed) or '(none)'}"
        return f"{key}: unknown key; {hint}"
    if kind == "missing":
        return f"{key}: required key is missing"
    if isinstance(value, bool) and kind.endswith(("_type", "_parsing")):
        return f"{key}: {value} is not a number; give a number"
    if kind == "invalid_key":
        return f"{key}: {plain(value)} is not a valid key"
    text = error["msg"].removeprefix("Value error, ")
    shown = "" if isinstance(value, (dict, list)) or "input" not in error else f"{value!r}: "
    if text.startswith(repr(value)) or text.startswith(plain(value)):
        shown = ""
    return f"{key}: {shown}{text}"


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or part in {"float", "int", "dict[int,float]"})


def _most_specific(errors: list[dict]) -> dict:
    """Prefer unknown keys and value errors over union-branch type noise."""
    for wanted in ("extra_forbidden", "value_error", "missing"):
        for error in errors:
            if error["type"] == wanted:
                return error
    return errors[0]


def _allowed_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    """Field names of the model at a dotted location (best effort, for suggestions); a mapping
    such as ``care.mix`` is stepped through by its key (``severe``) to the model of its values."""
    current: Any = model
    for part in loc:
        found = _model_or_mapping(current)
        if found is None:
            return []
        kind, inner = found
        if kind == "mapping":
            current = inner
        elif part in inner.model_fields:
            current = inner.model_fields[part].annotation
        else:
            return []
    found = _model_or_mapping(current)
    return list(found[1].model_fields) if found and found[0] == "model" else []


def _model_or_mapping(annotation: Any) -> tuple[str, Any] | None:
    """("model", the class) or ("mapping", the value annotation) for an annotation, looking
    inside Optional and Union; None for anything else."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    if getattr(annotation, "__origin__", None) is dict:
        return "mapping", annotation.__args__[1]
    for arg in getattr(annotation, "__args__", ()):
        found = _model_or_mapping(arg)
        if found is not None:
            return found
    return None


def scenario_digest(scenario: Scenario) -> tuple[dict, str]:
    """The resolved scenario as plain JSON data, and its SHA-256 (of canonical JSON)."""
    resolved = scenario.model_dump(mode="json")
    canonical = json.dumps(resolved, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return resolved, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def model_digest(scenario: Scenario) -> str:
    """SHA-256 of what determines the numbers: the scenario without its presentation
    (outputs, title, description). Two runs with the same digest and version agree."""
    numbers = scenario.model_copy(update={"outputs": Outputs(), "title": None, "description": None})
    return scenario_digest(numbers)[1]


def overlaid(scenario: Scenario, changes: dict) -> Scenario:
    """The scenario with `changes` merged in as an overlay would be (validated whole again):
    how experiments (sensitivity, solver, sweeps) make their variants of a loaded scenario."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data = deep_merge(_drop_replaced(data, changes), changes)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(*describe_validation_error(exc, data)) from None
