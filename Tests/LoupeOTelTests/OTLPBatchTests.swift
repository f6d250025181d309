import Foundation
import LoupeCore
import LoupeOTel
import Testing

/// A GenAI span as an instrumented app sends it, for the decoders and mapping tests.
func genAISpan(
    name: String = "chat gpt-4o-mini", traceID: String = "5b8efff798038103d269b633813fc60c", spanID: String = "eee19b7ec3c1b174",
    attributes: [String: JSONValue] = ["gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500]
) -> OTelSpan {
    OTelSpan(
        traceID: traceID, spanID: spanID, parentSpanID: "aaaaaaaaaaaaaaaa", name: name, kind: 3,
        startTimeUnixNano: 1_700_000_000_000_000_000, endTimeUnixNano: 1_700_000_001_500_000_000, attributes: attributes,
        statusCode: 2, statusMessage: "rate limited", resource: ["service.name": "support-bot"], scopeName: "loupe"
    )
}

@Suite struct OTLPBatchTests {
    @Test func protobufRoundTripsEverySpanField() throws {
        var span = genAISpan(attributes: [
            "s": "text", "b": true, "i": 42, "d": 0.25, "neg": -7,
            "list": .array(["a", 1]), "map": .object(["k": "v"]),
        ])
        span.scopeName = "loupe"
        let body = OTLPExportRequest.protobuf(spans: [span], serviceName: "support-bot")
        let batch = try OTLPBatch(protobuf: body)
        #expect(batch.rejectedSpans == 0)
        #expect(batch.spans == [span])
    }

    @Test func jsonDecodesTheOTLPJSONRules() throws {
        let body = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"app"}}]},
             "scopeSpans":[{"scope":{"name":"openai"},"spans":[{
               "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","parentSpanId":"",
               "name":"chat","kind":3,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":1700000000500000000,
               "attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"12"}},
                             {"key":"t","value":{"doubleValue":0.5}},{"key":"ok","value":{"boolValue":true}},
                             {"key":"r","value":{"arrayValue":{"values":[{"stringValue":"stop"}]}}}],
               "status":{"code":"STATUS_CODE_ERROR","message":"boom"}}]}]}]}
            """
        let batch = try OTLPBatch(json: Array(body.utf8))
        let span = try #require(batch.spans.first)
        #expect(span.traceID == "5b8efff798038103d269b633813fc60c")
        #expect(span.parentSpanID == nil)
        #expect(span.kind == 3)
        #expect(span.startTimeUnixNano == 1_700_000_000_000_000_000)
        #expect(span.durationMs == 500)
        #expect(span.attributes["gen_ai.usage.input_tokens"] == .number(12))
        #expect(span.attributes["t"] == .number(0.5))
        #expect(span.attributes["ok"] == .bool(true))
        #expect(span.attributes["r"] == .array(["stop"]))
        #expect(span.statusCode == 2 && span.statusMessage == "boom")
        #expect(span.serviceName == "app" && span.scopeName == "openai")
    }

    @Test func jsonRejectsEachMalformedSpanAloneAndKeepsTheRest() throws {
        func span(_ fields: String) -> String {
            #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"ok","startTimeUnixNano":"1","endTimeUnixNano":"2""#
                + fields + "}"
        }
        let spans = [
            span(""),
            #"{"traceId":"5b8e","spanId":"eee19b7ec3c1b174","name":"short trace id","startTimeUnixNano":"1","endTimeUnixNano":"2"}"#,
            #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"","startTimeUnixNano":"1","endTimeUnixNano":"2"}"#,
            #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"backwards","startTimeUnixNano":"5","endTimeUnixNano":"2"}"#,
            span(#","attributes":[{"key":"x","value":"not an AnyValue"}]"#),
            span(#","attributes":[{"key":"x","value":{"intValue":"twelve"}}]"#),
        ]
        let body = #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + spans.joined(separator: ",") + "]}]}]}"
        let batch = try OTLPBatch(json: Array(body.utf8))
        #expect(batch.spans.count == 1)
        #expect(batch.rejectedSpans == 5)
        let message = try #require(batch.errorMessage)
        #expect(message.contains("trace id must be 16 bytes"))
        #expect(message.contains("ends before it starts"))
        #expect(message.contains("(and 0 more)") == false)
    }

    @Test func protobufRejectsASpanWithBrokenBytesAlone() throws {
        let good = OTLPExportRequest.protobuf(spans: [genAISpan()], serviceName: "app")
        let batch = try OTLPBatch(protobuf: good)
        #expect(batch.spans.count == 1)
        // ResourceSpans { ScopeSpans { Span { trace_id: 2 bytes } } } built by hand, after a good one.
        let brokenSpan: [UInt8] = [0x0A, 0x02, 0xFF, 0xFF]
        let scopeSpans: [UInt8] = [0x12, UInt8(brokenSpan.count)] + brokenSpan
        let resourceSpans: [UInt8] = [0x12, UInt8(scopeSpans.count)] + scopeSpans
        let body = good + [0x0A, UInt8(resourceSpans.count)] + resourceSpans
        let mixed = try OTLPBatch(protobuf: body)
        #expect(mixed.spans.count == 1)
        #expect(mixed.rejectedSpans == 1)
    }

    @Test(arguments: [
        Array("not protobuf at all, just text".utf8),
        [0x0A, 0x7F, 0x01],  // resource_spans says 127 bytes, three remain
    ])
    func protobufRefusesABodyWithBrokenFraming(_ body: [UInt8]) {
        #expect(throws: OTLPDecodeError.self) { try OTLPBatch(protobuf: body) }
    }

    @Test(arguments: ["[1,2]", "{\"resourceSpans\": 3}", "not json"])
    func jsonRefusesABodyThatIsNotARequest(_ body: String) {
        #expect(throws: OTLPDecodeError.self) { try OTLPBatch(json: Array(body.utf8)) }
    }

    @Test func gzipBodiesInflate() throws {
        let compressed = try #require(Data(base64Encoded: Self.gzippedJSON))
        let body = try Gzip.decompress(Array(compressed), limit: 1 << 20)
        let batch = try OTLPBatch(json: body)
        #expect(batch.spans.first?.serviceName == "zipped")
        #expect(throws: OTLPDecodeError.self) { try Gzip.decompress(Array(compressed), limit: 100) }
        #expect(throws: OTLPDecodeError.self) { try Gzip.decompress(Array("plain".utf8), limit: 1 << 20) }
        #expect(throws: OTLPDecodeError.self) { try Gzip.decompress(Array(compressed.prefix(40)), limit: 1 << 20) }
    }

    @Test func partialSuccessResponsesCarryTheCountInBothEncodings() throws {
        let protobuf = OTLPResponse.export(rejectedSpans: 2, errorMessage: "bad", json: false)
        let decoded = try OTLPResponse.partialSuccess(protobuf: protobuf)
        #expect(decoded.rejectedSpans == 2 && decoded.errorMessage == "bad")
        #expect(OTLPResponse.export(rejectedSpans: 0, errorMessage: nil, json: false).isEmpty)
        let json = try #require(JSONValue.parse(String(decoding: OTLPResponse.export(rejectedSpans: 2, errorMessage: "bad", json: true), as: UTF8.self)))
        #expect(json["partialSuccess"]?["rejectedSpans"] == .string("2"))
        #expect(json["partialSuccess"]?["errorMessage"] == .string("bad"))
    }

    /// `{"resourceSpans":[…]}` with one GenAI span from service "zipped", gzipped by Python's gzip module.
    static let gzippedJSON =
        "H4sIAAAAAAACA3WQy07DMBBFfwXNuo1i0ub1B2zY8NgghGznJlg0trGdCojy7ziJVEWIzmzmca5mdEdy8GZwEg+Wa0/1y3iZUD0SD8EpMQSsqw98U00e7qwkEs170I7O/DQssI+s7p7Xln6UtWhoml6nHXlp7OaEv1TBcYm7JvJHUaJt26Iq06xkadbc5pXIs1hnrcxTGS/NsoUFwCpRQGaSCVYc4m55pib5zsNNZ8P+YPa90mpWBe7Co+rxpNXXPdcmYqxI/0YkoZtrHDtuuH9d6aDfuEocPgf4kPSmwem6O9sXZ4vW/AVNsiZcjwEAAA=="
}
