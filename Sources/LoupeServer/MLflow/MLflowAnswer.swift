import LoupeCore
import NIOCore

/// What an MLflow handler answers with: JSON built as a value, or written straight out for large answers.
protocol MLflowAnswer: Sendable {
    /// The answer's JSON text.
    var body: ByteBuffer { get }
}

extension JSONValue: MLflowAnswer {
    var body: ByteBuffer {
        var writer = JSONWriter()
        writer.value(self)
        return writer.body
    }
}

extension JSONWriter: MLflowAnswer {
    var body: ByteBuffer { ByteBuffer(bytes: bytes) }
}
