import Hummingbird
import LoupeCore
import LoupeGuardrails
import LoupeProxy
import NIOCore

extension ProxyController {
    /// Runs the input rules on the request's text. Returns the body to send on when a rule redacted it,
    /// nil when it goes unchanged, and throws the 400 to answer when a rule blocks it.
    func checkInput(_ body: ProxyRequestBody, call: inout ProxyCall) async throws(APIError) -> [UInt8]? {
        guard let policy = call.guardrails, !policy.input.isEmpty, let format = call.guardedFormat else { return nil }
        let json = JSONValue.object(body.fields)
        let paths = GuardedText.requestPaths(format, in: json)
        guard !paths.isEmpty else { return nil }
        let texts = paths.map { json[path: $0]?.stringValue ?? "" }
        let evaluation = await policy.evaluate(texts, direction: .input, judge: ProxyJudge(proxy: self))
        call.trace.guardrails += evaluation.results
        if let block = evaluation.block {
            // The trace keeps the request with what the policy stops masked, never the secret itself.
            let masked = GuardedText.replacing(paths, in: json, with: policy.maskedForRecord(evaluation.texts, direction: .input))
            (call.trace.request, call.trace.requestTruncated) = recorder.storedBody(Array(masked.jsonText.utf8))
            throw .guardrailViolation(block)
        }
        guard evaluation.redacted else { return nil }
        let bytes = Array(GuardedText.replacing(paths, in: json, with: evaluation.texts).jsonText.utf8)
        (call.trace.request, call.trace.requestTruncated) = recorder.storedBody(bytes)
        return bytes
    }

    /// Runs the output rules on a non-streamed answer. Returns the body to send (redacted or as received),
    /// and throws the 400 to answer instead when a rule blocks it.
    func checkOutput(_ body: ByteBuffer, call: inout ProxyCall) async throws(APIError) -> ByteBuffer {
        guard let policy = call.guardrails, !policy.output.isEmpty, let format = call.guardedFormat,
              let json = try? JSONValue.parse(bytes: body.readableBytesView)
        else { return body }
        let paths = GuardedText.responsePaths(format, in: json)
        guard !paths.isEmpty else { return body }
        let texts = paths.map { json[path: $0]?.stringValue ?? "" }
        let evaluation = await policy.evaluate(texts, direction: .output, judge: ProxyJudge(proxy: self))
        call.trace.guardrails += evaluation.results
        if let block = evaluation.block {
            let masked = GuardedText.replacing(paths, in: json, with: policy.maskedForRecord(evaluation.texts, direction: .output))
            (call.trace.response, call.trace.responseTruncated) = recorder.storedBody(Array(masked.jsonText.utf8))
            throw .guardrailViolation(block)
        }
        guard evaluation.redacted else { return body }
        return ByteBuffer(string: GuardedText.replacing(paths, in: json, with: evaluation.texts).jsonText)
    }
}
