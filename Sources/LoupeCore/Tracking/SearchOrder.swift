/// One parsed MLflow `order_by` term, such as `metrics.rmse DESC` or `start_time`.
///
/// Keys follow the filter's rules (prefixes, quoting, attribute aliases); attributes come back under their
/// canonical names. Tie-breakers (MLflow's default orders) are left to the store.
public struct SearchOrder: Sendable, Hashable {
    /// Whether the key names a metric, param, tag or attribute.
    public var kind: SearchFilter.Clause.Kind
    /// A metric, param or tag key verbatim, or an attribute's canonical name.
    public var key: String
    /// Smallest first when true.
    public var ascending: Bool

    /// Makes a term; `parse` is the way to get checked ones.
    public init(kind: SearchFilter.Clause.Kind, key: String, ascending: Bool = true) {
        self.kind = kind
        self.key = key
        self.ascending = ascending
    }

    /// Parses `order_by` terms in order; a key given twice is refused, as MLflow's stores do.
    public static func parse(_ terms: [String], for entity: SearchFilter.Entity) throws(SearchFilterError) -> [SearchOrder] {
        var orders: [SearchOrder] = []
        for term in terms {
            let order = try parse(term, for: entity)
            if orders.contains(where: { $0.kind == order.kind && $0.key == order.key }) {
                throw SearchFilterError(
                    "order_by names \(SearchFilter.display(order.kind, order.key)) twice: keep one of the terms.")
            }
            orders.append(order)
        }
        return orders
    }

    /// Parses one term: a key, then optionally ASC or DESC (any case); ascending when neither is given.
    public static func parse(_ term: String, for entity: SearchFilter.Entity) throws(SearchFilterError) -> SearchOrder {
        var scanner = try SearchFilter.Scanner(term)
        scanner.skipWhitespace()
        guard !scanner.atEnd else {
            throw SearchFilterError("An order_by term is empty: write a key and a direction, such as \(example(for: entity)).")
        }
        let path = try scanner.readKey()
        let (kind, key) = try entity.resolveOrderKey(path)
        scanner.skipWhitespace()
        var ascending = true
        if !scanner.atEnd {
            let start = scanner.position
            switch scanner.readName().lowercased() {
            case "asc": ascending = true
            case "desc": ascending = false
            default:
                throw SearchFilterError(
                    "order_by '\(term)': expected ASC or DESC after the key, found \(scanner.excerpt(from: start)).")
            }
            scanner.skipWhitespace()
            guard scanner.atEnd else {
                throw SearchFilterError(
                    "order_by '\(term)': unexpected \(scanner.excerpt(from: scanner.position)) after the direction; "
                        + "give each key as its own term.")
            }
        }
        return SearchOrder(kind: kind, key: key, ascending: ascending)
    }

    /// Checks one structured order of SearchLoggedModels (`field_name`, `ascending`): `metrics.<key>` or an attribute.
    ///
    /// The field name is not quoted syntax: everything after `metrics.` is the metric key, as MLflow reads it.
    public static func loggedModel(fieldName: String, ascending: Bool = true) throws(SearchFilterError) -> SearchOrder {
        if let dot = fieldName.firstIndex(of: ".") {
            let prefix = fieldName[..<dot]
            let key = String(fieldName[fieldName.index(after: dot)...])
            guard prefix == "metrics" || prefix == "metric" else {
                throw SearchFilterError(
                    "Cannot order logged models by '\(fieldName)': use metrics.<key> or one of "
                        + SearchFilter.Entity.loggedModels.orderAttributes.joined(separator: ", ") + ".")
            }
            guard !key.isEmpty else {
                throw SearchFilterError("The order_by field '\(fieldName)' names no metric: write metrics.<key>.")
            }
            return SearchOrder(kind: .metric, key: key, ascending: ascending)
        }
        let name = fieldName.trimmingWhitespace
        guard let attribute = SearchFilter.Entity.loggedModels.orderAttributeRules.first(where: { $0.matches(name) }) else {
            throw SearchFilterError(
                "Cannot order logged models by '\(fieldName)': use metrics.<key> or one of "
                    + SearchFilter.Entity.loggedModels.orderAttributes.joined(separator: ", ") + ".")
        }
        return SearchOrder(kind: .attribute, key: attribute.name, ascending: ascending)
    }

    private static func example(for entity: SearchFilter.Entity) -> String {
        entity.orderKinds.contains(.metric) ? "metrics.rmse DESC" : "\(entity.orderAttributes[0]) ASC"
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    fileprivate var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
