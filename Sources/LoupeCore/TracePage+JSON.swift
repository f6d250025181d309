/// A page as the API returns it: `{"data":[…], "next_cursor": "…" | null}`.
extension TracePage: Encodable {
    enum CodingKeys: String, CodingKey { case data, next_cursor }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(traces, forKey: .data)
        try container.encode(nextCursor?.token, forKey: .next_cursor)  // null on the last page, never absent
    }
}
