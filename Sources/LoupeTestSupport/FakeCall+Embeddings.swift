import Foundation

extension FakeCall {
    /// `POST /v1/embeddings`: deterministic vectors of `dimensions` (default 8) numbers derived from
    /// each input, as JSON floats or, with `encoding_format: "base64"`, little-endian float32 in base64.
    func embeddings() -> FakeAnswer {
        guard let inputs = embeddingInputs else {
            return FakeReply.error(
                400,
                "'input' must be a string, an array of strings, an array of tokens or an array of token arrays.",
                type: "invalid_request_error",
                param: "input"
            )
        }
        let dimensions = min(max(request["dimensions"]?.intValue ?? 8, 1), 4096)
        let base64 = request["encoding_format"]?.stringValue == "base64"
        var tokens = 0
        var data: [FakeJSON] = []
        data.reserveCapacity(inputs.count)
        for (index, input) in inputs.enumerated() {
            tokens += input.tokens
            let vector = Self.vector(for: input.text, dimensions: dimensions)
            let embedding: FakeJSON
            if base64 {
                var bytes: [UInt8] = []
                bytes.reserveCapacity(vector.count * 4)
                for value in vector {
                    withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
                embedding = .string(Data(bytes).base64EncodedString())
            } else {
                embedding = .array(vector.map(FakeJSON.double))
            }
            data.append(["object": "embedding", "index": .int(index), "embedding": embedding])
        }
        return FakeReply.json([
            "object": "list",
            "data": .array(data),
            "model": .string(model),
            "usage": ["prompt_tokens": .int(tokens), "total_tokens": .int(tokens)],
        ])
    }

    /// The inputs with the text their vector derives from and their token count; nil when malformed.
    private var embeddingInputs: [(text: String, tokens: Int)]? {
        func tokenArray(_ items: [FakeJSON]) -> (text: String, tokens: Int)? {
            var text = ""
            for item in items {
                guard let token = item.intValue else { return nil }
                text += String(token) + " "
            }
            return (text: text, tokens: items.count)
        }
        switch request["input"] {
        case .string(let text)?:
            return [(text: text, tokens: Self.wordCount(text))]
        case .array(let items)? where !items.isEmpty:
            if items.allSatisfy({ $0.intValue != nil }) { return tokenArray(items).map { [$0] } }
            var inputs: [(text: String, tokens: Int)] = []
            for item in items {
                switch item {
                case .string(let text): inputs.append((text: text, tokens: Self.wordCount(text)))
                case .array(let tokens):
                    guard let input = tokenArray(tokens) else { return nil }
                    inputs.append(input)
                default: return nil
                }
            }
            return inputs
        default:
            return nil
        }
    }

    /// Numbers in [-1, 1] with three decimals, the same for the same text.
    static func vector(for text: String, dimensions: Int) -> [Double] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (0..<dimensions).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int((state >> 33) % 2001) - 1000) / 1000
        }
    }
}
