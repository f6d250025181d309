import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore

/// How a report answers: JSON (the default) or CSV (`?format=csv`), which downloads as `loupe-<report>.csv`.
enum ReportFormat: String, CaseIterable {
    case json, csv

    /// The `format` parameter; anything but json or csv is a 400 in the API's error format.
    init(_ parameters: Parameters) throws {
        guard let text = parameters["format"] else {
            self = .json
            return
        }
        guard let format = ReportFormat(rawValue: String(text)) else {
            throw APIError(status: .badRequest, message: "format must be json or csv, not '\(text)'.", code: "invalid_parameter", param: "format")
        }
        self = format
    }

    /// A CSV download of `table`, named after the report.
    static func csv(_ table: CSVWriter, report: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"loupe-\(report).csv\""],
            body: ResponseBody(byteBuffer: ByteBuffer(string: table.text))
        )
    }
}
