/// Masks the spans a check found.
enum Redaction {
    /// `text` with each finding's span replaced by the check's mask; overlapping spans become one mask.
    static func apply(_ findings: [GuardrailFinding], of check: any GuardrailCheck, to text: String) -> String {
        let spans = findings.compactMap { finding in finding.range.map { ($0, finding.category) } }.sorted { $0.0.lowerBound < $1.0.lowerBound }
        guard !spans.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var position = 0
        for (range, category) in spans {
            let upper = min(range.upperBound, bytes.count)
            if range.lowerBound < position {
                // Overlaps the span just masked: that mask now covers this one too.
                position = max(position, upper)
                continue
            }
            let lower = min(range.lowerBound, bytes.count)
            result.append(contentsOf: bytes[position..<lower])
            result.append(contentsOf: check.mask(for: category).utf8)
            position = upper
        }
        result.append(contentsOf: bytes[position...])
        return String(decoding: result, as: UTF8.self)
    }
}
