"""The functions of the trainsim package: each reads its input as the command
line does and calls the library through trainsim._core (python/bindings.cpp)."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _core
from ._results import (Advice, CollectiveTable, Comparison, MemoryResult, RunResult, SweepResult, ValidationResult,
                       ZeroExplanation, _csv_frame, _have_pandas, _parse_csv)


Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any]]
Progress = Callable[[int, int], Any]

_IMPORT_OPTIONS = ("ds_config", "megatron_args", "hostfile", "torchtitan_config", "num_nodes", "num_gpus")


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return os.cpu_count() or 1
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ValueError(f"threads: {threads!r} is not a whole number >= 1")
    return threads


def _value_text(value: Any) -> str:
    """A Python value as the text of --set key=value (YAML scalars; lists as YAML flow)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    raise TypeError(f"override value {value!r}: give a number, string, bool, list or dict")


def _yaml_lines(value: Any, indent: str) -> List[str]:
    """Block YAML of a dict (one key a line, so errors name the line); scalars as JSON (valid YAML)."""
    lines: List[str] = []
    for key, v in value.items():
        if not isinstance(key, str):
            raise TypeError(f"scenario key {key!r}: keys are strings")
        if isinstance(v, Mapping):
            lines.append(f"{indent}{key}:")
            lines.extend(_yaml_lines(v, indent + "  "))
        elif isinstance(v, bool):
            lines.append(f"{indent}{key}: {'true' if v else 'false'}")
        else:
            lines.append(f"{indent}{key}: {json.dumps(v)}")
    return lines


def _overrides(set: Optional[Mapping[str, Any]], overrides: Mapping[str, Any]) -> List[str]:
    sets: List[str] = []
    for source in (set or {}, overrides):
        for key, value in source.items():
            sets.append(f"{key}={_value_text(value)}")
    return sets


def _scenario(scenario: Scenario, set: Optional[Mapping[str, Any]], overrides: Dict[str, Any]):
    """The scenario as the library reads it: a file, YAML text or a dict; import options
    are taken out of `overrides`, the rest are --set overrides."""
    imports = {k: overrides.pop(k) for k in _IMPORT_OPTIONS if overrides.get(k) is not None}
    for k in _IMPORT_OPTIONS:
        overrides.pop(k, None)
    for k in ("ds_config", "megatron_args", "hostfile", "torchtitan_config"):
        if k in imports:
            imports[k] = os.fspath(imports[k]) if k != "megatron_args" else str(imports[k])
    sets = _overrides(set, overrides)
    if isinstance(scenario, Mapping):
        text = "\n".join(_yaml_lines(scenario, "")) + "\n"
        return _core.scenario_input("", text, "<dict>", sets, imports)
    if isinstance(scenario, os.PathLike):
        scenario = os.fspath(scenario)
    if not isinstance(scenario, str):
        raise TypeError(f"scenario: {type(scenario).__name__}; give a path, a dict or YAML text")
    if "\n" not in scenario and (os.path.exists(scenario) or scenario.endswith((".yaml", ".yml"))):
        return _core.scenario_input(scenario, "", "", sets, imports)
    return _core.scenario_input("", scenario, "<string>", sets, imports)


def run(scenario: Scenario, *, set: Optional[Mapping[str, Any]] = None, full: bool = False,
        max_events: Optional[float] = None, timeout: Optional[float] = None, trace: Optional[str] = None,
        **overrides: Any) -> RunResult:
    """Simulate one training step of `scenario` (``trainsim run --json``).

    scenario: a scenario YAML path, a dict in the YAML schema, or YAML text.
    set / **overrides: dotted keys, e.g. ``run(s, **{"parallel.tp": 4})``.
    ds_config=, megatron_args=, hostfile=, torchtitan_config=, num_nodes=,
    num_gpus=: read as the command line's --ds-config, --megatron-args, ...
    full: simulate every GPU instead of one per pipeline stage.
    max_events, timeout: the engine's guards (SimulationError when they trip).
    trace: write the Chrome/Perfetto trace of the simulated GPUs to this file.

    Returns a RunResult: step_time_s, tokens_per_s, mfu, breakdown (seconds by
    term, summing to step_time_s), peak_memory_bytes, memory_at_peak (bytes by
    term), fits, per_gpu (one dict per rank), ... and every other field of
    summary.json (``to_dict()``)."""
    s = _scenario(scenario, set, overrides)
    out = _core.run(s, full, float(max_events or 0), float(timeout or 0), trace is not None)
    if trace is not None:
        with open(trace, "w", encoding="utf-8") as f:
            f.write(out["trace"])
    return RunResult(json.loads(out["json"]), _parse_csv(out["per_gpu_csv"]), list(out["warnings"]))


def mem(scenario: Scenario, *, set: Optional[Mapping[str, Any]] = None, **overrides: Any) -> MemoryResult:
    """The analytic per-GPU memory of `scenario`, per pipeline stage (``trainsim mem --json``).
    Takes the scenario and overrides as :func:`run`."""
    return MemoryResult(json.loads(_core.mem(_scenario(scenario, set, overrides))))


def explain_zero(model: Optional[str] = None, *, params: Union[str, float, None] = None,
                 gpus: Union[str, Iterable[int]] = (1, 4, 16, 64, 256, 1024), convention: str = "all",
                 gpu: Optional[str] = None, cluster: Optional[str] = None, grad_accum: int = 1,
                 precision: str = "bf16", seq_len: int = 0, micro_batch: int = 1,
                 recompute: str = "none") -> ZeroExplanation:
    """ZeRO model-state memory and communication per GPU, stage by stage
    (``trainsim explain zero --json``): give `model` (a zoo name or a model card
    / HF config.json) or `params` (a count such as "7.5B" or 7.5e9); `gpus` the
    data-parallel sizes; `gpu` or `cluster` a card for the fits verdict;
    `seq_len` (with a model) adds one micro-batch's activations."""
    gpu_text = gpus if isinstance(gpus, str) else ",".join(str(int(g)) for g in gpus)
    if isinstance(params, (int, float)) and not isinstance(params, bool):
        params = repr(float(params)) if params != int(params) else str(int(params))
    return ZeroExplanation(json.loads(_core.explain_zero(
        os.fspath(model) if model else "", params or "", gpu_text, convention, gpu or "", cluster or "",
        int(grad_accum), precision, int(seq_len), int(micro_batch), recompute)))


def collective(cluster: str, op: str = "all_reduce", *, gpus: int = 8, nodes: int = 0, min: Union[str, int] = 8,
               max: Union[str, int] = "8G", algo: Optional[str] = None, proto: Optional[str] = None,
               concurrent: int = 1) -> CollectiveTable:
    """An nccl-tests style table of one collective (``trainsim collective --json``):
    `op` on `gpus` GPUs of `cluster` (zoo name or card) over `nodes` nodes (0:
    the fewest), sizes from `min` to `max` doubling (bytes, or "1K", "64M", "8G"
    binary as nccl-tests), `algo`/`proto` forced as NCCL_ALGO/NCCL_PROTO,
    `concurrent` groups at once on disjoint GPUs (flow mode)."""
    return CollectiveTable(json.loads(_core.collective(
        os.fspath(cluster), op, int(gpus), int(nodes), str(min), str(max), algo or "", proto or "",
        int(concurrent))))


def sweep(sweep: Union[str, "os.PathLike[str]", Mapping[str, Any]], *, threads: Optional[int] = None,
          top: int = 10, progress: Optional[Progress] = None, as_frame: Optional[bool] = None):
    """Every point of a sweep file simulated (``trainsim sweep --out FILE.csv``).

    sweep: a sweep YAML path, a dict in its schema (keys may hold lists or
    ranges: ``{"parallel": {"tp": [1, 2, 4, 8]}}``, docs/sweep.md) or YAML text.
    threads: worker threads (default: every CPU); the rows do not depend on it.
    progress: called as progress(done, total) from the calling thread while
    the sweep runs; an exception it raises stops the sweep, as does Ctrl-C.
    as_frame: a pandas DataFrame (default when pandas is installed) with the
    CSV's columns, one row per point (``df.attrs["report"]`` holds the ranked
    top plans, Pareto front and counts); False: a SweepResult."""
    if isinstance(sweep, Mapping):
        path, text, name = "", "\n".join(_yaml_lines(sweep, "")) + "\n", "<dict>"
    else:
        sweep = os.fspath(sweep)
        is_file = "\n" not in sweep and (os.path.exists(sweep) or sweep.endswith((".yaml", ".yml")))
        path, text, name = (sweep, "", "") if is_file else ("", sweep, "<string>")
    out = _core.sweep(path, text, name, _threads(threads), int(top), progress)
    report = json.loads(out["report"])
    if as_frame or (as_frame is None and _have_pandas()):
        df = _csv_frame(out["csv"])
        df.attrs["report"] = report
        return df
    return SweepResult(_parse_csv(out["csv"]), report, out["csv"])


def validate(runs: Union[None, str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]] = None, *,
             threads: Optional[int] = None, filter: str = "", progress: Optional[Progress] = None,
             as_frame: Optional[bool] = None):
    """Predictions against measured training runs (``trainsim validate --json``).

    runs: runs CSV file(s) in the schema of data/reference/calibration_runs.csv
    (default: that file). filter: a regular expression on the row ids.
    progress, threads: as :func:`sweep`. Returns a DataFrame of the rows
    (nested fields as dotted columns; ``df.attrs["summary"]``) when pandas is
    installed, else (or with as_frame=False) a ValidationResult."""
    if runs is None:
        files: List[str] = []
    elif isinstance(runs, (str, os.PathLike)):
        files = [os.fspath(runs)]
    else:
        files = [os.fspath(r) for r in runs]
    result = ValidationResult(json.loads(_core.validate(files, _threads(threads), filter, progress)))
    if as_frame or (as_frame is None and _have_pandas()):
        return result.to_pandas()
    return result


def advise(scenario: Scenario, *, set: Optional[Mapping[str, Any]] = None, threads: Optional[int] = None,
           top: int = 10, max_changes: int = 4, beam: int = 8, **overrides: Any) -> Advice:
    """Why a plan does not fit or is slow, and the nearest plans that fit or run
    faster, each simulated (``trainsim advise --json``). Takes the scenario and
    overrides as :func:`run`; `top` suggestions, up to `max_changes` keys changed
    at once (1..4), `beam` plans extended per level. Releases the GIL; it cannot
    be interrupted before it ends (no progress hook)."""
    if not 1 <= int(max_changes) <= 4:
        raise ValueError(f"max_changes: {max_changes!r} is not a whole number from 1 to 4")
    if not 1 <= int(beam) <= 64:
        raise ValueError(f"beam: {beam!r} is not a whole number from 1 to 64")
    s = _scenario(scenario, set, overrides)
    return Advice(json.loads(_core.advise(s, _threads(threads), int(top), int(max_changes), int(beam))))


def compare(compare_file: Union[str, os.PathLike], *, threads: Optional[int] = None) -> Comparison:
    """The buying question (``trainsim compare FILE --json``, docs/compare.md): for one model
    and training job, each candidate cluster's best layout by the plan search, its step time,
    time to train, GPU-hours, cost, energy and goodput. Releases the GIL; it cannot be
    interrupted before it ends."""
    return Comparison(json.loads(_core.compare(os.fspath(compare_file), _threads(threads))))


def data_dir() -> str:
    """The data directory in use (models/, topologies/, scenarios/, data/reference/):
    $TRAINSIM_DATA, else the package's own copy, else the source tree it was built from."""
    return _core.data_dir()
