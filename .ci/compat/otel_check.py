"""Sends GenAI spans with the real OpenTelemetry Python SDK to Loupe's /v1/traces and reads them back as traces."""
import json
import sys
import time
import urllib.request
from decimal import Decimal

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind

base = sys.argv[1]
provider = TracerProvider(resource=Resource.create({"service.name": "otel-compat-app"}))
# Protobuf is the SDK's OTLP/HTTP encoding.
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces")))
tracer = provider.get_tracer("otel-compat")

with tracer.start_as_current_span("POST /ask", kind=SpanKind.SERVER) as root:
    otel_trace_id = format(root.get_span_context().trace_id, "032x")
    # Current GenAI conventions.
    with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as span:
        span.set_attributes({
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500,
            "gen_ai.response.id": "chatcmpl-compat", "gen_ai.response.finish_reasons": ["stop"],
        })
    # Deprecated names, as older instrumentations send them.
    with tracer.start_as_current_span("chat gpt-4o", kind=SpanKind.CLIENT) as span:
        span.set_attributes({"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                             "gen_ai.usage.prompt_tokens": 2000, "gen_ai.usage.completion_tokens": 100})
    # OpenInference.
    with tracer.start_as_current_span("ChatCompletion") as span:
        span.set_attributes({"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.provider": "openai",
                             "llm.token_count.prompt": 10, "llm.token_count.completion": 20})
provider.force_flush()
provider.shutdown()


def get_json(path):
    with urllib.request.urlopen(base + path) as response:
        return json.load(response)


expected = {  # model: (input, output, cost)
    "gpt-4o-mini": Decimal("0.00015") + Decimal("0.0003"),
    "gpt-4o": Decimal("0.005") + Decimal("0.001"),
}
deadline = time.time() + 5
while True:
    traces = [t for t in get_json("/api/traces?limit=50")["data"] if t["endpoint"].startswith("otel:")]
    if len(traces) >= 3 or time.time() > deadline:
        break
    time.sleep(0.1)

failures = 0
def check(name, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    failures += 0 if ok else 1

check("three GenAI spans became traces", len(traces) == 3, traces)
by_span = {t["metadata"]["otel_span_name"]: t for t in traces}
current = by_span.get("chat gpt-4o-mini", {})
check("current gen_ai span priced", Decimal(str(current.get("cost_usd"))) == expected["gpt-4o-mini"], current)
check("current gen_ai span joins the app's trace", current.get("metadata", {}).get("otel_trace_id") == otel_trace_id, current)
deprecated = by_span.get("chat gpt-4o", {})
check("deprecated gen_ai.system/prompt_tokens priced", Decimal(str(deprecated.get("cost_usd"))) == expected["gpt-4o"], deprecated)
openinference = by_span.get("ChatCompletion", {})
check("OpenInference llm.* mapped", openinference.get("input_tokens") == 10 and openinference.get("cost_usd") is not None, openinference)
spans = get_json(f"/api/spans?otel_trace_id={otel_trace_id}")["spans"]
check("all four spans kept, the HTTP one as a plain span", sorted(s["name"] for s in spans) == ["ChatCompletion", "POST /ask", "chat gpt-4o", "chat gpt-4o-mini"], spans)
sys.exit(1 if failures else 0)
