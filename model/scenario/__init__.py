"""A scenario: the vocabulary of quantities (`quantities`), the sections each stage reads
(`schema`), and loading YAML files with overlays into one validated `Scenario` (`load`)."""

from ..errors import OptionError, OutputError, ScenarioError
from .load import assignments, deep_merge, load_raw, load_scenario, model_digest, scenario_digest
from .quantities import Source, TableRef, TimePath, unit_words
from .schema import AVAILABLE_STAGES, Scenario

__all__ = ["AVAILABLE_STAGES", "OptionError", "OutputError", "Scenario", "ScenarioError", "Source", "TableRef",
           "TimePath", "assignments", "deep_merge", "load_raw", "load_scenario", "model_digest", "scenario_digest", "unit_words"]
