"""Typed results of the trainsim package: the JSON documents the command line
prints with --json, with their fields as attributes, ``to_dict()`` (the
document itself) and ``to_pandas()`` where pandas is installed."""

from __future__ import annotations

import csv
import io
from typing import Any, Dict, List


def _have_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("to_pandas() needs pandas (Debian: apt install python3-pandas)") from e
    return pandas


def _cell(text: str) -> Any:
    """A CSV cell as pandas.read_csv reads it: "" -> None, true/false -> bool, numbers -> int/float."""
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _parse_csv(text: str) -> List[Dict[str, Any]]:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    return [dict(zip(header, (_cell(c) for c in row))) for row in rows]


def _csv_frame(text: str):
    """The sweep CSV as a DataFrame: numbers as numbers, true/false columns as pandas'
    nullable "boolean" (an invalid point's empty verdict is <NA>, and df[df.fits] drops it)."""
    pd = _pandas()
    df = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    for col in df.columns:
        if df[col].dtype == object:
            seen = set(df[col].dropna().unique())
            if seen and seen <= {True, False}:
                df[col] = df[col].astype("boolean")
    return df


class _Result:
    """A JSON document with its fields as attributes (``r.step_time_s``)."""

    _aliases: Dict[str, str] = {}

    def __init__(self, data: Dict[str, Any]):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        data = self.__dict__.get("_data", {})
        key = self._aliases.get(name, name)
        if key in data:
            return data[key]
        raise AttributeError(f"{type(self).__name__} has no field '{name}'; fields: {', '.join(sorted(data))}")

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._data) | set(self._aliases))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        shown = [k for k in self._summary_fields if k in self._data]
        return f"{type(self).__name__}({', '.join(f'{k}={self._data[k]!r}' for k in shown)})"

    _summary_fields: tuple = ()

    def to_dict(self) -> Dict[str, Any]:
        """The JSON document, as the command line's --json prints it."""
        return self._data


class RunResult(_Result):
    """One simulated training step (``trainsim run --json``, summary.json)."""

    _aliases = {"breakdown": "breakdown_s", "memory_at_peak": "memory_at_peak_bytes"}
    _summary_fields = ("step_time_s", "tokens_per_s", "mfu", "peak_memory_bytes", "fits")

    def __init__(self, data: Dict[str, Any], per_gpu: List[Dict[str, Any]], warnings: List[str]):
        super().__init__(data)
        self.per_gpu = per_gpu  #: one dict per rank: the columns of per_gpu.csv
        self.warnings = warnings  #: what the simulator warned about (the command line's stderr)

    def to_pandas(self, per_gpu: bool = False):
        """One row: the scalar fields, breakdown_<term>_s and memory_at_peak_<term>_bytes columns
        (as a sweep CSV names them); per_gpu=True: the per-GPU table instead."""
        pd = _pandas()
        if per_gpu:
            return pd.DataFrame(self.per_gpu)
        row = {k: v for k, v in self._data.items() if not isinstance(v, (dict, list))}
        for k, v in self._data.get("breakdown_s", {}).items():
            row[f"breakdown_{k}_s"] = v
        for k, v in self._data.get("memory_at_peak_bytes", {}).items():
            row[f"memory_at_peak_{k}_bytes"] = v
        for k, v in self._data.get("layout", {}).items():
            if not isinstance(v, (dict, list)):
                row[k] = v
        return pd.DataFrame([row])


class MemoryResult(_Result):
    """The analytic per-GPU memory of a scenario (``trainsim mem --json``)."""

    _aliases = {"memory_at_peak": "memory_at_peak_bytes"}
    _summary_fields = ("peak_memory_bytes", "gpu_memory_bytes", "fits", "peak_stage")

    def to_pandas(self):
        """One row per pipeline stage (the document's "stages")."""
        return _pandas().json_normalize(self._data.get("stages", []), sep=".")


class ZeroExplanation(_Result):
    """ZeRO model-state memory and communication by stage (``trainsim explain zero --json``)."""

    _summary_fields = ("params", "grad_accum")

    def to_pandas(self):
        """One row per (data-parallel size, stage) row of the table, nested fields as dotted columns."""
        return _pandas().json_normalize(self._data.get("rows", []), sep=".")


class CollectiveTable(_Result):
    """An nccl-tests style table of one collective (``trainsim collective --json``)."""

    _summary_fields = ("op", "gpus", "nodes", "cluster", "avg_busbw_GBps")

    def to_pandas(self):
        """One row per message size: size_bytes, time_us, algbw_GBps, busbw_GBps, algorithm, protocol."""
        return _pandas().DataFrame(self._data["rows"])


class Advice(_Result):
    """Why a plan does not fit or is slow and the nearest better plans (``trainsim advise --json``)."""

    _aliases = {"memory_at_peak": "memory_at_peak_bytes"}
    _summary_fields = ("fits", "step_time_s", "peak_memory_bytes", "candidates")

    def to_pandas(self):
        """One row per suggestion, fastest first; the changed keys as change.<key> columns."""
        rows = []
        for s in self._data.get("suggestions", []):
            row = {f"change.{k}": v for k, v in s["changes"].items()}
            row.update({k: v for k, v in s.items() if k not in ("changes", "edits")})
            row["edits"] = "; ".join(s.get("edits", []))
            rows.append(row)
        return _pandas().DataFrame(rows)


class Comparison(_Result):
    """Each candidate cluster's best plan and what training the job on it takes:
    time, GPU-hours, cost, energy and goodput (``trainsim compare --json``)."""

    _summary_fields = ("title", "tokens", "candidates")

    def to_pandas(self):
        """One row per candidate, best first; the layout as layout.<key> columns."""
        rows = []
        for c in self._data.get("candidates", []):
            row = {k: v for k, v in c.items() if k not in ("layout", "assumptions", "goodput", "search")}
            row.update({f"layout.{k}": v for k, v in (c.get("layout") or {}).items()})
            rows.append(row)
        return _pandas().DataFrame(rows)


class SweepResult(_Result):
    """A sweep without pandas: ``rows`` (one dict per point, the sweep CSV's
    columns), ``report`` (counts, reasons, top plans, Pareto front: ``trainsim
    sweep --json``), ``csv`` (the text ``trainsim sweep --out`` writes)."""

    _summary_fields = ("counts",)

    def __init__(self, rows: List[Dict[str, Any]], report: Dict[str, Any], csv_text: str):
        super().__init__(report)
        self.rows = rows
        self.report = report
        self.csv = csv_text

    def __len__(self) -> int:
        return len(self.rows)

    def to_pandas(self):
        """The rows as a DataFrame (what sweep() returns when pandas is installed)."""
        df = _csv_frame(self.csv)
        df.attrs["report"] = self.report
        return df


class ValidationResult(_Result):
    """Predictions against measured runs (``trainsim validate --json``): files, rows, summary, per_file."""

    _summary_fields = ("summary",)

    def to_pandas(self):
        """One row per run, nested fields (chosen layout, ...) as dotted columns; attrs["summary"]."""
        df = _pandas().json_normalize(self._data.get("rows", []), sep=".")
        df.attrs["summary"] = self._data.get("summary")
        df.attrs["files"] = self._data.get("files")
        return df


__all__ = ["RunResult", "MemoryResult", "ZeroExplanation", "CollectiveTable", "Advice", "SweepResult",
           "ValidationResult"]
