import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's page frame: head, embedded style sheet, navigation, and the body a page writes.
enum DashboardPage {
    /// The navigation entries, by path.
    static let sections: [(path: String, title: String)] = [
        ("/", "Overview"), ("/cost", "Cost"), ("/traces", "Traces"), ("/prompts", "Prompts"),
        ("/evals", "Evals"), ("/experiments", "Experiments"), ("/models", "Models"),
    ]

    /// A whole page as a `200 text/html` response (or `status`).
    static func response(title: String, section: String, status: HTTPResponse.Status = .ok, _ body: [HTML]) -> Response {
        let navigation = sections.map { entry in
            HTML.element("a", ["href": entry.path, "class": entry.path == section ? "active" : nil], text: entry.title)
        }
        let page = HTML.literal("<!DOCTYPE html>") + .element(
            "html", ["lang": "en"],
            .element(
                "head",
                .element("meta", ["charset": "utf-8"]),
                .element("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]),
                .element("title", text: title + " · Loupe"),
                .element("style", literal: style)
            ),
            .element(
                "body",
                .element("header", .element("a", ["href": "/", "class": "brand"], text: "Loupe"), .element("nav", navigation)),
                .element("main", [.element("h1", text: title)] + body)
            )
        )
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        // Pages show spend and bodies: never cache them, never frame them, and allow no script at all.
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page.markup)))
    }

    /// The range picker: plain links that keep the page's other parameters.
    static func rangePicker(_ current: DashboardRange, path: String, keeping parameters: [(String, String)] = []) -> HTML {
        .element("div", ["class": "picker"], DashboardRange.allCases.map { range in
            HTML.element("a", ["href": link(path, parameters + [("range", range.rawValue)]), "class": range == current ? "active" : nil], text: range.title)
        })
    }

    /// `path?k=v&…` with each part percent-encoded.
    static func link(_ path: String, _ parameters: [(String, String)]) -> String {
        let query = parameters.filter { !$0.1.isEmpty }.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        return query.isEmpty ? path : path + "?" + query
    }

    /// Percent-encodes a query or path component.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A titled card of figures.
    static func stat(_ label: String, _ value: String, note: String? = nil) -> HTML {
        .element(
            "div", ["class": "stat"], .element("div", ["class": "label"], text: label), .element("div", ["class": "value"], text: value),
            note.map { HTML.element("div", ["class": "note"], text: $0) } ?? .empty
        )
    }

    /// A table with a header row; each cell is already HTML.
    static func table(_ headers: [String], _ rows: [[HTML]], numericFrom: Int = Int.max) -> HTML {
        let head = HTML.element("tr", headers.enumerated().map { index, header in
            HTML.element("th", ["class": index >= numericFrom ? "num" : nil], text: header)
        })
        let body = rows.map { row in
            HTML.element("tr", row.enumerated().map { index, cell in HTML.element("td", ["class": index >= numericFrom ? "num" : nil], [cell]) })
        }
        return .element("table", .element("thead", head), .element("tbody", body))
    }

    /// A paragraph for an empty list.
    static func empty(_ message: String) -> HTML {
        .element("p", ["class": "empty"], text: message)
    }

    static let style: StaticString = """
    :root{--fg:#1f2430;--muted:#6b7280;--line:#e5e7eb;--bg:#f7f8fa;--card:#fff;--accent:#4f46e5;--accent-soft:#e0e7ff;--bad:#b91c1c;--good:#15803d}
    *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
    header{display:flex;align-items:center;gap:24px;padding:0 24px;height:52px;background:#111827}
    header .brand{color:#fff;font-weight:700;font-size:17px;text-decoration:none;letter-spacing:.3px}
    nav a{color:#cbd5e1;text-decoration:none;margin-right:16px;padding:16px 0}nav a.active,nav a:hover{color:#fff;border-bottom:2px solid #818cf8}
    main{max-width:1180px;margin:0 auto;padding:18px 24px 48px}h1{font-size:22px;margin:6px 0 14px}h2{font-size:16px;margin:22px 0 8px}
    a{color:var(--accent)}.muted,.empty{color:var(--muted)}
    .picker{display:inline-flex;border:1px solid var(--line);border-radius:6px;overflow:hidden;background:var(--card);margin-bottom:14px}
    .picker a{padding:5px 12px;text-decoration:none;color:var(--fg);border-right:1px solid var(--line)}.picker a:last-child{border-right:0}
    .picker a.active{background:var(--accent);color:#fff}
    .stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;margin-bottom:8px}
    .stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
    .stat .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}.stat .value{font-size:20px;font-weight:600;margin-top:2px}
    .stat .note{color:var(--muted);font-size:11px}
    .grid2{display:grid;grid-template-columns:1fr 1fr;gap:14px}@media(max-width:900px){.grid2{grid-template-columns:1fr}}
    .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin-bottom:14px;overflow:auto}
    .card h2{margin:0 0 8px;font-size:14px}
    table{border-collapse:collapse;width:100%;background:var(--card)}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
    th{font-size:12px;color:var(--muted);font-weight:600;background:#fafafa}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    tr:hover td{background:#fafbff}.card td{white-space:nowrap}.card pre{white-space:pre-wrap}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
    pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;border-radius:6px;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-word}
    .badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;background:var(--accent-soft);color:#3730a3;margin-right:4px}
    .ok{color:var(--good)}.error,.cancelled,.bad{color:var(--bad)}
    .tabs a{margin-right:12px}.tabs a.active{font-weight:700;color:var(--fg);text-decoration:none}
    form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:12px}
    form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
    input,select,button{font:inherit;padding:4px 8px;border:1px solid #cbd5e1;border-radius:5px;background:#fff}
    button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
    .pager{margin-top:12px}.pager a{margin-right:14px}
    dl.facts{display:grid;grid-template-columns:160px 1fr;gap:4px 12px;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
    svg.chart{width:100%;max-width:760px;height:auto;display:block}svg.chart.bars{max-width:620px}svg .grid{stroke:#eef0f3}svg .ylabel{font-size:10px;fill:#6b7280;text-anchor:end;dominant-baseline:middle}
    svg .xlabel{font-size:10px;fill:#6b7280;text-anchor:middle}svg .line{fill:none;stroke:#4f46e5;stroke-width:1.8}svg .area{fill:#c7d2fe;opacity:.55}
    svg .dot{fill:#4f46e5}svg .bar{fill:#818cf8}svg .blabel{font-size:11px;fill:#374151;text-anchor:end}svg .bvalue{font-size:11px;fill:#374151}
    .diff span{display:block;min-height:1.4em}.diff .add{background:#dcfce7}.diff .del{background:#fee2e2}.diff pre{background:#fff;color:var(--fg);border:1px solid var(--line)}
    .login{max-width:380px;margin:60px auto;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:20px}
    .login input{width:100%;margin:8px 0 12px}
    """
}

extension HTML {
    /// An element holding markup written in the source, such as the style sheet.
    static func element(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:], literal: StaticString) -> HTML {
        element(name, attributes, [HTML.literal(literal)])
    }
}
