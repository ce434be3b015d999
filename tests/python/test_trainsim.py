"""The Python package against the command line: the same input gives the same
JSON document (every function), the same errors (ConfigError with the CLI's
file:line: key message, SimulationError), DataFrame shapes, progress and
interruption of long calls."""
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import trainsim

GPT3 = "scenarios/gpt3-175b-1024gpu.yaml"
L7B = "scenarios/llama-2-7b-zero3.yaml"
SMALL_SWEEP = "tests/data/sweep/small.yaml"
BASE = "tests/data/ds/base.yaml"
FILTER = r"^sc21_t1_(1\.7|3\.6)B$"  # two calibration rows: validate stays quick

try:
    import pandas  # noqa: F401
    HAVE_PANDAS = True
except ImportError:
    HAVE_PANDAS = False


@pytest.fixture(autouse=True)
def _cwd(root, monkeypatch):
    monkeypatch.chdir(root)


def test_run_equals_cli_json(cli):
    r = trainsim.run(L7B)
    assert r.to_dict() == cli("run", L7B)
    assert r.step_time_s == r.to_dict()["step_time_s"] > 0
    assert r.breakdown == r.breakdown_s and math.isclose(sum(r.breakdown.values()), r.step_time_s, rel_tol=1e-9)
    assert r.memory_at_peak == r.memory_at_peak_bytes
    assert isinstance(r.fits, bool)


def test_readme_command_prints_the_cli_step_time(cli, root):
    """The README's one-liner, run by the interpreter the package was built for."""
    env = dict(os.environ)
    p = subprocess.run([sys.executable, "-c", "import trainsim; print(trainsim.run('%s').step_time_s)" % GPT3],
                       cwd=root, env=env, capture_output=True, text=True, check=True)
    assert float(p.stdout) == cli("run", GPT3)["step_time_s"]


def test_per_gpu_rows_are_the_csv(cli, tmp_path):
    r = trainsim.run(L7B)
    cli.raw("run", L7B, "--out", str(tmp_path))
    with open(tmp_path / "per_gpu.csv") as f:
        lines = f.read().splitlines()
    assert len(r.per_gpu) == len(lines) - 1 == r.layout["dp"] * r.layout["tp"] * r.layout["pp"] * r.layout["cp"]
    assert list(r.per_gpu[0]) == lines[0].split(",")
    assert r.per_gpu[0]["peak_bytes"] == int(lines[1].split(",")[7])


def test_overrides_dotted_and_set_equal_cli_set(cli):
    want = cli("run", L7B, "--set", "parallel.zero_stage=2", "--set", "training.micro_batch=1")
    assert trainsim.run(L7B, **{"parallel.zero_stage": 2, "training.micro_batch": 1}).to_dict() == want
    assert trainsim.run(L7B, set={"parallel.zero_stage": 2, "training.micro_batch": 1}).to_dict() == want
    assert trainsim.run(L7B, **{"parallel.zero_stage": 3}).to_dict() == cli("run", L7B)


def test_dict_and_yaml_text_scenarios_equal_the_file(cli, root):
    d = {"model": "llama-2-7b", "cluster": "dgx-a100-80gb", "nodes": 2,
         "training": {"seq_len": 2048, "recompute": "full", "global_batch": 64}}
    want = cli("mem", BASE, "--set", "training.global_batch=64")
    got = trainsim.mem(d).to_dict()
    want.pop("scenario", None), got.pop("scenario", None)  # the file's name differs
    assert got == want
    text = open(os.path.join(root, BASE)).read() + "  global_batch: 64\n"
    got = trainsim.mem(text).to_dict()
    got.pop("scenario", None)
    assert got == want


def test_ds_config_and_megatron_flags_as_the_cli(cli):
    ds = "tests/data/ds/stage2.json"
    assert trainsim.mem(BASE, ds_config=ds).to_dict() == cli("mem", BASE, "--ds-config", ds)
    flags = "--tensor-model-parallel-size 2 --sequence-parallel --bf16 --micro-batch-size 1 --global-batch-size 16"
    assert trainsim.mem(BASE, megatron_args=flags).to_dict() == cli("mem", BASE, "--megatron-args", flags)


def test_hf_config_json_as_model(cli, root, tmp_path):
    hf = {"model_type": "llama", "hidden_size": 1024, "intermediate_size": 2816, "num_hidden_layers": 4,
          "num_attention_heads": 16, "num_key_value_heads": 16, "vocab_size": 32000,
          "max_position_embeddings": 2048, "torch_dtype": "bfloat16"}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(hf))
    got = trainsim.mem({"model": str(path), "cluster": "dgx-a100-80gb", "nodes": 1,
                        "training": {"seq_len": 2048, "global_batch": 8}})
    want = cli("mem", "--model", str(path), "--cluster", "dgx-a100-80gb", "--nodes", "1", "--seq-len", "2048",
               "--set", "training.global_batch=8")
    assert got.params_total == want["params_total"] and got.peak_memory_bytes == want["peak_memory_bytes"]


def test_mem_equals_cli_and_frame(cli):
    m = trainsim.mem(L7B)
    assert m.to_dict() == cli("mem", L7B)
    if HAVE_PANDAS:
        assert len(m.to_pandas()) == len(m.stages)


def test_explain_zero_equals_cli(cli):
    z = trainsim.explain_zero("llama-2-7b", gpus=[1, 8, 64], cluster="dgx-a100-80gb", seq_len=2048)
    assert z.to_dict() == cli("explain", "zero", "--model", "llama-2-7b", "--gpus", "1,8,64", "--cluster",
                              "dgx-a100-80gb", "--seq-len", "2048")
    assert trainsim.explain_zero(params="7.5B").to_dict() == cli("explain", "zero", "--params", "7.5B")
    assert trainsim.explain_zero(params=7.5e9).to_dict() == trainsim.explain_zero(params="7500000000").to_dict()
    with pytest.raises(trainsim.ConfigError, match="needs exactly one of --model"):
        trainsim.explain_zero()
    with pytest.raises(trainsim.ConfigError, match="--gpus: '0' is out of range"):
        trainsim.explain_zero(params="7B", gpus=[0])


def test_collective_equals_cli_and_frame(cli):
    c = trainsim.collective("dgx-a100-80gb", "all_gather", gpus=16, min="1M", max="64M")
    assert c.to_dict() == cli("collective", "--cluster", "dgx-a100-80gb", "--op", "all_gather", "--gpus", "16",
                              "--min", "1M", "--max", "64M")
    assert len(c.rows) == 7 and c.nodes == 2
    if HAVE_PANDAS:
        df = c.to_pandas()
        assert df.shape == (7, 6) and list(df["size_bytes"]) == [2.0**k for k in range(20, 27)]
    with pytest.raises(trainsim.ConfigError, match="--algo: 'ringg' is not an algorithm"):
        trainsim.collective("dgx-a100-80gb", algo="ringg")


def _cli_csv(cli, tmp_path, sweep):
    out = tmp_path / "cli.csv"
    p = cli.raw("sweep", sweep, "--threads", "2", "--out", str(out))
    assert p.returncode == 0, p.stderr
    return out.read_text()


def test_sweep_rows_equal_cli_csv(cli, tmp_path):
    want = _cli_csv(cli, tmp_path, SMALL_SWEEP)
    s = trainsim.sweep(SMALL_SWEEP, threads=2, as_frame=False)
    assert s.csv == want
    header = want.splitlines()[0].split(",")
    assert len(s) == 24 == len(want.splitlines()) - 1 and list(s.rows[0]) == header
    assert s.report == cli("sweep", SMALL_SWEEP, "--threads", "1")
    assert {r["status"] for r in s.rows} >= {"simulated", "invalid"}


@pytest.mark.skipif(not HAVE_PANDAS, reason="pandas is not installed")
def test_sweep_dataframe_shape_and_types(cli, tmp_path):
    want = _cli_csv(cli, tmp_path, SMALL_SWEEP).splitlines()
    df = trainsim.sweep(SMALL_SWEEP, threads=2)
    assert df.shape == (len(want) - 1, len(want[0].split(",")))
    assert list(df.columns) == want[0].split(",")
    assert df["point"].tolist() == list(range(24))
    assert str(df["step_time_s"].dtype) == "float64" and str(df["fits"].dtype) == "boolean"
    assert df["fits"].isna().sum() == (df["status"] == "invalid").sum() > 0  # no verdict for an invalid point
    simulated = df[df["status"] == "simulated"]
    assert simulated["step_time_s"].notna().all() and (simulated["step_time_s"] > 0).all()
    assert df.attrs["report"]["counts"] == cli("sweep", SMALL_SWEEP)["counts"]


def test_sweep_from_a_dict_and_progress(cli, tmp_path):
    calls = []
    d = {"model": "llama-2-7b", "cluster": "dgx-a100-80gb", "nodes": 1,
         "parallel": {"tp": [1, 2, 4], "zero_stage": [0, 1]},
         "training": {"seq_len": 2048, "global_batch": 64, "micro_batch": 1, "recompute": "selective"}}
    s = trainsim.sweep(d, threads=2, as_frame=False, progress=lambda done, total: calls.append((done, total)))
    assert len(s) == 6 and calls and calls[-1] == (6, 6)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))


def test_sweep_stops_on_ctrl_c_and_on_a_raising_callback():
    """The 2,694-point sweep takes about 30 s on 2 threads: stopped, it ends at once."""
    started = time.monotonic()
    calls = []

    def interrupt(done, total):
        calls.append((done, total))
        os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does; the handler runs in the waiting thread

    with pytest.raises(KeyboardInterrupt):
        trainsim.sweep("scenarios/sweeps/llama-3-70b-512-h100.yaml", threads=2, progress=interrupt)
    assert len(calls) == 1 and calls[0][0] < calls[0][1] == 2694

    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop()

    with pytest.raises(Stop):
        trainsim.sweep("scenarios/sweeps/llama-3-70b-512-h100.yaml", threads=2, progress=stop)
    assert time.monotonic() - started < 10


def test_long_calls_release_the_gil():
    ticks = []
    t = threading.Thread(target=lambda: trainsim.sweep(SMALL_SWEEP, threads=1, as_frame=False))
    t.start()
    while t.is_alive():
        ticks.append(1)
        time.sleep(0.001)
    t.join()
    assert len(ticks) > 5


def test_validate_equals_cli(cli):
    v = trainsim.validate(filter=FILTER, threads=2, as_frame=False)
    want = cli("validate", "--filter", FILTER, "--threads", "2")
    assert v.to_dict() == want and len(v.rows) > 0
    if HAVE_PANDAS:
        df = trainsim.validate(filter=FILTER, threads=2)
        assert len(df) == len(want["rows"]) and "predicted_step_time_s" in df.columns
        assert df.attrs["summary"] == want["summary"]


def test_advise_equals_cli(cli):
    a = trainsim.advise("tests/data/sweep/teaching-13b-oom.yaml", threads=2, max_changes=2, beam=2, top=3)
    assert a.to_dict() == cli("advise", "tests/data/sweep/teaching-13b-oom.yaml", "--threads", "2",
                              "--max-changes", "2", "--beam", "2", "--top", "3")
    assert not a.fits and a.suggestions
    if HAVE_PANDAS:
        assert len(a.to_pandas()) == len(a.suggestions)


def test_compare_equals_cli(cli):
    example = "examples/compare/deepseek-v3-h800-vs-gb200.yaml"
    c = trainsim.compare(example, threads=2)
    assert c.to_dict() == cli("compare", example, "--threads", "2")
    assert len(c.candidates) == 2 and all(x["found"] for x in c.candidates)
    if HAVE_PANDAS:
        df = c.to_pandas()
        assert list(df["name"]) == [x["name"] for x in c.candidates] and "layout.ep" in df.columns


def test_config_error_has_the_cli_message(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: llama-2-7b\ncluster: dgx-a100-80gb\nparallel:\n  zero_stag: 2\n")
    err = cli.raw("run", str(bad)).stderr.strip()
    with pytest.raises(trainsim.ConfigError) as e:
        trainsim.run(str(bad))
    assert err == "error: " + str(e.value) and "bad.yaml:4: parallel.zero_stag" in str(e.value)
    with pytest.raises(trainsim.ConfigError, match="<dict>:4: parallel.tp"):
        trainsim.run({"model": "llama-2-7b", "cluster": "dgx-a100-80gb", "parallel": {"tp": "four"}})
    with pytest.raises(trainsim.ConfigError, match="training.micro_batch"):
        trainsim.run(L7B, **{"training.micro_batch": -1})
    with pytest.raises(trainsim.ConfigError):
        trainsim.run("no/such/scenario.yaml")
    with pytest.raises(trainsim.ConfigError, match="bad_key.yaml:5: parallel.zero_stag"):
        trainsim.sweep("tests/data/sweep/bad_key.yaml")
    assert issubclass(trainsim.ConfigError, ValueError)


def test_simulation_error_when_a_guard_trips():
    with pytest.raises(trainsim.SimulationError, match="max_events"):
        trainsim.run(L7B, max_events=10)
    assert issubclass(trainsim.SimulationError, RuntimeError)


def test_bad_python_arguments():
    with pytest.raises(ValueError, match="threads"):
        trainsim.sweep(SMALL_SWEEP, threads=0)
    with pytest.raises(TypeError):
        trainsim.run(42)
    with pytest.raises(AttributeError, match="no field 'step_tme_s'"):
        trainsim.run(L7B).step_tme_s


def test_trace_and_run_frame(tmp_path):
    r = trainsim.run(L7B, trace=str(tmp_path / "trace.json"))
    assert json.load(open(tmp_path / "trace.json"))["traceEvents"]
    if HAVE_PANDAS:
        df = r.to_pandas()
        assert df.shape[0] == 1 and df["step_time_s"][0] == r.step_time_s
        assert "breakdown_compute_s" in df.columns or any(c.startswith("breakdown_") for c in df.columns)
        assert r.to_pandas(per_gpu=True).shape[0] == len(r.per_gpu)


def test_docstrings_and_hints(root):
    for f in (trainsim.run, trainsim.mem, trainsim.explain_zero, trainsim.collective, trainsim.sweep,
              trainsim.validate, trainsim.advise, trainsim.compare):
        assert f.__doc__ and len(f.__doc__) > 100
    pyi = os.path.join(os.path.dirname(trainsim.__file__), "__init__.pyi")
    text = open(pyi).read()
    for name in ("def run", "def mem", "def explain_zero", "def collective", "def sweep", "def validate",
                 "def advise", "def compare", "class RunResult", "class Comparison"):
        assert name in text


def test_compare_layouts_example(root, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(trainsim.__file__)))
    png = tmp_path / "layouts.png"
    p = subprocess.run([sys.executable, "examples/compare_layouts.py", "--threads", "2", "--plot", str(png)],
                       cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "96 plans" in p.stdout and "Pareto front" in p.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
