import Foundation

/// The opaque `page_token` of a tracking search: an offset, base64-encoded so clients do not rely on its form.
public enum PageToken {
    public static func make(offset: Int) -> String {
        Data("offset:\(offset)".utf8).base64EncodedString()
    }

    /// The offset a token stands for; nil or empty is the first page.
    public static func offset(_ token: String?) throws(TrackingError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("offset:"),
              let offset = Int(text.dropFirst(7)), offset >= 0
        else { throw .invalidParameter("Invalid page token '\(token)': pass the next_page_token of a previous search.") }
        return offset
    }
}
