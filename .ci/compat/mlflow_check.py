"""Drives a live MLflow tracking server (Loupe's, or a real `mlflow server`) with the stock mlflow client.

Usage: mlflow_check.py http://127.0.0.1:PORT
Needs `mlflow-skinny` (the client without numpy/pandas). The server must serve proxied artifacts
(`mlflow-artifacts:/` locations under /api/2.0/mlflow-artifacts/artifacts) and the model registry.
MLFLOW_CHECK_REFERENCE_SERVER=1 says the server is a real `mlflow server`, whose SQL store clamps ±inf
metric values to ±float max; against Loupe, infinities must round-trip exactly.
LOUPE_MLFLOW_SKLEARN=1 adds a sklearn log_model/pyfunc round trip (needs scikit-learn, numpy, pandas, skops).
Every name made here carries a random suffix, so the script can run again against the same store.
"""
import filecmp
import math
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

# Fail fast instead of the client's default 7 retries with exponential backoff, and send nothing
# anywhere but the server under test.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
os.environ.pop("MLFLOW_TRACKING_URI", None)
os.environ.pop("MLFLOW_REGISTRY_URI", None)

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

BASE = sys.argv[1].rstrip("/")
REFERENCE_SERVER = os.environ.get("MLFLOW_CHECK_REFERENCE_SERVER") == "1"
SUFFIX = uuid.uuid4().hex[:8]
EXPERIMENT = f"loupe-compat-{SUFFIX}"
MODEL = f"loupe-compat-model-{SUFFIX}"
WORK = Path(tempfile.mkdtemp(prefix="loupe-mlflow-check-"))
STARTED = time.time()
results = []
state = {}

mlflow.set_tracking_uri(BASE)
client = MlflowClient()

# The loss curve: 1/(i+1), with NaN at step 7, +inf at 13 and -inf at 17 (they must round-trip).
STEPS = 20
SPECIAL = {7: float("nan"), 13: float("inf"), 17: float("-inf")}
LOSS = [SPECIAL.get(i, 1.0 / (i + 1)) for i in range(STEPS)]
PARAMS = {"alpha": "0.1", "l1_ratio": "0.5", "optimizer": "adam", "note": "naïve β, \"quoted\" & <tagged>"}
FILES = {  # the folder given to log_artifacts(..., artifact_path="data")
    "a.csv": b"x,y\n1,2\n3,4\n",
    "sub/b.bin": bytes(range(256)) * 4,
    "sub/deeper/c d+é.txt": "a space, a plus and an accent in the name ✓\n".encode(),
}
NOTES = b"loupe notes\n" * 100


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok   {name}", flush=True)
        except Exception as error:  # noqa: BLE001 - report every failure and go on
            results.append((name, error))
            print(f"FAIL {name}: {error!r}", flush=True)
        return fn
    return wrap


def expect_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except MlflowException as error:
        assert error.error_code == code, f"expected {code}, got {error.error_code}: {error}"
        return error
    raise AssertionError(f"expected MlflowException {code}")


def same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def write_tree(root, files):
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def read_tree(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def listing(run_id, path=None):
    return [(f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id, path)]


# ---------------------------------------------------------------- experiments


@check("an unknown experiment name is None (404 RESOURCE_DOES_NOT_EXIST)")
def unknown_experiment():
    assert client.get_experiment_by_name(f"no-such-experiment-{SUFFIX}") is None


@check("set_experiment creates the experiment")
def set_experiment():
    experiment = mlflow.set_experiment(EXPERIMENT)
    assert experiment.name == EXPERIMENT and experiment.lifecycle_stage == "active", experiment
    assert experiment.artifact_location.startswith("mlflow-artifacts:/"), experiment.artifact_location
    state["experiment_id"] = experiment.experiment_id
    again = client.get_experiment(experiment.experiment_id)
    assert (again.experiment_id, again.name) == (experiment.experiment_id, EXPERIMENT), again
    assert client.get_experiment_by_name(EXPERIMENT).experiment_id == experiment.experiment_id
    # Setting it again finds it by name and makes no second experiment.
    assert mlflow.set_experiment(EXPERIMENT).experiment_id == experiment.experiment_id


@check("create_experiment with a taken name is RESOURCE_ALREADY_EXISTS")
def duplicate_experiment():
    expect_error("RESOURCE_ALREADY_EXISTS", client.create_experiment, EXPERIMENT)


# ---------------------------------------------------------------- a run


@check("a run: params, metrics over steps, tags, artifacts")
def log_run():
    source = write_tree(WORK / "upload", FILES)
    notes = WORK / "notes.txt"
    notes.write_bytes(NOTES)
    with mlflow.start_run(run_name=f"main-{SUFFIX}") as run:
        state["run_id"] = run.info.run_id
        assert run.info.experiment_id == state["experiment_id"], run.info
        assert run.info.artifact_uri.startswith("mlflow-artifacts:/"), run.info.artifact_uri
        mlflow.log_param("alpha", PARAMS["alpha"])
        mlflow.log_params({k: v for k, v in PARAMS.items() if k != "alpha"})
        for step, value in enumerate(LOSS):
            mlflow.log_metric("loss", value, step=step)
        mlflow.log_metrics({"rmse": 0.25, "r2": 0.875}, step=3)
        mlflow.log_metric("accuracy", 0.5, step=0, timestamp=1_700_000_000_000)
        mlflow.log_metric("accuracy", 0.75, step=1, timestamp=1_700_000_001_000)
        mlflow.set_tag("team", "loupe")
        mlflow.set_tags({"stage": "compat", "empty": ""})
        mlflow.log_artifact(str(notes))
        mlflow.log_artifacts(str(source), artifact_path="data")
    assert mlflow.active_run() is None


@check("get_run has the params, latest metrics, tags and a finished status")
def get_run():
    run = client.get_run(state["run_id"])
    assert run.info.run_id == state["run_id"] and run.info.run_name == f"main-{SUFFIX}", run.info
    assert run.info.status == "FINISHED" and run.info.lifecycle_stage == "active", run.info
    assert run.info.end_time is not None and run.info.end_time >= run.info.start_time > 0, run.info
    assert run.data.params == PARAMS, run.data.params
    metrics = run.data.metrics
    assert set(metrics) == {"loss", "rmse", "r2", "accuracy"}, metrics
    # The latest value is the one at the highest step: 1/20 for loss.
    assert metrics["loss"] == 1.0 / STEPS and metrics["rmse"] == 0.25 and metrics["r2"] == 0.875, metrics
    assert metrics["accuracy"] == 0.75, metrics
    tags = run.data.tags
    assert tags["team"] == "loupe" and tags["stage"] == "compat" and tags["empty"] == "", tags
    assert tags["mlflow.runName"] == f"main-{SUFFIX}", tags
    assert "mlflow.user" in tags and "mlflow.source.name" in tags, tags


@check("get_metric_history returns every step in order, NaN and infinities included")
def metric_history():
    history = client.get_metric_history(state["run_id"], "loss")
    assert [m.step for m in history] == list(range(STEPS)), [m.step for m in history]
    for metric, expected in zip(history, LOSS):
        if REFERENCE_SERVER and math.isinf(expected):
            expected = math.copysign(sys.float_info.max, expected)
        assert metric.key == "loss" and same_float(metric.value, expected), (metric.step, metric.value, expected)
        assert isinstance(metric.timestamp, int) and metric.timestamp > 1_600_000_000_000, metric.timestamp
    assert math.isnan(history[7].value), history[7]
    # A real `mlflow server` with a SQL store clamps ±inf to ±float max; Loupe must keep them.
    infinity = sys.float_info.max if REFERENCE_SERVER else math.inf
    assert (history[13].value, history[17].value) == (infinity, -infinity), (history[13], history[17])
    accuracy = client.get_metric_history(state["run_id"], "accuracy")
    assert [(m.step, m.value, m.timestamp) for m in accuracy] == [
        (0, 0.5, 1_700_000_000_000), (1, 0.75, 1_700_000_001_000)], accuracy
    assert client.get_metric_history(state["run_id"], "never-logged") == []


@check("list_artifacts shows the file and the folders with sizes")
def list_artifacts():
    run_id = state["run_id"]
    assert listing(run_id) == [("data", True, None), ("notes.txt", False, len(NOTES))], listing(run_id)
    assert listing(run_id, "data") == [
        ("data/a.csv", False, len(FILES["a.csv"])), ("data/sub", True, None)], listing(run_id, "data")
    assert listing(run_id, "data/sub") == [
        ("data/sub/b.bin", False, len(FILES["sub/b.bin"])), ("data/sub/deeper", True, None)], listing(run_id, "data/sub")
    assert listing(run_id, "no-such-folder") == [], listing(run_id, "no-such-folder")


@check("download_artifacts gets the same bytes back")
def download_artifacts():
    run_id = state["run_id"]
    folder = client.download_artifacts(run_id, "data", str(WORK / "dl-data"))
    assert read_tree(folder) == FILES, sorted(read_tree(folder))
    one = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="notes.txt", dst_path=str(WORK / "dl-one"))
    assert Path(one).read_bytes() == NOTES
    everything = mlflow.artifacts.download_artifacts(f"runs:/{run_id}/", dst_path=str(WORK / "dl-all"))
    assert read_tree(everything) == {"notes.txt": NOTES, **{f"data/{k}": v for k, v in FILES.items()}}
    assert filecmp.cmp(Path(one), WORK / "notes.txt", shallow=False)


@check("re-logging a param with another value is INVALID_PARAMETER_VALUE; the same value is fine")
def param_overwrite():
    run_id = state["run_id"]
    client.log_param(run_id, "alpha", PARAMS["alpha"])
    expect_error("INVALID_PARAMETER_VALUE", client.log_param, run_id, "alpha", "0.2")
    expect_error("INVALID_PARAMETER_VALUE", client.log_batch, run_id, params=[mlflow.entities.Param("alpha", "0.3")])
    assert client.get_run(run_id).data.params["alpha"] == PARAMS["alpha"]


@check("an unknown run is RESOURCE_DOES_NOT_EXIST")
def unknown_run():
    expect_error("RESOURCE_DOES_NOT_EXIST", client.get_run, uuid.uuid4().hex)


# ---------------------------------------------------------------- search


@check("search_runs filters on latest metrics and params, orders and pages")
def search_runs():
    experiment_id = client.create_experiment(f"{EXPERIMENT}-search")
    ids = {}
    # name: (alpha, rmse values by step, group tag). The latest rmse (highest step) is what counts.
    spec = {
        "r1": ("0.1", [0.2], "x"),
        "r2": ("0.1", [0.9, 0.4], "y"),  # 0.9 first, latest 0.4: matches
        "r3": ("0.1", [0.1, 0.7], "x"),  # 0.1 first, latest 0.7: does not
        "r4": ("0.5", [0.05], "x"),      # wrong alpha
        "r5": ("0.1", [0.3], "y"),
        "r6": ("0.1", [], "x"),          # no rmse at all
    }
    for name, (alpha, rmses, group) in spec.items():
        run = client.create_run(experiment_id, run_name=name, tags={"group": group})
        client.log_param(run.info.run_id, "alpha", alpha)
        for step, value in enumerate(rmses):
            client.log_metric(run.info.run_id, "rmse", value, step=step)
        client.set_terminated(run.info.run_id)
        ids[name] = run.info.run_id
    names = {v: k for k, v in ids.items()}
    state["search_experiment_id"] = experiment_id

    def search(**kwargs):
        found = client.search_runs([experiment_id], **kwargs)
        return [names[r.info.run_id] for r in found], found

    found, runs = search(filter_string="metrics.rmse < 0.5 and params.alpha = '0.1'", order_by=["metrics.rmse ASC"])
    assert found == ["r1", "r5", "r2"], found
    assert [r.data.metrics["rmse"] for r in runs] == [0.2, 0.3, 0.4], [r.data.metrics for r in runs]
    assert all(r.data.params == {"alpha": "0.1"} for r in runs), [r.data.params for r in runs]
    found, _ = search(filter_string="metrics.rmse < 0.5 and params.alpha = '0.1'", order_by=["metrics.rmse DESC"])
    assert found == ["r2", "r5", "r1"], found
    found, _ = search(filter_string="tags.group = 'x' and params.alpha != '0.5'", order_by=["attributes.run_name ASC"])
    assert found == ["r1", "r3", "r6"], found
    found, _ = search(filter_string="attributes.run_name = 'r4'")
    assert found == ["r4"], found

    page1 = client.search_runs([experiment_id], "metrics.rmse >= 0.2", order_by=["metrics.rmse DESC"], max_results=2)
    assert [names[r.info.run_id] for r in page1] == ["r3", "r2"] and page1.token, (page1, page1.token)
    page2 = client.search_runs([experiment_id], "metrics.rmse >= 0.2", order_by=["metrics.rmse DESC"],
                               max_results=2, page_token=page1.token)
    assert [names[r.info.run_id] for r in page2] == ["r5", "r1"], page2
    page3 = client.search_runs([experiment_id], "metrics.rmse >= 0.2", order_by=["metrics.rmse DESC"],
                               max_results=2, page_token=page2.token) if page2.token else []
    assert list(page3) == [], page3
    everything = mlflow.search_runs([experiment_id], output_format="list")
    assert sorted(names[r.info.run_id] for r in everything) == sorted(spec), everything


@check("search_experiments finds the experiments by name")
def search_experiments():
    found = client.search_experiments(filter_string=f"name LIKE 'loupe-compat-{SUFFIX}%'", order_by=["name ASC"])
    assert [e.name for e in found] == [EXPERIMENT, f"{EXPERIMENT}-search"], found


# ---------------------------------------------------------------- model registry


def model_files(weights):
    mlmodel = (
        "artifact_path: model\n"
        "flavors:\n  loupe_compat:\n    format: json\n"
        f"mlflow_version: {mlflow.__version__}\n"
        f"model_uuid: {uuid.uuid4().hex}\n"
        "utc_time_created: '2024-01-01 00:00:00.000000'\n"
    )
    return {"MLmodel": mlmodel.encode(), "weights.json": weights.encode(), "requirements.txt": b"mlflow-skinny\n"}


@check("register_model from runs:/<id>/model makes versions 1 and 2")
def register():
    mlflow.set_experiment(EXPERIMENT)
    for version, weights in (("1", '{"w": [1, 2, 3]}'), ("2", '{"w": [4, 5, 6]}')):
        files = model_files(weights)
        with mlflow.start_run(run_name=f"model-v{version}") as run:
            mlflow.log_artifacts(str(write_tree(WORK / f"model-v{version}", files)), artifact_path="model")
        mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", MODEL)
        assert (mv.name, mv.version, mv.run_id, mv.status) == (MODEL, version, run.info.run_id, "READY"), mv
        state[f"model_run_{version}"] = run.info.run_id
        state[f"model_files_{version}"] = files
    registered = client.get_registered_model(MODEL)
    assert registered.name == MODEL, registered
    assert sorted(v.version for v in registered.latest_versions) == ["2"], registered.latest_versions
    mv = client.get_model_version(MODEL, "1")
    assert mv.run_id == state["model_run_1"] and mv.source, mv
    expect_error("RESOURCE_ALREADY_EXISTS", client.create_registered_model, MODEL)


@check("aliases: set, get_model_version_by_alias, delete")
def aliases():
    client.set_registered_model_alias(MODEL, "champion", "1")
    client.set_registered_model_alias(MODEL, "challenger", "2")
    mv = client.get_model_version_by_alias(MODEL, "champion")
    assert (mv.name, mv.version, mv.run_id) == (MODEL, "1", state["model_run_1"]), mv
    assert "champion" in mv.aliases, mv.aliases
    assert client.get_registered_model(MODEL).aliases == {"champion": "1", "challenger": "2"}
    client.delete_registered_model_alias(MODEL, "challenger")
    assert client.get_registered_model(MODEL).aliases == {"champion": "1"}
    # MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE, not 404.
    expect_error("INVALID_PARAMETER_VALUE", client.get_model_version_by_alias, MODEL, "challenger")


@check("download models:/name@champion and models:/name/2 returns each version's files")
def download_model():
    champion = mlflow.artifacts.download_artifacts(f"models:/{MODEL}@champion", dst_path=str(WORK / "dl-champion"))
    got = read_tree(champion)
    # The client adds `registered_model_meta` (name and version) beside the model files it downloads.
    meta = got.pop("registered_model_meta", b"").decode()
    assert got == state["model_files_1"], sorted(got)
    assert f"model_name: {MODEL}" in meta and "model_version: '1'" in meta, meta
    second = read_tree(mlflow.artifacts.download_artifacts(f"models:/{MODEL}/2", dst_path=str(WORK / "dl-v2")))
    second.pop("registered_model_meta", None)
    assert second == state["model_files_2"], sorted(second)


@check("search_registered_models and search_model_versions with filters")
def search_registry():
    other = f"{MODEL}-other"
    client.create_registered_model(other, tags={"kind": "other"})
    found = client.search_registered_models(filter_string=f"name = '{MODEL}'")
    assert [m.name for m in found] == [MODEL], found
    found = client.search_registered_models(filter_string=f"name LIKE '{MODEL}%'", order_by=["name DESC"])
    assert [m.name for m in found] == [other, MODEL], found
    versions = client.search_model_versions(f"name = '{MODEL}'")
    assert sorted((v.version, v.run_id) for v in versions) == [
        ("1", state["model_run_1"]), ("2", state["model_run_2"])], versions
    versions = client.search_model_versions(f"name = '{MODEL}' and run_id = '{state['model_run_2']}'")
    assert [v.version for v in versions] == ["2"], versions
    assert list(client.search_model_versions(f"name = '{other}'")) == []


# ---------------------------------------------------------------- optional: sklearn + pyfunc


def sklearn_round_trip():
    import numpy as np
    from sklearn.linear_model import LinearRegression

    import mlflow.pyfunc
    import mlflow.sklearn

    name = f"{MODEL}-sklearn"
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = LinearRegression().fit(x, 2 * x[:, 0] + 1)
    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name="sklearn"):
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name)
    assert str(info.registered_model_version) == "1", info.registered_model_version
    assert info.model_uri == f"models:/{info.model_id}", (info.model_uri, info.model_id)
    mv = client.get_model_version(name, "1")
    assert mv.source == f"models:/{info.model_id}" and mv.run_id == info.run_id, mv
    client.set_registered_model_alias(name, "prod", "1")
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@prod")
    prediction = loaded.predict(np.array([[10.0], [-1.0]]))
    assert np.allclose(prediction, [21.0, -1.0]), prediction


if os.environ.get("LOUPE_MLFLOW_SKLEARN") == "1":
    check("sklearn log_model with registered_model_name, then pyfunc load by alias and predict")(sklearn_round_trip)
else:
    print("skip sklearn log_model + pyfunc: set LOUPE_MLFLOW_SKLEARN=1 (needs scikit-learn, numpy, pandas, skops)")


failed = [name for name, error in results if error]
print(f"mlflow compat took {time.time() - STARTED:.1f}s against {BASE} (mlflow {mlflow.__version__})")
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
