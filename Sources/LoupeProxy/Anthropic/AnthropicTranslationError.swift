/// An OpenAI chat request that cannot be sent to Anthropic's Messages API as it is: what is wrong and how to fix it.
public struct AnthropicTranslationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What cannot be translated and what to send instead, ready to show to the client.
    public var message: String

    /// An error with the message to show to the client.
    public init(_ message: String) {
        self.message = message
    }

    /// The message, for logs and errors.
    public var description: String { message }
}
