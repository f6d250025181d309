import Benchmark
import Foundation
import LoupeCore
import LoupeGuardrails
import LoupePricing
import LoupePrompts
import LoupeProxy
import NIOCore

/// Micro-benchmarks of the work Loupe does per proxied call, each beside its baseline.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(2)
    Benchmark.defaultConfiguration.metrics = [.wallClock, .cpuTotal, .mallocCountTotal, .throughput]

    let request = Array(#"{"model":"gpt-4o-mini","stream":true,"user":"u-1","temperature":0.2,"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Summarise the quarterly report in three bullet points, please."}]}"#.utf8)

    // The request fields the proxy routes by: Loupe's JSON reader against Foundation's JSONDecoder.
    Benchmark("request fields, JSONValue reader") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ProxyRequestBody(bytes: request)) }
    }
    struct Fields: Decodable { var model: String?; var stream: Bool?; var user: String? }
    Benchmark("request fields, JSONDecoder (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try JSONDecoder().decode(Fields.self, from: Data(request))) }
    }

    // A typical chat prompt from the registry: compiled once (as the proxy's cache holds it), rendered per call.
    let promptVersion = PromptVersion(
        name: "support/reply", version: 3,
        template: .chat([
            .init(role: "system", content: "You answer customer emails for {{company}}. Be concise and polite.\nNever promise refunds."),
            .init(role: "user", content: "Customer: {{customer_name}}\nPlan: {{plan}}\nMessage:\n{{message}}"),
        ]),
        config: ["model": .string("gpt-4o-mini"), "temperature": .number(0.2)], tags: [], labels: [], commitMessage: nil,
        contentHash: "", createdAt: Date()
    )
    let renderer = try! PromptRenderer(promptVersion)
    let promptVariables: [String: JSONValue] = [
        "company": .string("Acme"), "customer_name": .string("Ann Lee"), "plan": .string("Team"),
        "message": .string("Hello, my invoice for October shows two charges for the same seat. Can you check?"),
    ]
    Benchmark("prompt: render a compiled chat prompt") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try renderer.render(promptVariables)) }
    }
    let promptRequest = try! ProxyRequestBody(bytes: Array(#"{"messages":[],"prompt":{"name":"support/reply","variables":{"company":"Acme"}}}"#.utf8))
    Benchmark("prompt: render, rewrite the request body and read it back") { benchmark in
        for _ in benchmark.scaledIterations {
            guard case .chat(let messages) = try renderer.render(promptVariables) else { continue }
            blackHole(try ProxyRequestBody(bytes: promptRequest.applyingPrompt(messages: messages, config: promptVersion.config)))
        }
    }
    Benchmark("prompt: string replacement of the same variables (baseline)") { benchmark in
        let texts = ["You answer customer emails for {{company}}. Be concise and polite.\nNever promise refunds.", "Customer: {{customer_name}}\nPlan: {{plan}}\nMessage:\n{{message}}"]
        for _ in benchmark.scaledIterations {
            blackHole(texts.map { text in
                promptVariables.reduce(text) { $0.replacingOccurrences(of: "{{\($1.key)}}", with: $1.value.stringValue ?? "") }
            })
        }
    }

    // One streamed chat response: parse the SSE bytes and assemble the output, hiding the usage chunk.
    let chunks = (["{\"id\":\"c\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],\"usage\":null}"]
        + (0..<20).map { "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word\($0) \"}}],\"usage\":null}" }
        + ["{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}",
           "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":20,\"total_tokens\":32}}", "[DONE]"])
        .map { ByteBuffer(string: "data: \($0)\n\n") }
    Benchmark("stream of 24 chunks, parse and assemble") { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = SSEParser()
            var assembler = ChatStreamAssembler(kind: .chat, hideUsageChunk: true)
            for chunk in chunks {
                for event in parser.feed(chunk) { blackHole(assembler.consume(event)) }
            }
            blackHole(assembler.assembledResponse())
        }
    }

    let usage = TokenUsage(inputTokens: 1_200, outputTokens: 350, cachedInputTokens: 400, reasoningTokens: 100)
    Benchmark("price lookup and exact cost of a dated model") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(PriceTable.builtIn.price(for: "gpt-4o-mini-2024-07-18")?.cost(of: usage))
        }
    }

    Benchmark("trace id (UUIDv7)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(TraceID.make()) }
    }

    // The 16 random bytes of an id: the pooled generator against the standard library's, one system call per 8 bytes.
    Benchmark("16 random bytes, RandomBytes pool") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(RandomBytes.shared.next128()) }
    }
    Benchmark("16 random bytes, SystemRandomNumberGenerator (baseline)") { benchmark in
        var generator = SystemRandomNumberGenerator()
        for _ in benchmark.scaledIterations { blackHole((generator.next() as UInt64, generator.next() as UInt64)) }
    }

    // A whole chat answer, read for its model and usage: the other members checked and skipped, against all of it built.
    let answer = Array(#"{"id":"chatcmpl-abc","object":"chat.completion","created":1732700000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Revenue grew 12%, churn fell to 2.1%, and the new plan launched in October.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":28,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_0ba0d124f1"}"#.utf8)
    Benchmark("answer summary, other members skipped") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(ResponseSummary(body: answer)) }
    }
    Benchmark("answer summary, whole answer built (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(ResponseSummary(json: try? JSONValue.parse(bytes: answer))) }
    }

    // Guardrails: the issue's default input policy (pii redact, secrets block, injection flag) on a 4 KB
    // user message of ordinary prose with one email in it, against the regex a Swift developer would reach for.
    let paragraph = "Hi team, I reviewed the quarterly numbers this morning and the churn figures look better than last month. "
        + "Could you send the updated forecast to finance before Friday? The onboarding survey also showed that new customers "
        + "struggle with the billing page, so let us schedule a short design review next week. Thanks for the quick turnaround. "
    var message = "Please reply to ann.lee@example.com when done. "
    while message.utf8.count < 4096 { message += paragraph }
    message = String(message.utf8.prefix(4096))!
    let defaultInput = try! GuardrailPolicySet(GuardrailsSpec(policies: ["default": .init(input: [
        .init(check: "pii", action: .redact), .init(check: "secrets", action: .block), .init(check: "injection", action: .flag),
    ])])).policy(named: "default")!
    Benchmark("guardrails: default input policy, 4 KB message") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(GuardrailPolicy.run(defaultInput.input, over: [message], direction: .input)) }
    }
    for rule in defaultInput.input {
        Benchmark("guardrails: \(rule.name) alone, 4 KB message") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(GuardrailPolicy.run([rule], over: [message], direction: .input)) }
        }
    }
    let emailRegex = try! NSRegularExpression(pattern: #"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#)
    Benchmark("guardrails: one email regex with NSRegularExpression, 4 KB message (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(emailRegex.matches(in: message, range: NSRange(message.startIndex..., in: message)))
        }
    }
    let outputPolicy = try! GuardrailPolicySet(GuardrailsSpec(policies: ["p": .init(output: [.init(check: "secrets", action: .redact)])]))
        .policy(named: "p")!
    let deltas = stride(from: 0, to: message.utf8.count, by: 16).map { String(message.utf8.dropFirst($0).prefix(16))! }
    Benchmark("guardrails: streamed 4 KB answer in 16-byte deltas, secrets redact") { benchmark in
        for _ in benchmark.scaledIterations {
            var filter = GuardrailStreamFilter(policy: outputPolicy)
            for delta in deltas { blackHole(filter.feed(delta)) }
            blackHole(filter.finish())
        }
    }
}
