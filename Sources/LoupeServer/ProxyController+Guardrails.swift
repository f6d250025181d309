import Hummingbird
import LoupeCore
import LoupeGuardrails
import LoupeProxy
import NIOCore

extension ProxyController {
    /// What a direction's rules made of a request or answer.
    enum GuardedBody {
        case unchanged
        /// A rule redacted: send this instead, and record it.
        case redacted(JSONValue)
        /// A rule blocked: answer with the error, and record `record`, which has what the policy stops masked.
        case blocked(GuardrailBlock, record: JSONValue)
    }

    /// Runs the input rules on the request's text. Returns the body to send on when a rule redacted it,
    /// nil when it goes unchanged, and throws the 400 to answer when a rule blocks it.
    func checkInput(_ body: ProxyRequestBody, call: inout ProxyCall) async throws(APIError) -> [UInt8]? {
        guard let policy = call.guardrails, !policy.input.isEmpty, let format = call.guardedFormat else { return nil }
        let json = JSONValue.object(body.fields)
        switch await runRules(policy, .input, on: json, at: GuardedText.requestPaths(format, in: json), call: &call) {
        case .unchanged:
            return nil
        case .redacted(let sent):
            let bytes = Array(sent.jsonText.utf8)
            (call.trace.request, call.trace.requestTruncated) = recorder.storedBody(bytes)
            return bytes
        case .blocked(let block, let record):
            (call.trace.request, call.trace.requestTruncated) = recorder.storedBody(Array(record.jsonText.utf8))
            throw .guardrailViolation(block)
        }
    }

    /// Runs the output rules on a non-streamed answer. Returns the body to send (redacted or as received),
    /// and throws the 400 to answer instead when a rule blocks it.
    func checkOutput(_ body: ByteBuffer, call: inout ProxyCall) async throws(APIError) -> ByteBuffer {
        guard let policy = call.guardrails, !policy.output.isEmpty, let format = call.guardedFormat,
              let json = try? JSONValue.parse(bytes: body.readableBytesView)
        else { return body }
        switch await runRules(policy, .output, on: json, at: GuardedText.responsePaths(format, in: json), call: &call) {
        case .unchanged:
            return body
        case .redacted(let sent):
            return ByteBuffer(string: sent.jsonText)
        case .blocked(let block, let record):
            (call.trace.response, call.trace.responseTruncated) = recorder.storedBody(Array(record.jsonText.utf8))
            throw .guardrailViolation(block)
        }
    }

    /// Runs `policy`'s rules for `direction` on the strings at `paths` of `json`, and puts the results on the trace.
    private func runRules(
        _ policy: GuardrailPolicy, _ direction: GuardrailResult.Direction, on json: JSONValue, at paths: [JSONPath], call: inout ProxyCall
    ) async -> GuardedBody {
        guard !paths.isEmpty else { return .unchanged }
        let evaluation = await policy.evaluate(GuardedText.texts(at: paths, in: json), direction: direction, judge: ProxyJudge(proxy: self))
        call.trace.guardrails += evaluation.results
        if let block = evaluation.block {
            // The trace keeps the body with what the policy stops masked, never the secret itself.
            return .blocked(block, record: GuardedText.replacing(paths, in: json, with: policy.maskedForRecord(evaluation.texts, direction: direction)))
        }
        return evaluation.redacted ? .redacted(GuardedText.replacing(paths, in: json, with: evaluation.texts)) : .unchanged
    }
}
