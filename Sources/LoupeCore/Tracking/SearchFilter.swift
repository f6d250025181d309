/// A parsed MLflow search `filter`: comparisons joined by AND, with keys checked against what the entity offers.
///
/// It is only data: keys and values come back as plain Swift strings and numbers, for the store to bind as
/// SQL parameters. Attribute keys are normalised to one canonical snake_case name (see `Entity`), so
/// `created`, `attr.start_time` and `` `start_time` `` all become `start_time`.
public struct SearchFilter: Sendable, Hashable {
    /// What is being searched; each has its own keys and rules, following MLflow's SQL stores.
    ///
    /// Canonical attribute names, with the aliases that map to them:
    /// - `runs`: `run_id`, `run_name` (`run name`, `Run name`, `Run Name`), `status`, `user_id`, `artifact_uri`,
    ///   `start_time` (`created`, `Created`), `end_time`. MLflow stores `run_name` as the tag `mlflow.runName`.
    /// - `experiments`: `experiment_id`, `name`, `creation_time`, `last_update_time`.
    /// - `registeredModels`: `name`; ordering also by `creation_timestamp` and `last_updated_timestamp` (`timestamp`).
    /// - `modelVersions`: `name`, `version_number`, `run_id`, `source_path`; ordering by `name`, `version_number`,
    ///   `creation_timestamp` and `last_updated_timestamp`.
    /// - `loggedModels`: `model_id`, `name`, `model_type`, `status`, `source_run_id`,
    ///   `creation_timestamp` (`creation_time`), `last_updated_timestamp` (`last_updated_time`).
    public enum Entity: Sendable, Hashable, CaseIterable {
        case runs, experiments, registeredModels, modelVersions, loggedModels
    }

    /// One comparison, such as `metrics.rmse < 0.5`.
    public struct Clause: Sendable, Hashable {
        /// Which of the entity's collections the key names.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case metric, param, tag, attribute, dataset
        }

        /// The comparator, spelled as in the filter (keywords upper-case).
        public enum Comparison: String, Sendable, Hashable, CaseIterable {
            case equal = "="
            case notEqual = "!="
            case greater = ">"
            case greaterOrEqual = ">="
            case less = "<"
            case lessOrEqual = "<="
            case like = "LIKE"
            case ilike = "ILIKE"
            case `in` = "IN"
            case notIn = "NOT IN"
            case isNull = "IS NULL"
            case isNotNull = "IS NOT NULL"
        }

        /// The right-hand side: a string, a number, a list for IN and NOT IN, or nothing for IS NULL.
        public enum Value: Sendable, Hashable {
            case string(String)
            case number(Double)
            case strings([String])
            case none
        }

        /// Whether the key names a metric, param, tag, attribute or dataset field.
        public var kind: Kind
        /// A metric, param, tag or dataset key verbatim, or an attribute's canonical name.
        public var key: String
        /// How the stored value is compared with `value`.
        public var comparison: Comparison
        /// What the stored value is compared with.
        public var value: Value

        /// Makes a clause; `SearchFilter.parse` is the way to get checked ones.
        public init(kind: Kind, key: String, comparison: Comparison, value: Value) {
            self.kind = kind
            self.key = key
            self.comparison = comparison
            self.value = value
        }
    }

    /// The comparisons, all of which must hold.
    public var clauses: [Clause]

    /// Makes a filter from clauses that are already checked.
    public init(clauses: [Clause]) {
        self.clauses = clauses
    }

    /// Parses MLflow's filter grammar for `entity`; nil, empty or blank text is a filter with no clauses.
    public static func parse(_ text: String?, for entity: Entity) throws(SearchFilterError) -> SearchFilter {
        guard let text else { return SearchFilter(clauses: []) }
        var parser = try Parser(text, entity: entity)
        return SearchFilter(clauses: try parser.parseFilter())
    }
}

// MARK: - What each entity offers

extension SearchFilter.Entity {
    /// The canonical attribute names a filter can compare, in documentation order.
    public var filterAttributes: [String] { attributeRules.map(\.name) }

    /// The canonical attribute names an `order_by` can sort on.
    public var orderAttributes: [String] { orderAttributeRules.map(\.name) }

    /// How the entity is named in messages.
    var displayName: String {
        switch self {
        case .runs: "runs"
        case .experiments: "experiments"
        case .registeredModels: "registered models"
        case .modelVersions: "model versions"
        case .loggedModels: "logged models"
        }
    }

    /// The kinds a filter can name, attributes first.
    var filterKinds: [SearchFilter.Clause.Kind] {
        switch self {
        case .runs: [.attribute, .metric, .param, .tag, .dataset]
        case .experiments, .registeredModels, .modelVersions: [.attribute, .tag]
        case .loggedModels: [.attribute, .metric, .param, .tag]
        }
    }

    /// The kinds an `order_by` can name; MLflow sorts experiments and models by attributes only.
    var orderKinds: [SearchFilter.Clause.Kind] {
        switch self {
        case .runs: [.attribute, .metric, .param, .tag]
        case .experiments, .registeredModels, .modelVersions: [.attribute]
        case .loggedModels: [.attribute, .metric]
        }
    }

    /// The rule for a metric, param or tag key (any key), or nil if the entity has no such kind.
    func rule(for kind: SearchFilter.Clause.Kind) -> SearchFilter.KeyRule? {
        guard filterKinds.contains(kind) else { return nil }
        switch (self, kind) {
        case (_, .metric): return .number
        case (.runs, .param), (.runs, .tag), (.experiments, .tag): return .nullableString
        // MLflow's logged-model search takes IN lists, and bare numbers as text, for params and tags.
        case (.loggedModels, .param), (.loggedModels, .tag): return .loggedModelString
        case (_, .param), (_, .tag): return .string
        default: return nil
        }
    }

    /// The attributes a filter can compare, with their aliases and rules.
    var attributeRules: [SearchFilter.AttributeRule] {
        typealias Rule = SearchFilter.AttributeRule
        switch self {
        case .runs:
            return [
                Rule("run_id", .listableString),
                Rule("run_name", .string, aliases: ["run name", "Run name", "Run Name"]),
                Rule("status", .string),
                Rule("user_id", .string),
                Rule("artifact_uri", .string),
                Rule("start_time", .number, aliases: ["created", "Created"]),
                Rule("end_time", .number),
            ]
        case .experiments:
            return [
                // An integer column in MLflow: equality and lists only.
                Rule("experiment_id", .identifier),
                Rule("name", .string),
                Rule("creation_time", .wholeNumber),
                Rule("last_update_time", .wholeNumber),
            ]
        case .registeredModels:
            return [Rule("name", .listableString)]
        case .modelVersions:
            return [
                Rule("name", .listableString),
                Rule("version_number", .versionNumber),
                Rule("run_id", .listableString),
                Rule("source_path", .string),
            ]
        case .loggedModels:
            return [
                Rule("model_id", .loggedModelString),
                Rule("name", .loggedModelString),
                Rule("model_type", .loggedModelString),
                Rule("status", .loggedModelString),
                Rule("source_run_id", .loggedModelString),
                Rule("creation_timestamp", .number, aliases: ["creation_time"]),
                Rule("last_updated_timestamp", .number, aliases: ["last_updated_time"]),
            ]
        }
    }

    /// The attributes an `order_by` can sort on (the rules' comparisons do not matter here).
    var orderAttributeRules: [SearchFilter.AttributeRule] {
        typealias Rule = SearchFilter.AttributeRule
        switch self {
        case .runs, .experiments, .loggedModels:
            return attributeRules
        case .registeredModels:
            return [
                Rule("name", .string),
                Rule("creation_timestamp", .number),
                // MLflow's SQL store sorts `timestamp` by the last update.
                Rule("last_updated_timestamp", .number, aliases: ["timestamp"]),
            ]
        case .modelVersions:
            return [
                Rule("name", .string),
                Rule("version_number", .number),
                Rule("creation_timestamp", .number),
                Rule("last_updated_timestamp", .number),
            ]
        }
    }

    /// The keys of `datasets.`: only runs have them.
    var datasetKeys: [String] { self == .runs ? ["name", "digest", "context"] : [] }
}

// MARK: - Rules

extension SearchFilter {
    /// What values a key takes and which comparisons it allows.
    struct KeyRule: Sendable {
        enum ValueType: Sendable { case string, number, wholeNumber }

        var valueType: ValueType
        /// In the order messages list them.
        var comparisons: [Clause.Comparison]
        /// MLflow's model-version store casts a quoted `'3'` to a number.
        var acceptsQuotedWholeNumber = false
        /// MLflow's logged-model search keeps a bare `0.01` as the text `0.01`.
        var acceptsNumberAsString = false

        static let numericComparisons: [Clause.Comparison] = [.equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual]
        static let stringComparisons: [Clause.Comparison] = [.equal, .notEqual, .like, .ilike]

        static let number = KeyRule(valueType: .number, comparisons: numericComparisons)
        static let wholeNumber = KeyRule(valueType: .wholeNumber, comparisons: numericComparisons)
        static let versionNumber = KeyRule(valueType: .wholeNumber, comparisons: numericComparisons, acceptsQuotedWholeNumber: true)
        static let string = KeyRule(valueType: .string, comparisons: stringComparisons)
        static let listableString = KeyRule(valueType: .string, comparisons: stringComparisons + [.in, .notIn])
        static let nullableString = KeyRule(valueType: .string, comparisons: stringComparisons + [.isNull, .isNotNull])
        static let identifier = KeyRule(valueType: .string, comparisons: [.equal, .notEqual, .in, .notIn])
        static let loggedModelString = KeyRule(
            valueType: .string, comparisons: stringComparisons + [.in, .notIn], acceptsNumberAsString: true)
    }

    /// An attribute's canonical name, the other names MLflow accepts for it, and its rule.
    struct AttributeRule: Sendable {
        var name: String
        var aliases: [String]
        var rule: KeyRule

        init(_ name: String, _ rule: KeyRule, aliases: [String] = []) {
            self.name = name
            self.rule = rule
            self.aliases = aliases
        }

        func matches(_ key: String) -> Bool { key == name || aliases.contains(key) }
    }
}
