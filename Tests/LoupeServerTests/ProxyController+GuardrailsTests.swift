import AsyncHTTPClient
import Foundation
import LoupeConfig
import LoupeCore
import LoupeSQLite
import LoupeTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Guardrails in the proxy: input checks before the provider is called, output checks on answers and streams.
@Suite struct ProxyControllerGuardrailsTests {
    static let awsKey = "AKIA2E0A8F3B244C9986"
    static let openAIKey = "sk-proj-Q7xT2mVb9LkR4pZs8NcW1yHd6JfE3aUg"
    static let schema = #"{type: object, required: [answer], properties: {answer: {type: string}}}"#

    /// Runs `body` with the guardrails section `yaml` (the text under `guardrails:`).
    func withGuardrails(_ yaml: String, _ body: @escaping @Sendable (LoupeHarness) async throws -> Void) async throws -> [Trace] {
        let spec = try ConfigLoader.parse(yaml: "guardrails:\n" + yaml, file: nil, environment: [:]).guardrails
        let store = try await withLoupe(configure: { configuration, _ in configuration.guardrails = spec }, body)
        return try await store.traces(matching: TraceQuery()).traces
    }

    static let defaultPolicy = """
          policies:
            default:
              input:  [ {check: pii, action: redact}, {check: secrets, action: block}, {check: injection, action: flag} ]
              output: [ {check: secrets, action: redact} ]
        """

    @Test func aRequestWithAnEmailAndAnAWSKeyIsBlockedAndTheProviderNeverSeesIt() async throws {
        let traces = try await withGuardrails(Self.defaultPolicy) { loupe in
            let content = "Mail ann@example.com the key \(Self.awsKey) please"
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(content: content))
            #expect(reply.status == 400)
            let error = try #require(reply.json?["error"])
            #expect(error["code"] == .string("guardrail_violation") && error["type"] == .string("invalid_request_error"))
            #expect(error["guardrail"]?["check"] == .string("secrets") && error["guardrail"]?["category"] == .string("aws_access_key"))
            #expect(error["message"]?.stringValue?.contains("secrets") == true)
            #expect(loupe.upstream.requests().isEmpty)
            let trace = try await loupe.trace(try #require(reply.traceID))
            let fired = trace["guardrails"]
            #expect(fired == .array([
                .object(["direction": "input", "check": "pii", "action": "redact", "category": "email", "count": 1]),
                .object(["direction": "input", "check": "secrets", "action": "block", "category": "aws_access_key", "count": 1]),
            ]))
        }
        let stored = try #require(traces.first)
        #expect(stored.request?.contains(Self.awsKey) == false && stored.request?.contains("ann@example.com") == false)
        #expect(stored.statusCode == 400 && stored.guardrails.count == 2)
    }

    @Test func redactionMasksTheRequestBeforeItGoesUpstream() async throws {
        let traces = try await withGuardrails("""
              policies:
                default:
                  input: [ {check: pii, action: redact}, {check: secrets, action: redact} ]
            """) { loupe in
            let content = "Mail ann@example.com the key \(Self.awsKey) please"
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(content: content))
            #expect(reply.status == 200)
            let sent = try #require(loupe.upstream.requests().last?.body)
            #expect(JSONValue.parse(sent)?["messages"] == .array([.object(["role": "user", "content": "Mail [EMAIL] the key [SECRET] please"])]))
        }
        #expect(traces.first?.request?.contains("[EMAIL]") == true && traces.first?.request?.contains(Self.awsKey) == false)
        #expect(traces.first?.guardrails.map(\.action) == [.redact, .redact])
    }

    @Test func aPolicyAppliesByModelAndCallsWithoutOneAreUnchecked() async throws {
        _ = try await withGuardrails("""
              policies:
                strict:
                  input: [ {check: pii, action: block} ]
              apply: { models: { gpt-4o: strict } }
            """) { loupe in
            let strict = try await loupe.request("/v1/chat/completions", body: chatBody(model: "gpt-4o", content: "ann@example.com"))
            let unchecked = try await loupe.request("/v1/chat/completions", body: chatBody(model: "gpt-4o-mini", content: "ann@example.com"))
            #expect(strict.status == 400 && unchecked.status == 200)
        }
    }

    @Test func aJSONSchemaOutputCheckRejectsAMalformedAnswer() async throws {
        let traces = try await withGuardrails("""
              policies:
                default:
                  output: [ {check: json_schema, action: block, schema: \(Self.schema)} ]
            """) { loupe in
            let bad = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-reply", #"{"answer": 42}"#)])
            #expect(bad.status == 400 && bad.json?["error"]?["code"] == .string("guardrail_violation"))
            #expect(bad.json?["error"]?["guardrail"]?["category"] == .string("schema_mismatch"))
            #expect(bad.json?["error"]?["message"]?.stringValue?.contains("/answer") == true)
            let prose = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-reply", "Sure! Here you go.")])
            #expect(prose.json?["error"]?["guardrail"]?["category"] == .string("invalid_json"))
            let good = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-reply", #"{"answer": "yes"}"#)])
            #expect(good.status == 200)
            #expect(good.json?["choices"]?.firstMessageContent == #"{"answer": "yes"}"#)
        }
        // The provider answered a rejected call, so it is still priced.
        let rejected = try #require(traces.first { $0.statusCode == 400 })
        #expect(rejected.usage.outputTokens != nil && rejected.cost != nil)
    }

    @Test func aJSONSchemaOutputCheckRejectsAMalformedStreamBeforeAnyOfItIsSent() async throws {
        _ = try await withGuardrails("""
              policies:
                default:
                  output: [ {check: json_schema, action: block, schema: \(Self.schema)} ]
            """) { loupe in
            let bad = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#), headers: [("x-fake-reply", "not json at all")])
            #expect(bad.status == 200)  // the head went out before the answer was complete
            #expect(!bad.body.contains("not json") && !bad.body.contains("[DONE]"))
            let event = try #require(bad.body.dataEvents.last)
            #expect(event["error"]?["code"] == .string("guardrail_violation"))
            let trace = try await loupe.trace(try #require(bad.traceID))
            #expect(trace["status"] == .string("error"))
            #expect(trace["guardrails"] == .array([.object(["direction": "output", "check": "json_schema", "action": "block", "category": "invalid_json", "count": 1])]))

            let good = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#), headers: [("x-fake-reply", #"{"answer": "fine"}"#)])
            #expect(good.body.streamedContent == #"{"answer": "fine"}"# && good.body.contains("[DONE]"))
        }
    }

    @Test(arguments: [2, 5, 11])
    func aSecretSplitAcrossStreamChunksIsRedacted(pieceLength: Int) async throws {
        let traces = try await withGuardrails(Self.defaultPolicy) { loupe in
            let answer = "Your key is \(Self.openAIKey) so keep it safe and never share it with anyone at all."
            let reply = try await loupe.request(
                "/v1/chat/completions", body: chatBody(extra: #","stream":true"#),
                headers: [("x-fake-reply", answer), ("x-fake-piece-length", "\(pieceLength)")]
            )
            #expect(reply.status == 200 && !reply.body.contains("sk-proj"))
            #expect(reply.body.streamedContent == answer.replacingOccurrences(of: Self.openAIKey, with: "[SECRET]"))
            #expect(reply.body.contains("[DONE]"))
        }
        let trace = try #require(traces.first)
        #expect(trace.guardrails == [GuardrailResult(direction: .output, check: "secrets", action: .redact, category: "openai_key", count: 1)])
        #expect(trace.response?.contains("sk-proj") == false && trace.usage.outputTokens != nil)
    }

    @Test func aBlockedStreamEndsWithAnErrorEventAndNeverShowsTheSecret() async throws {
        _ = try await withGuardrails("""
              policies:
                default:
                  output: [ {check: secrets, action: block} ]
            """) { loupe in
            let answer = String(repeating: "Plenty of harmless words first. ", count: 6) + "Then \(Self.openAIKey) and more."
            let reply = try await loupe.request(
                "/v1/chat/completions", body: chatBody(extra: #","stream":true"#), headers: [("x-fake-reply", answer), ("x-fake-piece-length", "4")]
            )
            #expect(!reply.body.contains("sk-proj") && !reply.body.contains("[DONE]"))
            #expect(reply.body.streamedContent.hasPrefix("Plenty of harmless words first."))
            #expect(reply.body.dataEvents.last?["error"]?["guardrail"]?["category"] == .string("openai_key"))
        }
    }

    @Test func nonStreamedAnswersAreRedactedToo() async throws {
        _ = try await withGuardrails(Self.defaultPolicy) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-reply", "Use \(Self.openAIKey) now")])
            #expect(reply.status == 200)
            #expect(reply.json?["choices"]?.firstMessageContent == "Use [SECRET] now")
        }
    }

    @Test func theResponsesAPIIsCheckedOnTheWayInAndOutStreamedOrNot() async throws {
        _ = try await withGuardrails(Self.defaultPolicy) { loupe in
            let answer = "Your key is \(Self.openAIKey) so keep it safe."
            let plain = try await loupe.request(
                "/v1/responses", body: #"{"model": "gpt-4o-mini", "instructions": "Be brief.", "input": "Mail ann@example.com"}"#,
                headers: [("x-fake-reply", answer)]
            )
            #expect(plain.status == 200 && !plain.body.contains("sk-proj"))
            #expect(plain.json?["output"]?.firstOutputText == "Your key is [SECRET] so keep it safe.")
            #expect(JSONValue.parse(loupe.upstream.requests().last?.body ?? "")?["input"] == .string("Mail [EMAIL]"))

            let streamed = try await loupe.request(
                "/v1/responses", body: #"{"model": "gpt-4o-mini", "input": "key?", "stream": true}"#,
                headers: [("x-fake-reply", answer), ("x-fake-piece-length", "3")]
            )
            // The deltas, and every event that repeats the finished text, carry the masked text only.
            #expect(streamed.status == 200 && !streamed.body.contains("sk-proj"))
            let deltas = streamed.body.dataEvents.filter { $0["type"] == .string("response.output_text.delta") }.compactMap { $0["delta"]?.stringValue }
            #expect(deltas.joined() == "Your key is [SECRET] so keep it safe.")
            let completed = try #require(streamed.body.dataEvents.last { $0["type"] == .string("response.completed") })
            #expect(completed["response"]?["output"]?.firstOutputText == "Your key is [SECRET] so keep it safe.")
        }
    }

    @Test func theCheckAPIReturnsFindingsAndTheRedactedText() async throws {
        _ = try await withGuardrails(Self.defaultPolicy) { loupe in
            let redacted = try await loupe.request("/api/guardrails/check", body: #"{"policy": "default", "direction": "input", "text": "write to ann@example.com"}"#)
            #expect(redacted.status == 200)
            #expect(redacted.json?["passed"] == .bool(true) && redacted.json?["text"] == .string("write to [EMAIL]"))
            #expect(redacted.json?["results"] == .array([.object(["direction": "input", "check": "pii", "action": "redact", "category": "email", "count": 1])]))
            let blocked = try await loupe.request("/api/guardrails/check", body: #"{"direction": "input", "text": "key \#(Self.awsKey)"}"#)
            #expect(blocked.json?["passed"] == .bool(false) && blocked.json?["error"]?["code"] == .string("guardrail_violation"))
            #expect(blocked.json?["text"]?.stringValue?.contains(Self.awsKey) == false)
            let unknown = try await loupe.request("/api/guardrails/check", body: #"{"policy": "nope", "text": "x"}"#)
            #expect(unknown.status == 404 && unknown.json?["error"]?["message"]?.stringValue?.contains("default") == true)
            let malformed = try await loupe.request("/api/guardrails/check", body: #"{"policy": "default""#)
            #expect(malformed.status == 400 && malformed.json?["error"]?["code"] == .string("invalid_json"))
        }
    }

    @Test func theReportCountsViolationsByCheck() async throws {
        _ = try await withGuardrails(Self.defaultPolicy) { loupe in
            for _ in 0..<3 { _ = try await loupe.request("/v1/chat/completions", body: chatBody(content: "ann@example.com and bob@example.org")) }
            let blocked = try await loupe.request("/v1/chat/completions", body: chatBody(content: Self.awsKey))
            _ = try await loupe.trace(try #require(blocked.traceID))
            let report = try await loupe.get("/api/reports/guardrails")
            #expect(report.status == 200)
            let rows = try #require(report.json?["data"])
            #expect(rows == .array([
                .object(["direction": "input", "check": "pii", "action": "redact", "category": "email", "calls": 3, "hits": 6]),
                .object(["direction": "input", "check": "secrets", "action": "block", "category": "aws_access_key", "calls": 1, "hits": 1]),
            ]))
            #expect(try await loupe.get("/api/reports/cost?group_by=guardrail").json?["data"] == rows)
        }
    }

    @Test func anLLMJudgeAsksAModelThroughLoupeWithARegistryPrompt() async throws {
        let traces = try await withGuardrails("""
              policies:
                default:
                  input: [ {check: llm_judge, prompt: guardrails/topic, action: block, on_error: block} ]
            """) { loupe in
            let prompt = #"{"name": "guardrails/topic", "labels": ["production"], "config": {"model": "gpt-4o-mini"}, "prompt": [{"role": "user", "content": "Is this about cooking? Answer PASS or FAIL. Text: {{text}}"}]}"#
            #expect(try await loupe.request("/api/prompts", body: prompt).status == 201)
            let offTopic = try await loupe.request("/v1/chat/completions", body: chatBody(content: "Stocks! [[fake-reply: FAIL: off_topic]]"))
            #expect(offTopic.status == 400 && offTopic.json?["error"]?["guardrail"]?["category"] == .string("off_topic"))
            let judged = try #require(loupe.upstream.requests().last?.body)
            #expect(JSONValue.parse(judged)?["messages"]?.lastMessageContent?.hasPrefix("Is this about cooking?") == true)
            let cooking = try await loupe.request("/v1/chat/completions", body: chatBody(content: "Pasta? [[fake-reply: PASS]]"))
            #expect(cooking.status == 200)
        }
        // The judge's own calls are traced, tagged, and priced like any other.
        let judgeCalls = traces.filter { $0.tags == ["guardrail-judge"] }
        #expect(judgeCalls.count == 2 && judgeCalls.allSatisfy { $0.promptName == "guardrails/topic" && $0.cost != nil })
    }
}

private extension JSONValue {
    var firstOutputText: String? {
        guard case .array(let items) = self, case .array(let parts)? = items.first?["content"] else { return nil }
        return parts.first?["text"]?.stringValue
    }
    var firstMessageContent: String? { if case .array(let choices) = self { choices.first?["message"]?["content"]?.stringValue } else { nil } }
    var lastMessageContent: String? { if case .array(let messages) = self { messages.last?["content"]?.stringValue } else { nil } }
}

extension String {
    /// The JSON of each `data:` event in a stream body, `[DONE]` left out.
    var dataEvents: [JSONValue] {
        split(separator: "\n").compactMap { line in
            guard line.hasPrefix("data: "), line != "data: [DONE]" else { return nil }
            return JSONValue.parse(line.dropFirst(6))
        }
    }

    /// The assistant text a chat stream carried, joined.
    var streamedContent: String {
        dataEvents.compactMap { event -> String? in
            guard case .array(let choices)? = event["choices"] else { return nil }
            return choices.first?["delta"]?["content"]?.stringValue
        }.joined()
    }
}
