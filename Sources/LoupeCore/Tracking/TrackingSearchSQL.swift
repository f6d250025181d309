/// Turns a run or experiment search's filter and order into SQL for either store, every value a bound parameter.
///
/// The SQL is fixed text chosen by clause kind and comparator (never user text); keys and values are bound.
/// The store passes `bind`, which records a value and returns its placeholder (`?` or `$n`).
public struct TrackingSearchSQL {
    /// The two SQL dialects' differences that matter here.
    public enum Dialect: Sendable {
        /// NaN is stored as 0 with `is_nan = 1`; `LIKE` ignores ASCII case, so case-sensitive LIKE adds a GLOB.
        case sqlite
        /// NaN is a float8 value; `LIKE` is case-sensitive and `ILIKE` exists.
        case postgres

        /// How rows of a run's params, tags and latest metrics (alias `x`) name their run: SQLite's by the
        /// run's integer key, PostgreSQL's by its id.
        func run(_ alias: String) -> String {
            switch self {
            case .sqlite: "\(alias).run_key = runs.key"
            case .postgres: "\(alias).run_id = runs.id"
            }
        }
    }

    /// A value to bind.
    public enum Value: Sendable, Hashable {
        case text(String)
        case number(Double)
    }

    /// What is searched: conditions apply to this table.
    public enum Table: Sendable {
        case runs, experiments, registeredModels, modelVersions, loggedModels
    }

    let dialect: Dialect
    let table: Table
    let bind: (Value) -> String

    public init(dialect: Dialect, table: Table, bind: @escaping (Value) -> String) {
        self.dialect = dialect
        self.table = table
        self.bind = bind
    }

    /// `AND …` conditions on the searched table for every clause.
    public func conditions(_ filter: SearchFilter) throws(TrackingError) -> String {
        // SQLite tests a row's conditions in the order written and stops at the first that fails, so equality
        // clauses, which usually rule out the most, go first; the clauses' meaning does not depend on order.
        func isEquality(_ clause: SearchFilter.Clause) -> Bool { clause.comparison == .equal || clause.comparison == .in }
        var sql = ""
        for clause in filter.clauses.filter(isEquality) + filter.clauses.filter({ !isEquality($0) }) {
            sql += " AND " + (try condition(clause))
        }
        return sql
    }

    /// `ORDER BY` terms: the requested ones with missing values last, then MLflow's tie-breakers.
    public func orderBy(_ order: [SearchOrder]) throws(TrackingError) -> String {
        var terms: [String] = []
        for term in order {
            // Built twice, because positional placeholders need their value bound at each use.
            let isMissing = "(\(try sortExpression(term))) IS NULL"
            terms.append("\(isMissing), \(try sortExpression(term)) \(term.ascending ? "ASC" : "DESC")")
        }
        let tieBreakers = switch table {
        case .runs: "runs.start_time DESC, runs.id ASC"
        case .experiments: "experiments.id DESC"
        case .registeredModels: "registered_models.name ASC"
        case .modelVersions: "model_versions.name ASC, model_versions.version DESC"
        case .loggedModels: "logged_models.creation_timestamp DESC, logged_models.id ASC"
        }
        terms.append(tieBreakers)
        return terms.joined(separator: ", ")
    }

    private func sortExpression(_ term: SearchOrder) throws(TrackingError) -> String {
        switch term.kind {
        case .metric where table != .runs: throw .invalidParameter("Ordering by metrics works for runs only, so far.")
        case .metric: "(SELECT \(metricValue("m")) FROM run_latest_metrics m WHERE \(dialect.run("m")) AND m.key = \(bind(.text(term.key))))"
        case .param: "(SELECT p.value FROM run_params p WHERE \(dialect.run("p")) AND p.key = \(bind(.text(term.key))))"
        case .tag: "(SELECT t.value FROM \(tagTable) t WHERE \(tagOwner("t")) AND t.key = \(bind(.text(term.key))))"
        case .attribute: try attributeColumn(term.key)
        case .dataset: throw .invalidParameter("Ordering by dataset fields is not supported.")
        }
    }

    private func condition(_ clause: SearchFilter.Clause) throws(TrackingError) -> String {
        switch clause.kind {
        case .metric:
            guard table == .runs else { throw .invalidParameter("Searching by metrics works for runs only, so far.") }
            guard case .number(let number) = clause.value else { throw .invalidParameter("Metric '\(clause.key)' must be compared with a number.") }
            let key = bind(.text(clause.key))
            let value = bind(.number(number))
            // MLflow: a NaN metric matches only !=.
            let test = clause.comparison == .notEqual
                ? "(\(isNaN("m")) OR m.value <> \(value))"
                : "(NOT \(isNaN("m")) AND m.value \(clause.comparison.rawValue) \(value))"
            return "EXISTS (SELECT 1 FROM run_latest_metrics m WHERE \(dialect.run("m")) AND m.key = \(key) AND \(test))"
        case .param, .tag:
            let values = clause.kind == .param ? (table == .loggedModels ? "logged_model_params" : "run_params") : tagTable
            let owner = clause.kind == .param ? (table == .loggedModels ? "x.model_id = logged_models.id" : dialect.run("x")) : tagOwner("x")
            let key = bind(.text(clause.key))
            // MLflow's client adds `tag.mlflow.prompt.is_prompt != 'true'` to registry searches, meaning "not a
            // prompt": there `!=` also matches models without the tag.
            if clause.kind == .tag, clause.comparison == .notEqual, table == .registeredModels || table == .modelVersions,
               case .string(let value) = clause.value
            {
                return "NOT EXISTS (SELECT 1 FROM \(values) x WHERE \(owner) AND x.key = \(key) AND x.value = \(bind(.text(value))))"
            }
            switch clause.comparison {
            case .isNull: return "NOT EXISTS (SELECT 1 FROM \(values) x WHERE \(owner) AND x.key = \(key))"
            case .isNotNull: return "EXISTS (SELECT 1 FROM \(values) x WHERE \(owner) AND x.key = \(key))"
            default: return "EXISTS (SELECT 1 FROM \(values) x WHERE \(owner) AND x.key = \(key) AND \(try compare("x.value", clause)))"
            }
        case .attribute:
            return try compare(try attributeColumn(clause.key), clause)
        case .dataset:
            throw .invalidParameter("Filtering runs by dataset is not supported yet.")
        }
    }

    /// `column <op> value` for a string or number comparison, including LIKE, ILIKE, IN and NOT IN.
    private func compare(_ column: String, _ clause: SearchFilter.Clause) throws(TrackingError) -> String {
        // Experiment ids are written as strings but stored as numbers.
        if column == "experiments.id" {
            func number(_ text: String) throws(TrackingError) -> String {
                guard let value = Double(text) else { throw .invalidParameter("Experiment id '\(text)' is not a number.") }
                return bind(.number(value))
            }
            switch clause.value {
            case .string(let text): return "\(column) \(clause.comparison.rawValue) \(try number(text))"
            case .strings(let items):
                var list: [String] = []
                for item in items { list.append(try number(item)) }
                return "\(column) \(clause.comparison == .in ? "IN" : "NOT IN") (\(list.joined(separator: ", ")))"
            default: break
            }
        }
        switch (clause.comparison, clause.value) {
        case (.in, .strings(let items)), (.notIn, .strings(let items)):
            let list = items.map { bind(.text($0)) }.joined(separator: ", ")
            return "\(column) \(clause.comparison == .in ? "IN" : "NOT IN") (\(list))"
        case (.like, .string(let pattern)):
            switch dialect {
            case .postgres: return "\(column) LIKE \(bind(.text(pattern)))"
            // SQLite's LIKE ignores case; GLOB on the same pattern restores case-sensitivity.
            case .sqlite: return "(\(column) LIKE \(bind(.text(pattern))) AND \(column) GLOB \(bind(.text(Self.glob(fromLike: pattern)))))"
            }
        case (.ilike, .string(let pattern)):
            switch dialect {
            case .postgres: return "\(column) ILIKE \(bind(.text(pattern)))"
            case .sqlite: return "\(column) LIKE \(bind(.text(pattern)))"
            }
        case (_, .string(let text)):
            return "\(column) \(clause.comparison.rawValue) \(bind(.text(text)))"
        case (_, .number(let number)):
            return "\(column) \(clause.comparison.rawValue) \(bind(.number(number)))"
        default:
            throw .invalidParameter("'\(clause.key)' cannot be compared with \(clause.comparison.rawValue) here.")
        }
    }

    private var tagTable: String {
        switch table {
        case .runs: "run_tags"
        case .experiments: "experiment_tags"
        case .registeredModels: "registered_model_tags"
        case .modelVersions: "model_version_tags"
        case .loggedModels: "logged_model_tags"
        }
    }

    private func tagOwner(_ alias: String) -> String {
        switch table {
        case .runs: dialect.run(alias)
        case .experiments: "\(alias).experiment_id = experiments.id"
        case .registeredModels: "\(alias).name = registered_models.name"
        case .modelVersions: "\(alias).name = model_versions.name AND \(alias).version = model_versions.version"
        case .loggedModels: "\(alias).model_id = logged_models.id"
        }
    }

    private func attributeColumn(_ name: String) throws(TrackingError) -> String {
        if table == .loggedModels {
            switch name {
            case "model_id": return "logged_models.id"
            case "name": return "logged_models.name"
            case "model_type": return "logged_models.model_type"
            case "status": return "logged_models.status"
            case "source_run_id": return "logged_models.source_run_id"
            case "creation_timestamp": return "logged_models.creation_timestamp"
            case "last_updated_timestamp": return "logged_models.last_updated_timestamp"
            default: throw .invalidParameter("Logged models cannot be searched by attribute '\(name)'.")
            }
        }
        if table == .registeredModels {
            switch name {
            case "name": return "registered_models.name"
            case "creation_timestamp": return "registered_models.creation_timestamp"
            case "last_updated_timestamp": return "registered_models.last_updated_timestamp"
            default: throw .invalidParameter("Registered models cannot be searched by attribute '\(name)'.")
            }
        }
        if table == .modelVersions {
            switch name {
            case "name": return "model_versions.name"
            case "version_number": return "model_versions.version"
            case "run_id": return "model_versions.run_id"
            case "source_path": return "model_versions.source"
            case "creation_timestamp": return "model_versions.creation_timestamp"
            case "last_updated_timestamp": return "model_versions.last_updated_timestamp"
            default: throw .invalidParameter("Model versions cannot be searched by attribute '\(name)'.")
            }
        }
        if table == .experiments {
            switch name {
            case "experiment_id": return "experiments.id"
            case "name": return "experiments.name"
            case "creation_time": return "experiments.creation_time"
            case "last_update_time": return "experiments.last_update_time"
            default: throw .invalidParameter("Experiments cannot be searched by attribute '\(name)'.")
            }
        }
        return switch name {
        case "run_id": "runs.id"
        case "run_name": "runs.name"
        case "status": "runs.status"
        case "user_id": "runs.user_id"
        case "artifact_uri": "runs.artifact_uri"
        case "start_time": "runs.start_time"
        case "end_time": "runs.end_time"
        default: throw .invalidParameter("Runs cannot be searched by attribute '\(name)'.")
        }
    }

    private func isNaN(_ alias: String) -> String {
        dialect == .sqlite ? "\(alias).is_nan = 1" : "\(alias).value = 'NaN'"
    }

    private func metricValue(_ alias: String) -> String {
        dialect == .sqlite ? "CASE WHEN \(alias).is_nan = 1 THEN NULL ELSE \(alias).value END" : "NULLIF(\(alias).value, 'NaN')"
    }

    /// A GLOB pattern matching what a LIKE pattern matches, but with case: `%` is `*`, `_` is `?`, and GLOB's
    /// own special characters are bracketed so they match themselves.
    static func glob(fromLike pattern: String) -> String {
        var result = ""
        for character in pattern {
            switch character {
            case "%": result += "*"
            case "_": result += "?"
            case "*", "?", "[": result += "[\(character)]"
            default: result.append(character)
            }
        }
        return result
    }
}
