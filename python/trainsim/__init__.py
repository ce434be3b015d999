"""trainsim: simulate large-model training on GPU clusters, from Python.

The same C++ library as the ``trainsim`` command (no second implementation):
each function returns what the command's ``--json`` prints, as a typed result
whose attributes are the JSON contract's fields (docs/usage.md)::

    import trainsim
    r = trainsim.run("scenarios/gpt3-175b-1024gpu.yaml", **{"parallel.tp": 4})
    r.step_time_s, r.breakdown, r.memory_at_peak, r.per_gpu
    df = trainsim.sweep("scenarios/sweeps/llama-3-70b-512-h100.yaml", threads=8)

A scenario is a path to a scenario YAML, a dict in the YAML schema
(``{"model": "llama-2-7b", "cluster": "dgx-a100-8x-ib", "nodes": 2, ...}``;
``model`` may be a Hugging Face config.json) or YAML text. Overrides are dotted
keys, as ``--set``: ``run(s, **{"parallel.tp": 4})`` or ``run(s, set={...})``.
DeepSpeed's ds_config, Megatron-LM flags, a hostfile or torchtitan's TOML are
read as the command line reads them (``ds_config=``, ``megatron_args=``,
``hostfile=``, ``torchtitan_config=``, ``num_nodes=``, ``num_gpus=``).

Bad input raises :class:`ConfigError` (a ValueError) with the command line's
message, naming the file, line and key; a tripped guard or an internal
inconsistency raises :class:`SimulationError` (a RuntimeError). Long calls
(``sweep``, ``validate``) release the GIL, report progress through an optional
``progress(done, total)`` callback and stop at Ctrl-C (KeyboardInterrupt).
"""

from __future__ import annotations

import os as _os

from . import _core
from ._core import ConfigError, SimulationError
from ._api import advise, collective, compare, data_dir, explain_zero, mem, run, sweep, validate
from ._results import (Advice, CollectiveTable, Comparison, MemoryResult, RunResult, SweepResult, ValidationResult,
                       ZeroExplanation)

__all__ = [
    "run", "mem", "explain_zero", "collective", "validate", "sweep", "advise", "compare", "data_dir",
    "ConfigError", "SimulationError",
    "RunResult", "MemoryResult", "ZeroExplanation", "CollectiveTable", "SweepResult", "ValidationResult", "Advice",
    "Comparison",
]
__version__ = "0.1.0"


def _package_data_dirs():
    """Where an installed package finds models/, topologies/, scenarios/, data/reference/:
    beside itself (pip install: trainsim/share), or PREFIX/share/trainsim of a
    ``cmake --install`` (the package in PREFIX/lib/pythonX.Y/dist-packages/trainsim)."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    prefix = _os.path.normpath(_os.path.join(here, "..", "..", "..", ".."))
    return [_os.path.join(here, "share"), _os.path.join(prefix, "share", "trainsim")]


_core.set_package_data_dirs(_package_data_dirs())
