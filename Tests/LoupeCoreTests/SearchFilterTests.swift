import LoupeCore
import Testing

private typealias Clause = SearchFilter.Clause

private func metric(_ key: String, _ comparison: Clause.Comparison, _ number: Double) -> Clause {
    Clause(kind: .metric, key: key, comparison: comparison, value: .number(number))
}

private func param(_ key: String, _ comparison: Clause.Comparison, _ string: String?) -> Clause {
    Clause(kind: .param, key: key, comparison: comparison, value: string.map { .string($0) } ?? .none)
}

private func tag(_ key: String, _ comparison: Clause.Comparison, _ string: String?) -> Clause {
    Clause(kind: .tag, key: key, comparison: comparison, value: string.map { .string($0) } ?? .none)
}

private func attribute(_ key: String, _ comparison: Clause.Comparison, _ string: String) -> Clause {
    Clause(kind: .attribute, key: key, comparison: comparison, value: .string(string))
}

private func attribute(_ key: String, _ comparison: Clause.Comparison, _ number: Double) -> Clause {
    Clause(kind: .attribute, key: key, comparison: comparison, value: .number(number))
}

private func attribute(_ key: String, _ comparison: Clause.Comparison, _ strings: [String]) -> Clause {
    Clause(kind: .attribute, key: key, comparison: comparison, value: .strings(strings))
}

private func dataset(_ key: String, _ comparison: Clause.Comparison, _ value: Clause.Value) -> Clause {
    Clause(kind: .dataset, key: key, comparison: comparison, value: value)
}

/// A filter MLflow accepts, and the clauses it means.
struct ValidFilter: Sendable, CustomTestStringConvertible {
    var entity: SearchFilter.Entity
    var text: String
    fileprivate var clauses: [Clause]
    var testDescription: String { "\(entity): \(text)" }

    fileprivate init(_ entity: SearchFilter.Entity, _ text: String, _ clauses: Clause...) {
        self.entity = entity
        self.text = text
        self.clauses = clauses
    }
}

/// A filter that must be refused, and a fragment of the message that says why.
struct InvalidFilter: Sendable, CustomTestStringConvertible {
    var entity: SearchFilter.Entity
    var text: String
    var fragments: [String]
    var testDescription: String { "\(entity): \(text)" }

    init(_ entity: SearchFilter.Entity, _ text: String, _ fragments: String...) {
        self.entity = entity
        self.text = text
        self.fragments = fragments
    }
}

private let validFilters: [ValidFilter] = [
    // Runs: metrics take numbers in every form MLflow's tokenizer reads, and a few more (+1, E+3).
    ValidFilter(.runs, "metrics.rmse < 0.5", metric("rmse", .less, 0.5)),
    ValidFilter(.runs, "metric.rmse >= -1", metric("rmse", .greaterOrEqual, -1)),
    ValidFilter(.runs, "metrics.rmse > 1e-3", metric("rmse", .greater, 0.001)),
    ValidFilter(.runs, "metrics.rmse > 1E5", metric("rmse", .greater, 100_000)),
    ValidFilter(.runs, "metrics.rmse > .5", metric("rmse", .greater, 0.5)),
    ValidFilter(.runs, "metrics.rmse > -.5", metric("rmse", .greater, -0.5)),
    ValidFilter(.runs, "metrics.rmse <= 1.", metric("rmse", .lessOrEqual, 1)),
    ValidFilter(.runs, "metrics.rmse>2.5E+3", metric("rmse", .greater, 2500)),
    ValidFilter(.runs, "metrics.acc != +1", metric("acc", .notEqual, 1)),
    ValidFilter(.runs, "metrics.acc = 42", metric("acc", .equal, 42)),
    ValidFilter(.runs, "metrics.\"my metric\" > 1", metric("my metric", .greater, 1)),
    ValidFilter(.runs, "metrics.train/loss < 1", metric("train/loss", .less, 1)),
    ValidFilter(.runs, "metrics.val-loss < 1", metric("val-loss", .less, 1)),
    ValidFilter(.runs, "`metrics`.rmse > 1", metric("rmse", .greater, 1)),
    ValidFilter(.runs, "METRICS.rmse > 1", metric("rmse", .greater, 1)),
    ValidFilter(.runs, "metrics.x >= 1 AND metrics.x <= 2", metric("x", .greaterOrEqual, 1), metric("x", .lessOrEqual, 2)),
    // Params and tags take quoted strings, and LIKE, ILIKE and IS [NOT] NULL.
    ValidFilter(.runs, "params.lr = '0.1'", param("lr", .equal, "0.1")),
    ValidFilter(.runs, "param.lr = \"0.1\"", param("lr", .equal, "0.1")),
    ValidFilter(.runs, "parameter.model LIKE 'bert%'", param("model", .like, "bert%")),
    ValidFilter(.runs, "parameters.model ilike '%BERT%'", param("model", .ilike, "%BERT%")),
    ValidFilter(.runs, "params.model != 'gpt'", param("model", .notEqual, "gpt")),
    ValidFilter(.runs, "params.\"learning rate\" = '0.1'", param("learning rate", .equal, "0.1")),
    ValidFilter(.runs, "params.`learning rate` = '0.1'", param("learning rate", .equal, "0.1")),
    ValidFilter(.runs, "`params`.`a b` = 'c'", param("a b", .equal, "c")),
    ValidFilter(.runs, "tags.'a b' = 'c'", tag("a b", .equal, "c")),
    ValidFilter(.runs, "\"tags\".\"a.b\" = 'c'", tag("a.b", .equal, "c")),
    ValidFilter(.runs, "tags.`mlflow.runName` = 'x'", tag("mlflow.runName", .equal, "x")),
    ValidFilter(.runs, "tags.mlflow.runName = 'x'", tag("mlflow.runName", .equal, "x")),
    ValidFilter(.runs, "tags.mlflow.loggedArtifacts LIKE '%table%'", tag("mlflow.loggedArtifacts", .like, "%table%")),
    ValidFilter(.runs, "tag.s.release ILIKE '%rc%'", tag("s.release", .ilike, "%rc%")),
    ValidFilter(.runs, "tags.`a``b` = 'c'", tag("a`b", .equal, "c")),
    ValidFilter(.runs, "tags.x IS NULL", tag("x", .isNull, nil)),
    ValidFilter(.runs, "tags.x is not null", tag("x", .isNotNull, nil)),
    ValidFilter(.runs, "params.x IS  NOT\tNULL", param("x", .isNotNull, nil)),
    ValidFilter(.runs, "params.x=''", param("x", .equal, "")),
    ValidFilter(.runs, "params.x = \"\"", param("x", .equal, "")),
    // Attributes, bare or prefixed, under their canonical names.
    ValidFilter(.runs, "status = 'FINISHED'", attribute("status", .equal, "FINISHED")),
    ValidFilter(.runs, "attributes.status = \"FAILED\"", attribute("status", .equal, "FAILED")),
    ValidFilter(.runs, "attribute.status != 'RUNNING'", attribute("status", .notEqual, "RUNNING")),
    ValidFilter(.runs, "attr.status LIKE 'F%'", attribute("status", .like, "F%")),
    ValidFilter(.runs, "run.status = 'KILLED'", attribute("status", .equal, "KILLED")),
    ValidFilter(.runs, "start_time > 0", attribute("start_time", .greater, 0)),
    ValidFilter(.runs, "attributes.start_time >= 1.5", attribute("start_time", .greaterOrEqual, 1.5)),
    ValidFilter(.runs, "created > 1700000000000", attribute("start_time", .greater, 1_700_000_000_000)),
    ValidFilter(.runs, "Created < 5", attribute("start_time", .less, 5)),
    ValidFilter(.runs, "end_time < 10", attribute("end_time", .less, 10)),
    ValidFilter(.runs, "attributes.run_name = 'good run'", attribute("run_name", .equal, "good run")),
    ValidFilter(.runs, "\"run name\" = 'x'", attribute("run_name", .equal, "x")),
    ValidFilter(.runs, "`Run name` = 'x'", attribute("run_name", .equal, "x")),
    ValidFilter(.runs, "attributes.`Run Name` LIKE 'x%'", attribute("run_name", .like, "x%")),
    ValidFilter(.runs, "attributes.user_id ILIKE '%bob%'", attribute("user_id", .ilike, "%bob%")),
    ValidFilter(.runs, "attributes.artifact_uri = 's3://bucket/x'", attribute("artifact_uri", .equal, "s3://bucket/x")),
    ValidFilter(.runs, "run_id = 'abc'", attribute("run_id", .equal, "abc")),
    ValidFilter(.runs, "run_id IN ('a', 'b')", attribute("run_id", .in, ["a", "b"])),
    ValidFilter(.runs, "attributes.run_id NOT IN ('a')", attribute("run_id", .notIn, ["a"])),
    ValidFilter(.runs, "run_id in ('a',)", attribute("run_id", .in, ["a"])),
    ValidFilter(.runs, "run_id not in (\"a\" , 'b''c')", attribute("run_id", .notIn, ["a", "b'c"])),
    ValidFilter(.runs, "run_id IN('a','b')", attribute("run_id", .in, ["a", "b"])),
    // Datasets, runs only.
    ValidFilter(.runs, "datasets.name = 'iris'", dataset("name", .equal, .string("iris"))),
    ValidFilter(.runs, "dataset.context IN ('train', 'eval')", dataset("context", .in, .strings(["train", "eval"]))),
    ValidFilter(.runs, "datasets.digest != 'abc'", dataset("digest", .notEqual, .string("abc"))),
    // Joining, case and whitespace.
    ValidFilter(
        .runs, "metrics.rmse < 1 and params.x = 'a' AND tags.y != 'b' And status = 'FINISHED'",
        metric("rmse", .less, 1), param("x", .equal, "a"), tag("y", .notEqual, "b"), attribute("status", .equal, "FINISHED")),
    ValidFilter(.runs, "\t metrics.rmse\n<\n0.5  ", metric("rmse", .less, 0.5)),
    ValidFilter(.runs, "params.x = 'a'AND params.y = 'b'", param("x", .equal, "a"), param("y", .equal, "b")),
    // Escapes: doubled quotes and backslash-quote stand for the quote; other backslashes are kept.
    ValidFilter(.runs, "params.x = 'a''b'", param("x", .equal, "a'b")),
    ValidFilter(.runs, "params.x = \"a\"\"b\"", param("x", .equal, "a\"b")),
    ValidFilter(.runs, "params.x = 'a\\'b'", param("x", .equal, "a'b")),
    ValidFilter(.runs, "params.x = \"it's\"", param("x", .equal, "it's")),
    ValidFilter(.runs, "params.x = 'C:\\dir\\file'", param("x", .equal, "C:\\dir\\file")),
    ValidFilter(.runs, "params.x = 'ends with \\\\'", param("x", .equal, "ends with \\")),
    ValidFilter(.runs, "params.x = '50% off_'", param("x", .equal, "50% off_")),
    ValidFilter(.runs, "params.x = 'AND status = 1'", param("x", .equal, "AND status = 1")),
    // UTF-8 passes through whole.
    ValidFilter(.runs, "tags.ключ = 'значение 😀'", tag("ключ", .equal, "значение 😀")),
    ValidFilter(.runs, "params.`名前 x` = '値'", param("名前 x", .equal, "値")),

    // Experiments.
    ValidFilter(.experiments, "name = 'a'", attribute("name", .equal, "a")),
    ValidFilter(.experiments, "attribute.name LIKE 'a%'", attribute("name", .like, "a%")),
    ValidFilter(.experiments, "attributes.name = 'a'", attribute("name", .equal, "a")),
    ValidFilter(.experiments, "tags.k ILIKE '%v'", tag("k", .ilike, "%v")),
    ValidFilter(.experiments, "name LIKE '%b' AND tags.k = 'v'", attribute("name", .like, "%b"), tag("k", .equal, "v")),
    ValidFilter(.experiments, "tag.x IS NULL", tag("x", .isNull, nil)),
    ValidFilter(.experiments, "tags.x IS NOT NULL", tag("x", .isNotNull, nil)),
    ValidFilter(.experiments, "creation_time > 5", attribute("creation_time", .greater, 5)),
    ValidFilter(.experiments, "last_update_time < 1700000000000", attribute("last_update_time", .less, 1_700_000_000_000)),
    ValidFilter(.experiments, "experiment_id IN ('1','2')", attribute("experiment_id", .in, ["1", "2"])),
    ValidFilter(.experiments, "experiment_id != \"0\"", attribute("experiment_id", .notEqual, "0")),

    // Registered models, including what the MLflow client adds to exclude or select prompts.
    ValidFilter(.registeredModels, "name = 'a'", attribute("name", .equal, "a")),
    ValidFilter(.registeredModels, "name='CordobaWeatherForecastModel'", attribute("name", .equal, "CordobaWeatherForecastModel")),
    ValidFilter(.registeredModels, "name LIKE 'Boston%'", attribute("name", .like, "Boston%")),
    ValidFilter(.registeredModels, "name IN ('a','b')", attribute("name", .in, ["a", "b"])),
    ValidFilter(.registeredModels, "tag.`mlflow.prompt.is_prompt` != 'true'", tag("mlflow.prompt.is_prompt", .notEqual, "true")),
    ValidFilter(.registeredModels, "tags.`mlflow.prompt.is_prompt` = 'true'", tag("mlflow.prompt.is_prompt", .equal, "true")),
    ValidFilter(
        .registeredModels, "name ILIKE '%a%' AND tag.`mlflow.prompt.is_prompt` != 'true'",
        attribute("name", .ilike, "%a%"), tag("mlflow.prompt.is_prompt", .notEqual, "true")),
    ValidFilter(
        .registeredModels, "tags.`mlflow.prompt.is_prompt` = 'true' AND tags.mlflow.prompt.experiment_ids LIKE '%,1,%'",
        tag("mlflow.prompt.is_prompt", .equal, "true"), tag("mlflow.prompt.experiment_ids", .like, "%,1,%")),

    // Model versions.
    ValidFilter(.modelVersions, "name = 'a'", attribute("name", .equal, "a")),
    ValidFilter(.modelVersions, "run_id = 'ae9a606a12834c04a8ef1006d0cff779'", attribute("run_id", .equal, "ae9a606a12834c04a8ef1006d0cff779")),
    ValidFilter(.modelVersions, "version_number > 1", attribute("version_number", .greater, 1)),
    ValidFilter(.modelVersions, "version_number = '3'", attribute("version_number", .equal, 3)),
    ValidFilter(.modelVersions, "run_id IN ('a','b')", attribute("run_id", .in, ["a", "b"])),
    ValidFilter(.modelVersions, "name NOT IN ('a')", attribute("name", .notIn, ["a"])),
    ValidFilter(.modelVersions, "source_path LIKE 's3://%'", attribute("source_path", .like, "s3://%")),
    ValidFilter(.modelVersions, "tags.x = 'a'", tag("x", .equal, "a")),
    ValidFilter(
        .modelVersions, "run_id = 'a' AND version_number >= 2", attribute("run_id", .equal, "a"),
        attribute("version_number", .greaterOrEqual, 2)),

    // Logged models: IN for params and tags, bare numbers kept as text for strings.
    ValidFilter(.loggedModels, "metrics.accuracy > 0.9", metric("accuracy", .greater, 0.9)),
    ValidFilter(.loggedModels, "params.lr = 0.01", param("lr", .equal, "0.01")),
    ValidFilter(.loggedModels, "metrics.loss > 0.1 AND params.lr = 0.01", metric("loss", .greater, 0.1), param("lr", .equal, "0.01")),
    ValidFilter(
        .loggedModels, "params.x IN (1, 'b')",
        Clause(kind: .param, key: "x", comparison: .in, value: .strings(["1", "b"]))),
    ValidFilter(.loggedModels, "tags.x NOT IN ('a')", Clause(kind: .tag, key: "x", comparison: .notIn, value: .strings(["a"]))),
    ValidFilter(.loggedModels, "name = 'a'", attribute("name", .equal, "a")),
    ValidFilter(.loggedModels, "attributes.name = 'a'", attribute("name", .equal, "a")),
    ValidFilter(.loggedModels, "creation_time > 1", attribute("creation_timestamp", .greater, 1)),
    ValidFilter(.loggedModels, "last_updated_time > 1.5", attribute("last_updated_timestamp", .greater, 1.5)),
    ValidFilter(.loggedModels, "model_id IN ('m-1')", attribute("model_id", .in, ["m-1"])),
    ValidFilter(.loggedModels, "status = 'READY' AND source_run_id = 'r'", attribute("status", .equal, "READY"), attribute("source_run_id", .equal, "r")),
]

private let invalidFilters: [InvalidFilter] = [
    // Types.
    InvalidFilter(.runs, "metrics.rmse > 'abc'", "metrics.rmse: expected a number, found 'abc'"),
    InvalidFilter(.runs, "metrics.rmse > '1'", "metrics.rmse: expected a number, found '1'"),
    InvalidFilter(.runs, "metrics.rmse > NaN", "expected a number, found NaN"),
    InvalidFilter(.runs, "params.x = 1", "params.x: expected a quoted string", "('1')"),
    InvalidFilter(.runs, "params.x = abc", "expected a quoted string such as 'value', found abc"),
    InvalidFilter(.runs, "start_time = 'x'", "start_time: expected a number, found 'x'"),
    InvalidFilter(.runs, "params.x = `a`", "backticks quote keys"),
    InvalidFilter(.runs, "params.x = NULL", "IS NULL or IS NOT NULL"),
    // Comparators per key type.
    InvalidFilter(.runs, "metrics.rmse LIKE 1", "LIKE cannot be used with metrics.rmse", "=, !=, >, >=, <, <="),
    InvalidFilter(.runs, "metrics.x IS NULL", "IS NULL cannot be used with metrics.x"),
    InvalidFilter(.runs, "attributes.status IS NOT NULL", "IS NOT NULL cannot be used with status"),
    InvalidFilter(.runs, "params.x > 'a'", "> cannot be used with params.x"),
    InvalidFilter(.runs, "params.x IN ('a','b')", "IN cannot be used with params.x", "lists work with run_id, datasets.name, datasets.digest, datasets.context."),
    InvalidFilter(.runs, "status NOT IN ('a')", "NOT IN cannot be used with status"),
    InvalidFilter(.runs, "start_time LIKE 'x'", "LIKE cannot be used with start_time"),
    InvalidFilter(.runs, "params.x == 'a'", "Use = rather than =="),
    InvalidFilter(.runs, "params.x <> 'a'", "Use != rather than <>"),
    InvalidFilter(.runs, "params.x =! 'a'", "'=!' after params.x is not a comparator"),
    InvalidFilter(.runs, "params.x NOT LIKE 'a'", "NOT LIKE after params.x is not supported"),
    InvalidFilter(.runs, "params.x IS 'a'", "Expected NULL or NOT NULL after params.x IS"),
    InvalidFilter(.runs, "params.x RLIKE 'a'", "Expected a comparator after params.x, found 'RLIKE"),
    // Lists.
    InvalidFilter(.runs, "run_id = ('a', 'b')", "run_id: a list such as ('a', 'b') needs IN or NOT IN"),
    InvalidFilter(.runs, "run_id IN 'a'", "run_id IN needs a list of quoted strings in parentheses"),
    InvalidFilter(.runs, "run_id IN ()", "the list is empty"),
    InvalidFilter(.runs, "run_id IN ('a', 1)", "list items must be quoted strings, found 1"),
    InvalidFilter(.runs, "run_id IN (a)", "list items must be quoted strings"),
    InvalidFilter(.runs, "run_id IN ('a' 'b')", "expected , or ) in the list"),
    InvalidFilter(.runs, "run_id IN ('a'", "is not closed"),
    // Keys.
    InvalidFilter(.runs, "lifecycle_stage = 'active'", "Unknown attribute 'lifecycle_stage'", "run_id, run_name, status, user_id"),
    InvalidFilter(.runs, "rmse < 1", "Metrics, params, tags and datasets need a prefix, as in metrics.rmse"),
    InvalidFilter(.runs, "START_TIME > 1", "Unknown attribute 'START_TIME'"),
    InvalidFilter(.runs, "foo.x = 'a'", "Unknown prefix 'foo' in foo.x", "metrics."),
    InvalidFilter(.runs, "datasets.foo = 'a'", "Unknown dataset key 'foo'"),
    InvalidFilter(.runs, "tags. = 'a'", "The key after 'tags.' is missing or empty"),
    InvalidFilter(.runs, "tags.`` = 'a'", "The key after 'tags.' is missing or empty"),
    InvalidFilter(.runs, "`` = 'a'", "A key is empty"),
    InvalidFilter(.runs, ".x = 'a'", "Expected a key such as metrics.rmse"),
    InvalidFilter(.runs, "= 'a'", "Expected a key such as metrics.rmse, found '= 'a''"),
    InvalidFilter(.runs, "'x' = 'a'", "Expected a key, found the string"),
    InvalidFilter(.runs, "params.my key = 'a'", "Expected a comparator after params.my, found 'key = 'a''"),
    // Structure.
    InvalidFilter(.runs, "params.x = 'a' OR metrics.y > 1", "OR is not supported", "joined by AND"),
    InvalidFilter(.runs, "params.x = 'a' or metrics.y > 1", "OR is not supported"),
    InvalidFilter(.runs, "(params.x = 'a')", "parentheses is not supported"),
    InvalidFilter(.runs, "params.x = 'a' AND (metrics.y > 1)", "parentheses is not supported"),
    InvalidFilter(.runs, "NOT params.x = 'a'", "NOT is not supported"),
    InvalidFilter(.runs, "params.x = 'abc", "Unterminated string: 'abc has no closing '", "write ''"),
    InvalidFilter(.runs, "params.x = 'it\\'", "Unterminated string"),
    InvalidFilter(.runs, "tags.`abc = 'x'", "Unterminated quoted key"),
    InvalidFilter(.runs, "params.x =", "Missing value after params.x ="),
    InvalidFilter(.runs, "params.x = ", "Missing value after params.x ="),
    InvalidFilter(.runs, "params.x = ,", "Missing value after params.x =, found ','"),
    InvalidFilter(.runs, "params.x", "Missing comparator after params.x: use one of =, !=, LIKE, ILIKE, IS NULL, IS NOT NULL"),
    InvalidFilter(.runs, "params.x = 'a' params.y = 'b'", "Expected AND after the comparison on params.x, found 'params.y = 'b''"),
    InvalidFilter(.runs, "params.x = 'a' AND", "ends with AND"),
    InvalidFilter(.runs, "AND params.x = 'a'", "AND must join two comparisons"),
    InvalidFilter(.runs, "params.x = 'a' AND AND params.y = 'b'", "AND must join two comparisons"),
    InvalidFilter(.runs, "params.x = 'a'; DROP TABLE runs", "Expected AND after the comparison on params.x, found '; DROP TABLE runs'"),
    // Numbers.
    InvalidFilter(.runs, "metrics.rmse > 1abc", "'1abc' is not a number"),
    InvalidFilter(.runs, "metrics.rmse > 1e", "'1e' is not a number"),
    InvalidFilter(.runs, "metrics.rmse > 1.2.3", "'1.2.3' is not a number"),
    InvalidFilter(.runs, "metrics.rmse > -", "'-' is not a number"),
    InvalidFilter(.runs, "metrics.rmse > 0x10", "'0x10' is not a number"),
    InvalidFilter(.runs, "metrics.rmse > 1e999", "The number 1e999 is too large"),
    InvalidFilter(.runs, "params.x = 'a\u{0}'", "NUL"),

    // Experiments.
    InvalidFilter(.experiments, "params.x = 'a'", "Experiments cannot be filtered by params (params.x)", "attributes., tags."),
    InvalidFilter(.experiments, "metrics.x > 1", "Experiments cannot be filtered by metrics"),
    InvalidFilter(.experiments, "name IS NULL", "IS NULL cannot be used with name"),
    InvalidFilter(.experiments, "created > 5", "Unknown attribute 'created'", "experiment_id, name, creation_time, last_update_time", "as in tags.created"),
    InvalidFilter(.experiments, "creation_time > 5.5", "creation_time: expected a whole number, found 5.5"),
    InvalidFilter(.experiments, "creation_time = 'x'", "creation_time: expected a number"),
    InvalidFilter(.experiments, "name IN ('a')", "IN cannot be used with name", "lists work with experiment_id."),
    InvalidFilter(.experiments, "experiment_id LIKE '1%'", "LIKE cannot be used with experiment_id: use one of =, !=, IN, NOT IN"),
    InvalidFilter(.experiments, "run.name = 'a'", "Unknown prefix 'run'"),
    InvalidFilter(.experiments, "datasets.name = 'a'", "Experiments cannot be filtered by datasets"),

    // Registered models.
    InvalidFilter(.registeredModels, "tags.x IS NULL", "IS NULL cannot be used with tags.x"),
    InvalidFilter(.registeredModels, "tags.x IN ('a')", "IN cannot be used with tags.x", "lists work with name."),
    InvalidFilter(.registeredModels, "creation_timestamp > 1", "Unknown attribute 'creation_timestamp'", "use one of name."),
    InvalidFilter(.registeredModels, "name > 'a'", "> cannot be used with name"),
    InvalidFilter(.registeredModels, "params.x = 'a'", "Registered models cannot be filtered by params"),

    // Model versions.
    InvalidFilter(.modelVersions, "version_number = 1.5", "version_number: expected a whole number, found 1.5"),
    InvalidFilter(.modelVersions, "version_number = 'abc'", "version_number: expected a number, found 'abc'"),
    InvalidFilter(.modelVersions, "version_number = '1.5'", "version_number: expected a number, found '1.5'"),
    InvalidFilter(.modelVersions, "source_path IN ('x')", "IN cannot be used with source_path", "lists work with name, run_id."),
    InvalidFilter(.modelVersions, "tags.x IS NULL", "IS NULL cannot be used with tags.x"),

    // Logged models.
    InvalidFilter(.loggedModels, "metrics.x LIKE 1", "LIKE cannot be used with metrics.x"),
    InvalidFilter(.loggedModels, "params.x IS NULL", "IS NULL cannot be used with params.x"),
    InvalidFilter(.loggedModels, "foo = 'a'", "Unknown attribute 'foo'", "model_id, name"),
    InvalidFilter(.loggedModels, "datasets.name = 'a'", "Logged models cannot be filtered by datasets"),
    InvalidFilter(.loggedModels, "metrics.x > '1'", "metrics.x: expected a number, found '1'"),
    InvalidFilter(.loggedModels, "creation_timestamp LIKE '1%'", "LIKE cannot be used with creation_timestamp"),
]

@Suite struct SearchFilterTests {
    @Test(arguments: validFilters)
    func parsesWhatMLflowAccepts(_ filter: ValidFilter) throws {
        let parsed = try SearchFilter.parse(filter.text, for: filter.entity)
        #expect(parsed.clauses == filter.clauses)
    }

    @Test(arguments: invalidFilters)
    func refusesWithAReadableMessage(_ filter: InvalidFilter) {
        let error = #expect(throws: SearchFilterError.self) { try SearchFilter.parse(filter.text, for: filter.entity) }
        let message = error?.message ?? ""
        for fragment in filter.fragments {
            #expect(message.contains(fragment), "\(message)")
        }
    }

    @Test func noTextIsNoClauses() throws {
        for text in [nil, "", "   ", "\n\t "] as [String?] {
            for entity in SearchFilter.Entity.allCases {
                #expect(try SearchFilter.parse(text, for: entity).clauses.isEmpty)
            }
        }
    }

    @Test func theMLflowClientsPromptFiltersParse() throws {
        // What `add_prompt_filter_string` and `search_prompts` append.
        for (text, comparison) in [
            ("tag.`mlflow.prompt.is_prompt` != 'true'", Clause.Comparison.notEqual),
            ("tags.`mlflow.prompt.is_prompt` = 'true'", .equal),
        ] {
            for entity in [SearchFilter.Entity.registeredModels, .modelVersions] {
                let filter = try SearchFilter.parse(text, for: entity)
                #expect(filter.clauses == [tag("mlflow.prompt.is_prompt", comparison, "true")])
            }
        }
        let combined = try SearchFilter.parse("name = 'summary' AND tag.`mlflow.prompt.is_prompt` = 'true'", for: .registeredModels)
        #expect(combined.clauses == [attribute("name", .equal, "summary"), tag("mlflow.prompt.is_prompt", .equal, "true")])
    }

    @Test func injectionAttemptsStayPlainStrings() throws {
        let cases: [(text: String, clause: Clause)] = [
            ("params.x = 'a'' OR 1=1 --'", param("x", .equal, "a' OR 1=1 --")),
            ("params.x = 'x\\' OR 1=1 --'", param("x", .equal, "x' OR 1=1 --")),
            ("params.x = \"'; DROP TABLE runs; --\"", param("x", .equal, "'; DROP TABLE runs; --")),
            ("tags.`a'; DROP TABLE runs; --` = 'b'", tag("a'; DROP TABLE runs; --", .equal, "b")),
            ("params.\"x\"\" OR 1=1 --\" = 'a'", param("x\" OR 1=1 --", .equal, "a")),
            ("tags.`) OR (1=1` != ''", tag(") OR (1=1", .notEqual, "")),
            ("run_id IN ('a'') OR 1=1 --', 'b')", attribute("run_id", .in, ["a') OR 1=1 --", "b"])),
            ("params.x LIKE '%'' UNION SELECT * FROM params --'", param("x", .like, "%' UNION SELECT * FROM params --")),
        ]
        for (text, clause) in cases {
            #expect(try SearchFilter.parse(text, for: .runs).clauses == [clause], "\(text)")
        }
        // Text outside a quoted string that is not a comparison or AND is refused, never kept.
        for text in [
            "tags.`a`' ; DROP TABLE runs; --` = 'b'",
            "params.x = 'a' -- comment",
            "params.x = 'a' /* comment */",
            "params.x = 'a' UNION SELECT * FROM runs",
            "metrics.x > 1; DELETE FROM runs",
            "metrics.x > 1 OR 1=1",
            "params.x = 'a' AND 1=1",
            "params.x = ('a') OR ('1'='1')",
        ] {
            #expect(throws: SearchFilterError.self, "\(text)") { try SearchFilter.parse(text, for: .runs) }
        }
    }

    @Test func quotedValuesRoundTripWhateverTheyHold() throws {
        // Writes keys and values with the escapes the parser reads, and expects them back verbatim.
        let alphabet: [String] = ["a", "Z", "'", "\"", "`", "\\", " ", ".", "%", "_", "-", ";", "=", "(", ")", ",", "é", "😀", "\n"]
        var random = SplitMix64(seed: 42)
        for _ in 0..<500 {
            let key = (0..<Int(random.next() % 8 + 1)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined()
            let value = (0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined()
            let singleQuoted = "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "''") + "'"
            let doubleQuoted = "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
            let backticked = "`" + key.replacing("`", with: "``") + "`"
            for text in ["tags.\(backticked) = \(singleQuoted)", "tags.\(backticked)=\(doubleQuoted)"] {
                let filter = try SearchFilter.parse(text, for: .runs)
                #expect(filter.clauses == [tag(key, .equal, value)], "\(text)")
            }
        }
    }

    @Test func garbageNeverCrashes() {
        let pieces = [
            "metrics.", "params.", "tags.", "x", " ", "'", "\"", "`", "\\", "(", ")", ",", "=", "!", "<", ">", "-", ".", "1",
            "e", "AND", "OR", "IN", "NOT", "IS", "NULL", "LIKE", "run_id", "start_time", "é",
        ]
        var random = SplitMix64(seed: 7)
        var parsed = 0
        for _ in 0..<3000 {
            let text = (0..<Int(random.next() % 14)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            for entity in SearchFilter.Entity.allCases {
                do {
                    _ = try SearchFilter.parse(text, for: entity)
                    parsed += 1
                } catch {
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(parsed > 0)
    }

    @Test func timeGrowsLinearly() throws {
        let clauses = (0..<20_000).map { "metrics.m\($0) > \($0)" }.joined(separator: " AND ")
        let clock = ContinuousClock()
        let start = clock.now
        let filter = try SearchFilter.parse(clauses, for: .runs)
        #expect(filter.clauses.count == 20_000)
        #expect(filter.clauses.last == metric("m19999", .greater, 19_999))
        // Quote runs that a backtracking tokenizer would struggle with.
        let quotes = "params.x = '" + String(repeating: "''\\'", count: 100_000)
        #expect(throws: SearchFilterError.self) { try SearchFilter.parse(quotes, for: .runs) }
        let list = "run_id IN (" + Array(repeating: "'a'", count: 50_000).joined(separator: ",") + ")"
        #expect(try SearchFilter.parse(list, for: .runs).clauses.first?.value == .strings(Array(repeating: "a", count: 50_000)))
        #expect(clock.now - start < .seconds(20))
    }

    @Test func longValuesAreShortenedInMessages() {
        let text = "params.x = 'a' " + String(repeating: "z", count: 500)
        let error = #expect(throws: SearchFilterError.self) { try SearchFilter.parse(text, for: .runs) }
        let message = error?.message ?? ""
        #expect(message.contains("found 'zzzzzzzzzzzzzzzzzzzzzzzz…'") && message.count < 200, "\(message)")
    }

    @Test func documentedAttributesPerEntity() {
        #expect(SearchFilter.Entity.runs.filterAttributes == ["run_id", "run_name", "status", "user_id", "artifact_uri", "start_time", "end_time"])
        #expect(SearchFilter.Entity.experiments.filterAttributes == ["experiment_id", "name", "creation_time", "last_update_time"])
        #expect(SearchFilter.Entity.registeredModels.filterAttributes == ["name"])
        #expect(SearchFilter.Entity.modelVersions.filterAttributes == ["name", "version_number", "run_id", "source_path"])
        #expect(
            SearchFilter.Entity.loggedModels.filterAttributes
                == ["model_id", "name", "model_type", "status", "source_run_id", "creation_timestamp", "last_updated_timestamp"])
    }

    @Test func errorsDescribeThemselvesByTheirMessage() {
        let error = SearchFilterError("Something is wrong: fix it.")
        #expect(error.description == "Something is wrong: fix it.")
        #expect("\(error)" == error.message)
    }
}

/// A small seeded generator, so that the random cases are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
