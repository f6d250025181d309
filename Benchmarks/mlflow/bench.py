"""Times MLflow REST calls against several tracking servers in the same run, with plain HTTP.

    bench.py NAME=URL[,SESSION_ID] [NAME=URL ...] [--scale F] [--json FILE]

The first server is the one being compared (Loupe); each ratio is the last server's p50 over the first's.
Every server gets the same data and the same requests. The timed iterations of an operation run in rounds:
in each round every server makes its share of the calls back to back, and the servers' order flips from
round to round, so a burst of load on this machine hits both alike (--interleave instead alternates single
calls, which leaves the faster server idle while the slower one works: that measures a server woken from
idle, like a training loop that logs between steps, and costs the faster one more). Each server has one persistent
keep-alive HTTP/1.1 connection; a sample is the time from sending the request to having read the whole
response body (JSON parsing is done after the clock stops). Only the standard library is used, so the
numbers measure the servers, not the mlflow client.

Seeds, through the API: an experiment of 2,000 runs with metrics and params for the search, and one run
with a 10,000-step metric (ten log-batch calls of 1,000) for the history. Checks the answers lightly
(the search count and page contents, the history length, order and values) so a broken server cannot
look fast, and reports where the servers' answers differ.

With a SESSION_ID (the server started under `setsid`, so its pid), the CPU time that the server's processes
used over each operation's timed loop is reported too, per iteration: it tells work from waiting.
"""
import os
import argparse
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse

API = "/api/2.0/mlflow"

SEARCH_RUNS = 2000
SEARCH_FILTER = "metrics.rmse < 0.5 and params.alpha = '0.1'"
SEARCH_PAGE = 100
HISTORY_POINTS = 10_000
BATCH_METRICS = 1000


class Failure(Exception):
    pass


class Server:
    """One keep-alive connection to one server."""

    IDLE_RECONNECT = 2.0  # uvicorn closes idle keep-alive connections after 5 s

    def __init__(self, name, url, session=None):
        self.name = name
        self.session = session
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.conn = None
        self.last_used = 0.0
        self.calls = 0

    def connect(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        self.conn.connect()

    def request(self, method, path, body=None, query=None, absolute=False):
        """Sends one call; returns (seconds, status, raw body). The clock covers send to last body byte."""
        if query:
            path = f"{path}?{urllib.parse.urlencode(query, doseq=True)}"
        data = None
        headers = {"Accept": "application/json", "Connection": "keep-alive"}
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        if self.conn is None or time.monotonic() - self.last_used > self.IDLE_RECONNECT:
            self.connect()  # outside the clock
        for attempt in (1, 2):
            try:
                start = time.perf_counter()
                self.conn.request(method, path if absolute else API + path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                elapsed = time.perf_counter() - start
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # Only a connection the server dropped while idle gets a second try; with the idle
                # reconnect above this should not happen.
                if attempt == 2:
                    raise
                self.connect()
        self.last_used = time.monotonic()
        self.calls += 1
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return elapsed, response.status, raw

    def call(self, method, path, body=None, query=None):
        """A call that must succeed; returns (seconds, parsed JSON, raw size)."""
        elapsed, status, raw = self.request(method, path, body, query)
        if status != 200:
            raise Failure(f"{self.name}: {method} {path} answered {status}: {raw[:500]!r}")
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError as error:
            raise Failure(f"{self.name}: {method} {path} answered 200 with a body that is not JSON ({error}): {raw[:200]!r}")
        return elapsed, answer, len(raw)

    def post(self, path, body):
        return self.call("POST", path, body=body)

    def get(self, path, query):
        return self.call("GET", path, query=query)

    def cpu_seconds(self):
        """user + system CPU of every live process in the server's session (mlflow runs uvicorn as a child)."""
        if self.session is None:
            return None
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == self.session:  # field 6 of stat, the session id
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")


def now_ms():
    return int(time.time() * 1000)


SUFFIX = f"{random.getrandbits(32):08x}"  # so the benchmark can run again against the same store


def create_experiment(server, name):
    return server.post("/experiments/create", {"name": f"{name}-{server.name}-{SUFFIX}"})[1]["experiment_id"]


def create_run(server, experiment_id, name, start_time=None, tags=()):
    body = {"experiment_id": experiment_id, "run_name": name, "start_time": start_time or now_ms(),
            "tags": [{"key": k, "value": v} for k, v in tags]}
    elapsed, answer, _ = server.post("/runs/create", body)
    return elapsed, answer["run"]["info"]["run_id"]


def log_batch(server, run_id, metrics=(), params=(), tags=()):
    body = {"run_id": run_id}
    if metrics:
        body["metrics"] = list(metrics)
    if params:
        body["params"] = [{"key": k, "value": v} for k, v in params]
    if tags:
        body["tags"] = [{"key": k, "value": v} for k, v in tags]
    return server.post("/runs/log-batch", body)[0]


def percentile(samples, q):
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ---------------------------------------------------------------- seeding


SEARCH_ALPHAS = ["0.1", "0.2", "0.5", "1.0"]


def search_dataset():
    """The 2,000 runs: the same values for every server, and the count the filter must find."""
    rng = random.Random(20240601)
    base = 1_700_000_000_000
    runs = []
    for i in range(SEARCH_RUNS):
        rmse = round(rng.random(), 6)
        alpha = rng.choice(SEARCH_ALPHAS)
        runs.append({
            "name": f"search-{i:04d}",
            "start_time": base + i * 1000,  # distinct, so the default order (start_time DESC) is the same everywhere
            "metrics": [("rmse", rmse), ("r2", round(1 - rmse, 6)), ("mae", round(rmse * 0.8, 6))],
            "params": [("alpha", alpha), ("l1_ratio", rng.choice(["0.1", "0.5", "0.9"])), ("optimizer", rng.choice(["adam", "sgd"]))],
            "tags": [("group", f"g{i % 10}")],
        })
    matching = [r["name"] for r in runs if r["metrics"][0][1] < 0.5 and r["params"][0][1] == "0.1"]
    # Newest first, as the servers order by start_time DESC.
    matching.reverse()
    return runs, matching


def seed_search(server, experiment_id, runs):
    started = time.monotonic()
    for i, run in enumerate(runs):
        _, run_id = create_run(server, experiment_id, run["name"], run["start_time"], tags=run["tags"])
        ts = run["start_time"] + 500
        log_batch(server, run_id,
                  metrics=[{"key": k, "value": v, "timestamp": ts, "step": 0} for k, v in run["metrics"]],
                  params=run["params"])
        if (i + 1) % 500 == 0:
            print(f"  {server.name}: {i + 1} runs seeded ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    return time.monotonic() - started


def history_values():
    return [round(1.0 / (1 + i * 0.01), 9) for i in range(HISTORY_POINTS)]


def seed_history(server, experiment_id):
    _, run_id = create_run(server, experiment_id, "history")
    values = history_values()
    base = 1_700_000_000_000
    for chunk in range(0, HISTORY_POINTS, BATCH_METRICS):
        log_batch(server, run_id, metrics=[
            {"key": "loss", "value": values[i], "timestamp": base + i, "step": i}
            for i in range(chunk, min(chunk + BATCH_METRICS, HISTORY_POINTS))
        ])
    return run_id


# ---------------------------------------------------------------- the operations


class Operation:
    """prepare(server) -> state, once; sample(server, state, i) -> seconds, per iteration; check(...) once."""

    def __init__(self, name, iterations, warmup):
        self.name, self.iterations, self.warmup = name, iterations, warmup


class HealthCheck(Operation):
    """Not an MLflow call: each server's health route, the floor of HTTP plus this client."""

    def __init__(self, iterations):
        super().__init__("(reference) health check: HTTP + client floor, no store", iterations, 20)

    def prepare(self, server):
        for path in ("/healthz", "/health"):
            elapsed, status, _ = server.request("GET", path, absolute=True)
            if status == 200:
                return path
        raise Failure(f"{server.name}: neither /healthz nor /health answers 200")

    def sample(self, server, path, i):
        elapsed, status, _ = server.request("GET", path, absolute=True)
        if status != 200:
            raise Failure(f"{server.name}: GET {path} answered {status}")
        return elapsed


class CreateRunAndLogBatch(Operation):
    def __init__(self, iterations):
        super().__init__("create run + log-batch (10 metrics, 5 params, 2 tags): 2 calls", iterations, max(5, iterations // 20))

    def prepare(self, server):
        return create_experiment(server, "bench-create")

    def sample(self, server, experiment_id, i):
        created, run_id = create_run(server, experiment_id, f"create-{i}")
        ts = now_ms()
        logged = log_batch(server, run_id,
                           metrics=[{"key": f"m{k}", "value": k * 0.5 + i, "timestamp": ts, "step": 0} for k in range(10)],
                           params=[(f"p{k}", str(k)) for k in range(5)],
                           tags=[("team", "bench"), ("iteration", str(i))])
        return created + logged


class LogMetric(Operation):
    def __init__(self, iterations):
        super().__init__("log-metric (1 call)", iterations, max(5, iterations // 20))

    def prepare(self, server):
        experiment_id = create_experiment(server, "bench-log-metric")
        return create_run(server, experiment_id, "log-metric")[1]

    def sample(self, server, run_id, i):
        body = {"run_id": run_id, "run_uuid": run_id, "key": "loss", "value": 1.0 / (abs(i) + 2), "timestamp": now_ms(), "step": i + 1000}
        return server.post("/runs/log-metric", body)[0]


class LogBatch1000(Operation):
    def __init__(self, iterations):
        super().__init__(f"log-batch of {BATCH_METRICS:,} metrics (1 call)", iterations, 3)

    def prepare(self, server):
        return create_experiment(server, "bench-log-batch")

    def sample(self, server, experiment_id, i):
        # A fresh run each time (created outside the clock), so no run grows over the iterations:
        # 10 keys x 100 steps, like a training loop flushing its buffer.
        _, run_id = create_run(server, experiment_id, f"batch-{i}")
        ts = now_ms()
        metrics = [{"key": f"metric_{k % 10}", "value": (k * 7919 % 1000) / 1000.0, "timestamp": ts + k, "step": k // 10}
                   for k in range(BATCH_METRICS)]
        return server.post("/runs/log-batch", {"run_id": run_id, "metrics": metrics})[0]


class SearchRuns(Operation):
    def __init__(self, iterations, experiment_ids, expected):
        super().__init__(f"runs/search over {SEARCH_RUNS:,} runs, metric + param filter, max_results {SEARCH_PAGE}", iterations, 3)
        self.experiment_ids, self.expected = experiment_ids, expected

    def body(self, server, token=None):
        body = {"experiment_ids": [self.experiment_ids[server.name]], "filter": SEARCH_FILTER,
                "run_view_type": "ACTIVE_ONLY", "max_results": SEARCH_PAGE}
        if token:
            body["page_token"] = token
        return body

    def prepare(self, server):
        return None

    def sample(self, server, _, i):
        elapsed, answer, _ = server.post("/runs/search", self.body(server))
        if len(answer.get("runs", [])) != min(SEARCH_PAGE, len(self.expected)):
            raise Failure(f"{server.name}: runs/search returned {len(answer.get('runs', []))} runs, not {min(SEARCH_PAGE, len(self.expected))}")
        return elapsed


class MetricHistory(Operation):
    def __init__(self, iterations, run_ids):
        super().__init__(f"metrics/get-history, {HISTORY_POINTS:,} points (1 call)", iterations, 3)
        self.run_ids = run_ids

    def query(self, server):
        run_id = self.run_ids[server.name]
        return {"run_id": run_id, "run_uuid": run_id, "metric_key": "loss", "max_results": 25000}

    def prepare(self, server):
        return None

    def sample(self, server, _, i):
        elapsed, answer, _ = server.get("/metrics/get-history", self.query(server))
        if len(answer.get("metrics", [])) != HISTORY_POINTS or answer.get("next_page_token"):
            raise Failure(f"{server.name}: get-history returned {len(answer.get('metrics', []))} points "
                          f"(next_page_token {answer.get('next_page_token')!r}), not {HISTORY_POINTS} in one page")
        return elapsed


# ---------------------------------------------------------------- checks


def check_search(servers, op, expected, notes):
    """Pages through the whole filtered result on every server and compares with what was seeded."""
    first_pages = {}
    for server in servers:
        names, token, pages = [], None, 0
        while True:
            _, answer, _ = server.post("/runs/search", op.body(server, token))
            runs = answer.get("runs", [])
            if pages == 0:
                first_pages[server.name] = answer
            names += [r["info"]["run_name"] for r in runs]
            for run in runs:
                metrics = {m["key"]: m["value"] for m in run["data"].get("metrics", [])}
                params = {p["key"]: p["value"] for p in run["data"].get("params", [])}
                if not (metrics.get("rmse", 1) < 0.5 and params.get("alpha") == "0.1"):
                    raise Failure(f"{server.name}: runs/search returned run {run['info']['run_name']} that does not match the filter")
            pages += 1
            token = answer.get("next_page_token")
            if not token or pages > 50:
                break
        if sorted(names) != sorted(expected):
            raise Failure(f"{server.name}: the filter found {len(names)} runs over {pages} pages; {len(expected)} were expected")
        if names != expected:
            notes.append(f"{server.name}: runs/search found the right {len(expected)} runs but not in start_time DESC order")
        print(f"  {server.name}: runs/search found all {len(expected)} matching runs in {pages} pages of {SEARCH_PAGE}", file=sys.stderr)
    compare_shapes("runs/search (first page)", first_pages, notes)


def check_history(servers, op, notes):
    expected = history_values()
    answers, sizes = {}, {}
    for server in servers:
        _, answer, size = server.get("/metrics/get-history", op.query(server))
        answers[server.name], sizes[server.name] = answer, size
        points = answer.get("metrics", [])
        steps = [p["step"] for p in points]
        if [int(s) for s in steps] != list(range(HISTORY_POINTS)):
            if sorted(int(s) for s in steps) == list(range(HISTORY_POINTS)):
                notes.append(f"{server.name}: get-history has all {HISTORY_POINTS} steps but not in step order")
            else:
                raise Failure(f"{server.name}: get-history steps are not 0..{HISTORY_POINTS - 1}")
        by_step = {int(p["step"]): float(p["value"]) for p in points}
        wrong = [s for s in range(HISTORY_POINTS) if by_step.get(s) != expected[s]]
        if wrong:
            raise Failure(f"{server.name}: get-history values differ from what was logged at {len(wrong)} steps, e.g. step {wrong[0]}: "
                          f"{by_step.get(wrong[0])!r} != {expected[wrong[0]]!r}")
        print(f"  {server.name}: get-history returned all {HISTORY_POINTS} points, right values, {size:,} bytes", file=sys.stderr)
    compare_shapes("metrics/get-history", answers, notes)
    notes.append(f"metrics/get-history of {HISTORY_POINTS:,} points, response body: " + ", ".join(f"{n} {b:,} bytes" for n, b in sizes.items()))


def shape(value):
    """The JSON structure without values: keys and value types, lists reduced to their first item."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"  # JSON has one number type: 1 and 1.0 are the same value to the client
    return type(value).__name__


def paths(value, prefix=""):
    """Every key path of a shape, with the type at its end: {"runs.[].info.run_id: str", ...}."""
    if isinstance(value, dict):
        out = {f"{prefix}{k}: {{}}" for k, v in value.items() if v == {}}
        for k, v in value.items():
            if v != {}:
                out |= paths(v, f"{prefix}{k}.")
        return out
    if isinstance(value, list):
        return paths(value[0], f"{prefix}[].") if value else {f"{prefix.rstrip('.')}: []"}
    return {f"{prefix.rstrip('.')}: {value}"}


def compare_shapes(what, answers, notes):
    """Notes the key paths (and value types) that one server's answer has and another's lacks."""
    found = {name: paths(shape(a)) for name, a in answers.items()}
    everywhere = set.intersection(*found.values())
    for name, mine in found.items():
        extra = sorted(mine - everywhere)
        if extra:
            notes.append(f"{what}: only {name}'s answer has " + ", ".join(f"`{p}`" for p in extra))


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", nargs="+", metavar="NAME=URL")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every iteration count (default 1)")
    parser.add_argument("--json", help="also write the raw samples (ms) here")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per operation (default 5)")
    parser.add_argument("--interleave", action="store_true", help="alternate single calls between the servers instead of rounds")
    args = parser.parse_args()
    servers = []
    for spec in args.servers:
        name, rest = spec.split("=", 1)
        url, _, session = rest.partition(",")
        servers.append(Server(name, url, int(session) if session else None))
    n = lambda count: max(3, int(count * args.scale))  # noqa: E731
    notes = []

    t0 = time.monotonic()
    print("seeding", file=sys.stderr, flush=True)
    runs, expected = search_dataset()
    search_experiments, history_runs = {}, {}
    for server in servers:
        search_experiments[server.name] = create_experiment(server, "bench-search")
        seconds = seed_search(server, search_experiments[server.name], runs)
        print(f"  {server.name}: {SEARCH_RUNS} runs (create-run + log-batch each) in {seconds:.1f} s", file=sys.stderr, flush=True)
        started = time.monotonic()
        history_runs[server.name] = seed_history(server, create_experiment(server, "bench-history"))
        print(f"  {server.name}: {HISTORY_POINTS} history points in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)

    reference = HealthCheck(n(1000))
    operations = [
        CreateRunAndLogBatch(n(200)),
        LogMetric(n(200)),
        LogBatch1000(n(30)),
        SearchRuns(n(50), search_experiments, expected),
        MetricHistory(n(30), history_runs),
    ]
    print("checking", file=sys.stderr, flush=True)
    check_search(servers, operations[3], expected, notes)
    check_history(servers, operations[4], notes)

    results, cpu = {}, {}
    for op in operations + [reference]:
        states = {s.name: op.prepare(s) for s in servers}
        for i in range(op.warmup):
            for server in servers:
                op.sample(server, states[server.name], -1 - i)
        samples = {s.name: [] for s in servers}
        cpu_before = {s.name: s.cpu_seconds() for s in servers}
        started = time.monotonic()
        if args.interleave:
            for i in range(op.iterations):
                # The order flips every iteration so neither server always goes first.
                for server in (servers if i % 2 == 0 else list(reversed(servers))):
                    samples[server.name].append(op.sample(server, states[server.name], i) * 1000)
        else:
            rounds = max(1, min(args.rounds, op.iterations))
            bounds = [op.iterations * r // rounds for r in range(rounds + 1)]
            for r in range(rounds):
                for server in (servers if r % 2 == 0 else list(reversed(servers))):
                    for i in range(bounds[r], bounds[r + 1]):
                        samples[server.name].append(op.sample(server, states[server.name], i) * 1000)
        results[op.name] = samples
        cpu[op.name] = {s.name: (s.cpu_seconds() - cpu_before[s.name]) * 1000 / op.iterations
                        for s in servers if cpu_before[s.name] is not None}
        print(f"  {op.name}: {op.iterations} iterations in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)

    first, last = servers[0].name, servers[-1].name
    header = ["operation"]
    for s in servers:
        header += [f"{s.name} p50 ms", f"{s.name} p95 ms"]
    header += [f"{last} / {first} (p50)", "n"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for op in operations + [reference]:
        samples = results[op.name]
        row = [op.name]
        for s in servers:
            row += [f"{percentile(samples[s.name], 0.5):.2f}", f"{percentile(samples[s.name], 0.95):.2f}"]
        ratio = percentile(samples[last], 0.5) / percentile(samples[first], 0.5)
        row += [f"{ratio:.1f}×", str(op.iterations)]
        print("| " + " | ".join(row) + " |")
    if any(cpu.values()):
        print()
        names = [s.name for s in servers if s.session is not None]
        print("Server CPU time per iteration (user + system, all the server's processes, over the timed loop; "
              "clock ticks are 10 ms, so the cheap rows are averages over many ticks):")
        print()
        print("| operation | " + " | ".join(f"{n} CPU ms" for n in names) + " | " + " | ".join(f"{n} p50 ms" for n in names) + " |")
        print("|---|" + "---:|" * (2 * len(names)))
        for op in operations + [reference]:
            print(f"| {op.name} | " + " | ".join(f"{cpu[op.name][n]:.2f}" for n in names) + " | "
                  + " | ".join(f"{percentile(results[op.name][n], 0.5):.2f}" for n in names) + " |")
    print()
    print(f"Timing: {'single calls interleaved between the servers' if args.interleave else f'{args.rounds} rounds per operation, each server back to back within a round'}. "
          f"Benchmark wall time: {time.monotonic() - t0:.0f} s (seeding included). "
          f"Calls per server: " + ", ".join(f"{s.name} {s.calls:,}" for s in servers) + ".")
    if notes:
        print()
        print("Notes on the answers:")
        for note in notes:
            print(f"- {note}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"results": results, "notes": notes}, out)


if __name__ == "__main__":
    try:
        main()
    except Failure as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
