import AsyncHTTPClient
import Foundation
import LoupeConfig
import LoupeCore
import LoupeOTel
import LoupeSQLite
import LoupeTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `/v1/traces` on a live Loupe: OTLP in JSON and protobuf becomes priced traces and stored spans.
@Suite struct OTelIngestControllerTests {
    static let traceID = "5b8efff798038103d269b633813fc60c"

    /// An OTLP/JSON body: a GenAI span (gpt-4o-mini, 1000 in, 500 out), a plain HTTP span, and `extra` spans.
    static func jsonBody(extra: [String] = []) -> String {
        let genAI = """
            {"traceId":"\(traceID)","spanId":"eee19b7ec3c1b174","parentSpanId":"1111111111111111","name":"chat gpt-4o-mini","kind":3,
             "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001500000000",
             "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                           {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                           {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
                           {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}},
                           {"key":"gen_ai.usage.output_tokens","value":{"intValue":500}}]}
            """
        let plain = """
            {"traceId":"\(traceID)","spanId":"1111111111111111","name":"POST /ask","kind":2,
             "startTimeUnixNano":"1699999999900000000","endTimeUnixNano":"1700000001600000000",
             "attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}}]}
            """
        let spans = ([genAI, plain] + extra).joined(separator: ",")
        return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"support-bot"}}]},"scopeSpans":[{"spans":["#
            + spans + "]}]}]}"
    }

    static func post(_ loupe: LoupeHarness, _ body: [UInt8], contentType: String, headers: [(String, String)] = []) async throws
        -> (status: Int, contentType: String?, body: [UInt8])
    {
        var request = HTTPClientRequest(url: loupe.baseURL + "/v1/traces")
        request.method = .POST
        request.headers.add(name: "content-type", value: contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await loupe.http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "content-type"), Array(bytes.readableBytesView))
    }

    @Test func jsonSpansBecomePricedTracesAndStoredSpansAndABadSpanIsRejectedAlone() async throws {
        try await withLoupe { loupe in
            let malformed = #"{"traceId":"\#(Self.traceID)","spanId":"2222222222222222","name":"backwards","startTimeUnixNano":"9","endTimeUnixNano":"1"}"#
            let reply = try await Self.post(loupe, Array(Self.jsonBody(extra: [malformed]).utf8), contentType: "application/json")
            #expect(reply.status == 200)
            #expect(reply.contentType == "application/json")
            let answer = try #require(JSONValue.parse(String(decoding: reply.body, as: UTF8.self)))
            #expect(answer["partialSuccess"]?["rejectedSpans"] == "1")
            #expect(answer["partialSuccess"]?["errorMessage"]?.stringValue?.contains("ends before it starts") == true)

            let id = OTelSpan.loupeTraceID(traceID: Self.traceID, spanID: "eee19b7ec3c1b174", startNanos: 1_700_000_000_000_000_000)
            let trace = try await loupe.trace(id)
            #expect(trace["endpoint"] == "otel:chat")
            #expect(trace["model"] == "gpt-4o-mini")
            #expect(trace["provider"] == "openai")
            #expect(trace["input_tokens"] == 1000 && trace["output_tokens"] == 500)
            #expect(trace["cost_usd"] == "0.00045" || trace["cost_usd"] == .number(0.00045))
            #expect(trace["latency_ms"] == 1500)
            #expect(trace["metadata"]?["otel_trace_id"] == .string(Self.traceID))

            let spans = try #require(try await loupe.get("/api/spans?otel_trace_id=\(Self.traceID)").json?["spans"])
            guard case .array(let items) = spans else { Issue.record("spans is not an array: \(spans)"); return }
            #expect(items.map { $0["name"] } == ["POST /ask", "chat gpt-4o-mini"])
            #expect(items[1]["loupe_trace_id"] == .string(id))
            #expect(items[0]["loupe_trace_id"] == nil)
            #expect(items[1]["parent_span_id"] == "1111111111111111")
        }
    }

    @Test func protobufSpansAreIngestedAndAResentBatchIsKeptOnce() async throws {
        let store = try await withLoupe { loupe in
            let span = OTelSpan(
                traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331", name: "chat gpt-4o-mini", kind: 3,
                startTimeUnixNano: 1_700_000_000_000_000_000, endTimeUnixNano: 1_700_000_000_200_000_000,
                attributes: ["gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.prompt_tokens": 1000, "gen_ai.usage.completion_tokens": 500]
            )
            let body = OTLPExportRequest.protobuf(spans: [span], serviceName: "app")
            for _ in 0..<2 {
                let reply = try await Self.post(loupe, body, contentType: "application/x-protobuf")
                #expect(reply.status == 200)
                #expect(reply.contentType == "application/x-protobuf")
                #expect(try OTLPResponse.partialSuccess(protobuf: reply.body).rejectedSpans == 0)
            }
            let id = OTelSpan.loupeTraceID(traceID: span.traceID, spanID: span.spanID, startNanos: span.startTimeUnixNano)
            let trace = try await loupe.trace(id)
            #expect(trace["cost_usd"] == "0.00045" || trace["cost_usd"] == .number(0.00045))
        }
        #expect(try await store.count() == 1)
    }

    @Test func aBodyThatIsNotOTLPIsRefusedWithAStatusInItsEncoding() async throws {
        try await withLoupe { loupe in
            let protobuf = try await Self.post(loupe, [0x0A, 0x7F, 0x01], contentType: "application/x-protobuf")
            #expect(protobuf.status == 400)
            #expect(protobuf.contentType == "application/x-protobuf")
            #expect(String(decoding: protobuf.body, as: UTF8.self).contains("not an OTLP protobuf"))
            let json = try await Self.post(loupe, Array("[1,2]".utf8), contentType: "application/json")
            #expect(json.status == 400)
            let status = try #require(JSONValue.parse(String(decoding: json.body, as: UTF8.self)))
            #expect(status["code"] == 3)
            #expect(status["message"]?.stringValue?.contains("resourceSpans") == true)
        }
    }

    @Test func gzipBodiesAreAcceptedAndOversizedOnesAre413() async throws {
        try await withLoupe(configure: { configuration, _ in configuration.server.maxBodyBytes = 4096 }) { loupe in
            let compressed = try #require(Data(base64Encoded: Self.gzippedJSON))
            let zipped = try await Self.post(loupe, Array(compressed), contentType: "application/json", headers: [("content-encoding", "gzip")])
            #expect(zipped.status == 200)
            let big = Self.jsonBody(extra: Array(repeating: #"{"name":"x"}"#, count: 400))
            let tooLarge = try await Self.post(loupe, Array(big.utf8), contentType: "application/json")
            #expect(tooLarge.status == 413)
        }
    }

    @Test func withAuthOnTheRouteNeedsAKeyAndWinsOverThePassthrough() async throws {
        try await withLoupe(configure: { configuration, _ in configuration.masterKey = "sk-master-otel-test-key-0123456789abcdef" }) { loupe in
            let anonymous = try await Self.post(loupe, Array(Self.jsonBody().utf8), contentType: "application/json")
            #expect(anonymous.status == 401)
            let keyed = try await Self.post(
                loupe, Array(Self.jsonBody().utf8), contentType: "application/json", headers: [("authorization", "Bearer sk-master-otel-test-key-0123456789abcdef")]
            )
            #expect(keyed.status == 200)
            // The passthrough would have forwarded to the fake upstream; OTLP's answer shows this route ran.
            #expect(String(decoding: keyed.body, as: UTF8.self) == "{}")
            #expect(loupe.upstream.requests().isEmpty)
        }
    }

    /// One GenAI span from service "zipped", gzipped by Python's gzip module.
    static let gzippedJSON =
        "H4sIAAAAAAACA3WQy07DMBBFfwXNuo1i0ub1B2zY8NgghGznJlg0trGdCojy7ziJVEWIzmzmca5mdEdy8GZwEg+Wa0/1y3iZUD0SD8EpMQSsqw98U00e7qwkEs170I7O/DQssI+s7p7Xln6UtWhoml6nHXlp7OaEv1TBcYm7JvJHUaJt26Iq06xkadbc5pXIs1hnrcxTGS/NsoUFwCpRQGaSCVYc4m55pib5zsNNZ8P+YPa90mpWBe7Co+rxpNXXPdcmYqxI/0YkoZtrHDtuuH9d6aDfuEocPgf4kPSmwem6O9sXZ4vW/AVNsiZcjwEAAA=="
}
