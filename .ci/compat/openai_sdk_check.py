"""Drives a live Loupe with the official OpenAI Python SDK and checks what Loupe recorded.

Usage: openai_sdk_check.py http://127.0.0.1:PORT
The upstream is Loupe's fake OpenAI server: replies are "Hello from the fake upstream." (5 words),
prompt tokens are the words in the messages, completion tokens the words in the reply.
"""
import json
import sys
import time
import urllib.request
from decimal import Decimal

import openai
from openai import OpenAI

BASE = sys.argv[1]
client = OpenAI(base_url=f"{BASE}/v1", api_key="sk-client-key-that-loupe-must-not-forward", max_retries=0)
results = []
trace_ids = {}

# gpt-4o-mini list prices per 1M tokens, as in Sources/LoupePricing/prices.json.
INPUT, OUTPUT = Decimal("0.15"), Decimal("0.60")


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok   {name}")
        except Exception as error:  # noqa: BLE001 - report every failure and go on
            results.append((name, error))
            print(f"FAIL {name}: {error!r}")
        return fn
    return wrap


def get_json(path):
    with urllib.request.urlopen(f"{BASE}{path}") as response:
        return json.load(response)


@check("chat, non-stream")
def chat():
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello to the test"}]
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "Hello from the fake upstream.", completion
    assert completion.usage.prompt_tokens == 5 and completion.usage.completion_tokens == 5, completion.usage
    trace_ids["chat"] = raw.headers["x-loupe-trace-id"]


@check("chat, stream without usage: client sees no usage chunk")
def chat_stream():
    raw = client.chat.completions.with_raw_response.create(
        model="fast", messages=[{"role": "user", "content": "one two three"}], stream=True
    )
    trace_ids["stream"] = raw.headers["x-loupe-trace-id"]
    chunks = list(raw.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from the fake upstream.", text
    assert all(c.choices for c in chunks), "a usage-only chunk reached the client"
    assert all(getattr(c, "usage", None) is None for c in chunks), "usage reached a client that did not ask"


@check("chat, stream with include_usage: client gets the usage chunk")
def chat_stream_usage():
    chunks = list(client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "one two"}], stream=True,
        stream_options={"include_usage": True},
    ))
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens == 2, chunks[-1]


@check("embeddings")
def embeddings():
    raw = client.embeddings.with_raw_response.create(model="text-embedding-3-small", input=["alpha beta gamma", "delta"])
    result = raw.parse()
    assert len(result.data) == 2 and len(result.data[0].embedding) == 8, result
    assert result.usage.prompt_tokens == 4, result.usage
    trace_ids["embeddings"] = raw.headers["x-loupe-trace-id"]


@check("models")
def models():
    ids = [m.id for m in client.models.list()]
    assert "fast" in ids and "gpt-4o-mini" in ids, ids


@check("error passes through: 429 with Retry-After")
def rate_limited():
    try:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
            extra_headers={"x-fake-status": "429", "x-fake-retry-after": "7"},
        )
    except openai.RateLimitError as error:
        assert error.response.headers.get("retry-after") == "7", error.response.headers
        return
    raise AssertionError("expected RateLimitError")


@check("error from Loupe: missing model is a 400 in OpenAI's shape")
def bad_request():
    try:
        client.chat.completions.create(model="", messages=[{"role": "user", "content": "hi"}])
    except openai.BadRequestError as error:
        assert error.code == "missing_model", error
        return
    raise AssertionError("expected BadRequestError")


def trace(trace_id):
    deadline = time.time() + 3
    while True:
        try:
            return get_json(f"/api/traces/{trace_id}")
        except urllib.error.HTTPError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


@check("traces carry the right tokens and exact cost")
def traces():
    chat = trace(trace_ids["chat"])
    assert (chat["input_tokens"], chat["output_tokens"]) == (5, 5), chat
    assert Decimal(str(chat["cost_usd"])) == (5 * INPUT + 5 * OUTPUT) / 1_000_000, chat["cost_usd"]
    stream = trace(trace_ids["stream"])
    assert stream["stream"] is True and stream["model"] == "fast", stream
    assert (stream["input_tokens"], stream["output_tokens"]) == (3, 5), stream
    assert stream["ttft_ms"] is not None and stream["ttft_ms"] <= stream["latency_ms"], stream
    assert Decimal(str(stream["cost_usd"])) == (3 * INPUT + 5 * OUTPUT) / 1_000_000, stream["cost_usd"]
    embedding = trace(trace_ids["embeddings"])
    assert embedding["input_tokens"] == 4 and embedding["cost_usd"] is not None, embedding


@check("cost report adds up to the traces")
def report():
    time.sleep(0.2)
    rows = get_json("/api/reports/cost?group_by=model")["data"]
    listed = get_json("/api/traces?limit=1000")["data"]
    total_traces = sum(Decimal(str(t["cost_usd"])) for t in listed if t["cost_usd"] is not None)
    total_report = sum(Decimal(str(r["cost_usd"])) for r in rows if r["cost_usd"] is not None)
    assert total_traces == total_report and total_traces > 0, (total_traces, total_report)
    assert sum(r["requests"] for r in rows) == len(listed), (rows, len(listed))


def post_json(path, body, method="POST"):
    request = urllib.request.Request(f"{BASE}{path}", data=json.dumps(body).encode(), method=method,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


@check("registry prompt through extra_body: rendered upstream, traced with its version")
def registry_prompt():
    post_json("/api/prompts", {"name": "sdk/greet", "labels": ["production"], "config": {"model": "gpt-4o-mini"},
                               "prompt": [{"role": "system", "content": "Greet {{name}} warmly"}]})
    post_json("/api/prompts", {"name": "sdk/greet", "prompt": [{"role": "system", "content": "v2 is not in production"}]})
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}],
        extra_body={"prompt": {"name": "sdk/greet", "variables": {"name": "Ann"}}},
    )
    completion = raw.parse()
    # The fake counts prompt tokens as the words of every message: "Greet Ann warmly" + "Hi".
    assert completion.usage.prompt_tokens == 4, completion.usage
    recorded = trace(raw.headers["x-loupe-trace-id"])
    assert (recorded["prompt_name"], recorded["prompt_version"]) == ("sdk/greet", 1), recorded
    assert recorded["request"]["messages"][0] == {"role": "system", "content": "Greet Ann warmly"}, recorded["request"]
    assert "prompt" not in recorded["request"], recorded["request"]
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=[], extra_body={"prompt": {"name": "sdk/greet"}})
    except openai.BadRequestError as error:
        assert "name" in str(error), error
    else:
        raise AssertionError("expected a 400 for the missing variable")


AWS_KEY = "AKIA2E0A8F3B244C9986"
SECRET = "sk-proj-Q7xT2mVb9LkR4pZs8NcW1yHd6JfE3aUg"


@check("guardrails: a blocked request is a BadRequestError with code guardrail_violation")
def guardrail_block():
    try:
        client.chat.completions.create(
            model="guarded", messages=[{"role": "user", "content": f"Mail ann@example.com the key {AWS_KEY}"}]
        )
    except openai.BadRequestError as error:
        assert error.code == "guardrail_violation", error
        assert error.body["guardrail"]["check"] == "secrets", error.body
        return
    raise AssertionError("expected BadRequestError")


@check("guardrails: an email is masked before the provider sees it; the stream's secret is masked too")
def guardrail_redact():
    raw = client.chat.completions.with_raw_response.create(
        model="guarded", messages=[{"role": "user", "content": "Please mail ann@example.com today"}]
    )
    recorded = trace(raw.headers["x-loupe-trace-id"])
    assert recorded["request"]["messages"][0]["content"] == "Please mail [EMAIL] today", recorded["request"]
    assert recorded["guardrails"] == [{"direction": "input", "check": "pii", "action": "redact", "category": "email", "count": 1}]
    stream = client.chat.completions.create(
        model="guarded", messages=[{"role": "user", "content": "key?"}], stream=True,
        extra_headers={"x-fake-reply": f"Use {SECRET} for now and rotate it soon.", "x-fake-piece-length": "3"},
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == "Use [SECRET] for now and rotate it soon.", text


@check("guardrails: the check API and the report")
def guardrail_api():
    checked = post_json("/api/guardrails/check", {"policy": "strict", "direction": "input", "text": "ann@example.com"})
    assert checked["passed"] is True and checked["text"] == "[EMAIL]", checked
    rows = get_json("/api/reports/guardrails")["data"]
    assert any(r["check"] == "secrets" and r["action"] == "block" and r["calls"] >= 1 for r in rows), rows


failed = sum(1 for _, error in results if error)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
