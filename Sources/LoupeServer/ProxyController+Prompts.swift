import HTTPTypes
import LoupeCore
import LoupePrompts
import LoupeProxy

extension ProxyController {
    /// Renders a registry prompt into the request: its messages go before the client's, its config fills
    /// fields the client left unset, and the trace names the version. Returns the body to send upstream.
    func renderPrompt(_ reference: PromptReference, into body: ProxyRequestBody, call: inout ProxyCall) async throws -> [UInt8] {
        let renderer: PromptRenderer?
        do {
            renderer = try await prompts.renderer(name: reference.name, selector: reference.selector)
        } catch let missing as MissingPromptPartial {
            throw APIError(status: .notFound, message: "\(missing).", code: "prompt_not_found", param: "prompt.name")
        } catch {
            throw APIError(
                status: .serviceUnavailable, message: "The prompt registry cannot be read right now: \(error)",
                type: "server_error", code: "prompt_registry_unavailable", param: "prompt"
            )
        }
        guard let renderer else {
            throw APIError(status: .notFound, message: "Prompt '\(reference.name)' has no \(reference.selector).", code: "prompt_not_found", param: "prompt.name")
        }
        call.trace.promptName = renderer.version.name
        call.trace.promptVersion = renderer.version.version
        // Kept as Langfuse keeps them, so a dataset made from traces can re-run the prompt with the same inputs.
        if !reference.variables.isEmpty { call.trace.metadata = (call.trace.metadata ?? [:]).merging(["prompt_variables": .object(reference.variables)]) { _, new in new } }
        let rendered: PromptTemplate
        do {
            rendered = try renderer.render(reference.variables)
        } catch {
            throw APIError(status: .badRequest, message: "\(error).", code: "missing_variables", param: "prompt.variables")
        }
        // A text prompt becomes the user's message.
        let messages = switch rendered {
        case .chat(let messages): messages
        case .text(let text): [PromptMessage(role: "user", content: text)]
        }
        let bytes = body.applyingPrompt(messages: messages, config: renderer.version.config)
        (call.trace.request, call.trace.requestTruncated) = recorder.storedBody(bytes)
        return bytes
    }
}
