import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import LoupeCore
import LoupeOTel
import NIOCore

/// `POST /v1/traces`: OTLP/HTTP trace ingest (protobuf or JSON, gzip or not), and `GET /api/spans` to read spans back.
///
/// GenAI spans become Loupe traces (priced and queued through the `TraceRecorder`, like proxied calls); every
/// span, GenAI or not, is kept in the `SpanStore` under its OTel trace id, so a trace's whole tree reads back.
struct OTelIngestController<Context: RequestContext>: Sendable {
    let store: any SpanStore
    let recorder: TraceRecorder
    let gateway: Gateway?
    let maxBodyBytes: Int
    let logger: Logger

    /// Registered before the proxy's `v1/**` passthrough; the router prefers the constant path either way.
    func addRoutes(to router: Router<Context>) {
        router.post("v1/traces") { request, _ in await ingest(request) }
        router.get("api/spans") { request, _ in try await spans(request) }
    }

    func ingest(_ request: Request) async -> Response {
        let json = request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false
        func refuse(_ status: HTTPResponse.Status, grpcCode: Int, _ message: String) -> Response {
            Self.response(status: status, json: json, OTLPResponse.status(code: grpcCode, message: message, json: json))
        }
        if let gateway {
            do {
                _ = try await gateway.authenticate(request.headers)
            } catch {
                return refuse(error.status, grpcCode: error.status == .unauthorized ? 16 : 14, error.message)
            }
        }
        var body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            return refuse(.contentTooLarge, grpcCode: 8, "The request body is larger than \(maxBodyBytes) bytes (server.max_body_bytes); send smaller batches.")
        } catch {
            return refuse(.badRequest, grpcCode: 3, "The request body could not be read: \(error)")
        }
        let batch: OTLPBatch
        do throws(OTLPDecodeError) {
            switch request.headers[.contentEncoding]?.lowercased() {
            case nil, "identity", "": break
            case "gzip", "deflate": body = try Gzip.decompress(body, limit: maxBodyBytes)
            case let other?: throw OTLPDecodeError("Content-Encoding '\(other)' is not supported; send gzip or no encoding")
            }
            batch = json ? try OTLPBatch(json: body) : try OTLPBatch(protobuf: body)
        } catch {
            if error.reason.contains("inflates past") {
                return refuse(.contentTooLarge, grpcCode: 8, "The request body \(error.reason) (server.max_body_bytes); send smaller batches.")
            }
            let format = json ? "OTLP/JSON" : "OTLP protobuf (send Content-Type: application/json for OTLP/JSON)"
            return refuse(.badRequest, grpcCode: 3, "The body is not an \(format) ExportTraceServiceRequest: \(error.reason)")
        }

        var spans = batch.spans
        for index in spans.indices {
            guard let (trace, names) = spans[index].genAITrace() else { continue }
            spans[index].loupeTraceID = trace.id
            var stored = trace
            (stored.request, stored.requestTruncated) = recorder.storedBody(Array((trace.request ?? "").utf8))
            (stored.response, stored.responseTruncated) = recorder.storedBody(Array((trace.response ?? "").utf8))
            await recorder.recordIngested(stored, pricedAs: names)
        }
        do {
            try await store.insert(spans: spans)
        } catch {
            logger.error("OpenTelemetry spans could not be stored", metadata: ["error": "\(error)", "spans": "\(spans.count)"])
            // 503 asks the exporter to retry; a resent batch makes the same rows and traces, stored once.
            return refuse(.serviceUnavailable, grpcCode: 14, "The spans could not be stored right now; retry later.")
        }
        return Self.response(status: .ok, json: json, OTLPResponse.export(rejectedSpans: batch.rejectedSpans, errorMessage: batch.errorMessage, json: json))
    }

    /// `GET /api/spans?otel_trace_id=<32 hex>`: the spans of one OTel trace, earliest first.
    func spans(_ request: Request) async throws -> Response {
        guard let traceID = request.uri.queryParameters.get("otel_trace_id")?.lowercased(), traceID.count == 32,
            traceID.allSatisfy(\.isHexDigit)
        else {
            throw APIError(status: .badRequest, message: "Give otel_trace_id, the OTel trace id in 32 hex digits.", code: "invalid_otel_trace_id", param: "otel_trace_id")
        }
        let spans = try await store.spans(otelTraceID: traceID)
        let items: [JSONValue] = spans.map { span in
            var object: [String: JSONValue] = [
                "trace_id": .string(span.traceID), "span_id": .string(span.spanID), "name": .string(span.name), "kind": .number(Double(span.kind)),
                "start_time_unix_nano": .string(String(span.startTimeUnixNano)), "end_time_unix_nano": .string(String(span.endTimeUnixNano)),
                "duration_ms": .number(span.durationMs), "status_code": .number(Double(span.statusCode)),
                "attributes": .object(span.attributes), "resource": .object(span.resource),
            ]
            if let parent = span.parentSpanID { object["parent_span_id"] = .string(parent) }
            if let message = span.statusMessage { object["status_message"] = .string(message) }
            if let scope = span.scopeName { object["scope_name"] = .string(scope) }
            if let loupe = span.loupeTraceID { object["loupe_trace_id"] = .string(loupe) }
            return .object(object)
        }
        let text = JSONValue.object(["spans": .array(items)]).jsonText
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func response(status: HTTPResponse.Status, json: Bool, _ bytes: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: json ? "application/json" : "application/x-protobuf"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
