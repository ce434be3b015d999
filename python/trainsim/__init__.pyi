# Type hints of the trainsim package (python/trainsim/_api.py, _results.py).
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import pandas

Scenario = Union[str, os.PathLike[str], Mapping[str, Any]]
Progress = Callable[[int, int], Any]
__version__: str

class ConfigError(ValueError): ...
class SimulationError(RuntimeError): ...

class _Result:
    def to_dict(self) -> Dict[str, Any]: ...
    def __getitem__(self, key: str) -> Any: ...
    def __getattr__(self, name: str) -> Any: ...

class RunResult(_Result):
    step_time_s: float
    tokens_per_s: float
    model_tflops_per_gpu: float
    hardware_tflops_per_gpu: float
    mfu: float
    breakdown: Dict[str, float]
    breakdown_s: Dict[str, float]
    peak_memory_bytes: int
    gpu_memory_bytes: int
    fits: bool
    memory_at_peak: Dict[str, int]
    memory_at_peak_bytes: Dict[str, int]
    comm_bytes_per_gpu: Dict[str, float]
    layout: Dict[str, Any]
    params_total: int
    per_gpu: List[Dict[str, Any]]
    warnings: List[str]
    def to_pandas(self, per_gpu: bool = ...) -> pandas.DataFrame: ...

class MemoryResult(_Result):
    peak_memory_bytes: int
    gpu_memory_bytes: int
    fits: bool
    memory_at_peak: Dict[str, int]
    memory_at_peak_bytes: Dict[str, int]
    peak_stage: int
    stages: List[Dict[str, Any]]
    def to_pandas(self) -> pandas.DataFrame: ...

class ZeroExplanation(_Result):
    rows: List[Dict[str, Any]]
    def to_pandas(self) -> pandas.DataFrame: ...

class CollectiveTable(_Result):
    op: str
    gpus: int
    nodes: int
    cluster: str
    rows: List[Dict[str, Any]]
    avg_busbw_GBps: float
    def to_pandas(self) -> pandas.DataFrame: ...

class Advice(_Result):
    fits: bool
    step_time_s: float
    peak_memory_bytes: int
    suggestions: List[Dict[str, Any]]
    by_changes: List[Dict[str, Any]]
    def to_pandas(self) -> pandas.DataFrame: ...

class Comparison(_Result):
    title: str
    tokens: float
    candidates: List[Dict[str, Any]]
    def to_pandas(self) -> pandas.DataFrame: ...

class SweepResult(_Result):
    rows: List[Dict[str, Any]]
    report: Dict[str, Any]
    csv: str
    def __len__(self) -> int: ...
    def to_pandas(self) -> pandas.DataFrame: ...

class ValidationResult(_Result):
    files: List[str]
    rows: List[Dict[str, Any]]
    summary: Dict[str, Any]
    def to_pandas(self) -> pandas.DataFrame: ...

def run(scenario: Scenario, *, set: Optional[Mapping[str, Any]] = ..., full: bool = ...,
        max_events: Optional[float] = ..., timeout: Optional[float] = ..., trace: Optional[str] = ...,
        ds_config: Optional[str] = ..., megatron_args: Optional[str] = ..., hostfile: Optional[str] = ...,
        torchtitan_config: Optional[str] = ..., num_nodes: Optional[int] = ..., num_gpus: Optional[int] = ...,
        **overrides: Any) -> RunResult: ...
def mem(scenario: Scenario, *, set: Optional[Mapping[str, Any]] = ..., ds_config: Optional[str] = ...,
        megatron_args: Optional[str] = ..., hostfile: Optional[str] = ..., torchtitan_config: Optional[str] = ...,
        num_nodes: Optional[int] = ..., num_gpus: Optional[int] = ..., **overrides: Any) -> MemoryResult: ...
def explain_zero(model: Optional[str] = ..., *, params: Union[str, float, None] = ...,
                 gpus: Union[str, Iterable[int]] = ..., convention: str = ..., gpu: Optional[str] = ...,
                 cluster: Optional[str] = ..., grad_accum: int = ..., precision: str = ..., seq_len: int = ...,
                 micro_batch: int = ..., recompute: str = ...) -> ZeroExplanation: ...
def collective(cluster: str, op: str = ..., *, gpus: int = ..., nodes: int = ..., min: Union[str, int] = ...,
               max: Union[str, int] = ..., algo: Optional[str] = ..., proto: Optional[str] = ...,
               concurrent: int = ...) -> CollectiveTable: ...
def sweep(sweep: Union[str, os.PathLike[str], Mapping[str, Any]], *, threads: Optional[int] = ..., top: int = ...,
          progress: Optional[Progress] = ..., as_frame: Optional[bool] = ...
          ) -> Union[pandas.DataFrame, SweepResult]: ...
def validate(runs: Union[None, str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]] = ..., *,
             threads: Optional[int] = ..., filter: str = ..., progress: Optional[Progress] = ...,
             as_frame: Optional[bool] = ...) -> Union[pandas.DataFrame, ValidationResult]: ...
def advise(scenario: Scenario, *, set: Optional[Mapping[str, Any]] = ..., threads: Optional[int] = ...,
           top: int = ..., max_changes: int = ..., beam: int = ..., ds_config: Optional[str] = ...,
           megatron_args: Optional[str] = ..., hostfile: Optional[str] = ..., torchtitan_config: Optional[str] = ...,
           num_nodes: Optional[int] = ..., num_gpus: Optional[int] = ..., **overrides: Any) -> Advice: ...
def compare(compare_file: Union[str, os.PathLike[str]], *, threads: Optional[int] = ...) -> Comparison: ...
def data_dir() -> str: ...
