import LoupeCore
import Testing

/// An `order_by` term MLflow accepts, and the order it means.
struct ValidOrder: Sendable, CustomTestStringConvertible {
    var entity: SearchFilter.Entity
    var term: String
    var order: SearchOrder
    var testDescription: String { "\(entity): \(term)" }

    init(_ entity: SearchFilter.Entity, _ term: String, _ kind: SearchFilter.Clause.Kind, _ key: String, ascending: Bool = true) {
        self.entity = entity
        self.term = term
        order = SearchOrder(kind: kind, key: key, ascending: ascending)
    }
}

/// An `order_by` list that must be refused, and a fragment of the message that says why.
struct InvalidOrder: Sendable, CustomTestStringConvertible {
    var entity: SearchFilter.Entity
    var terms: [String]
    var fragment: String
    var testDescription: String { "\(entity): \(terms)" }

    init(_ entity: SearchFilter.Entity, _ terms: [String], _ fragment: String) {
        self.entity = entity
        self.terms = terms
        self.fragment = fragment
    }
}

private let validOrders: [ValidOrder] = [
    ValidOrder(.runs, "metrics.rmse DESC", .metric, "rmse", ascending: false),
    ValidOrder(.runs, "metrics.rmse desc", .metric, "rmse", ascending: false),
    ValidOrder(.runs, "metric.rmse ASC", .metric, "rmse"),
    ValidOrder(.runs, "metrics.rmse", .metric, "rmse"),
    ValidOrder(.runs, "  metrics.rmse \t DESC  ", .metric, "rmse", ascending: false),
    ValidOrder(.runs, "metrics.`my metric` DESC", .metric, "my metric", ascending: false),
    ValidOrder(.runs, "metrics.\"my metric\"", .metric, "my metric"),
    ValidOrder(.runs, "params.lr", .param, "lr"),
    ValidOrder(.runs, "tags.mlflow.runName DESC", .tag, "mlflow.runName", ascending: false),
    ValidOrder(.runs, "tags.`mlflow.runName`", .tag, "mlflow.runName"),
    ValidOrder(.runs, "attributes.start_time", .attribute, "start_time"),
    ValidOrder(.runs, "start_time DESC", .attribute, "start_time", ascending: false),
    ValidOrder(.runs, "created ASC", .attribute, "start_time"),
    ValidOrder(.runs, "`Created` DESC", .attribute, "start_time", ascending: false),
    ValidOrder(.runs, "attr.run_name", .attribute, "run_name"),
    ValidOrder(.runs, "run.status DeSc", .attribute, "status", ascending: false),
    ValidOrder(.runs, "attribute.end_time", .attribute, "end_time"),
    ValidOrder(.runs, "run_id", .attribute, "run_id"),
    ValidOrder(.experiments, "name ASC", .attribute, "name"),
    ValidOrder(.experiments, "creation_time DESC", .attribute, "creation_time", ascending: false),
    ValidOrder(.experiments, "attribute.last_update_time", .attribute, "last_update_time"),
    ValidOrder(.experiments, "experiment_id ASC", .attribute, "experiment_id"),
    ValidOrder(.registeredModels, "name ASC", .attribute, "name"),
    ValidOrder(.registeredModels, "timestamp DESC", .attribute, "last_updated_timestamp", ascending: false),
    ValidOrder(.registeredModels, "last_updated_timestamp", .attribute, "last_updated_timestamp"),
    ValidOrder(.registeredModels, "creation_timestamp ASC", .attribute, "creation_timestamp"),
    ValidOrder(.modelVersions, "version_number DESC", .attribute, "version_number", ascending: false),
    ValidOrder(.modelVersions, "name", .attribute, "name"),
    ValidOrder(.modelVersions, "creation_timestamp", .attribute, "creation_timestamp"),
    ValidOrder(.modelVersions, "last_updated_timestamp desc", .attribute, "last_updated_timestamp", ascending: false),
    ValidOrder(.loggedModels, "metrics.accuracy DESC", .metric, "accuracy", ascending: false),
    ValidOrder(.loggedModels, "creation_time", .attribute, "creation_timestamp"),
    ValidOrder(.loggedModels, "name ASC", .attribute, "name"),
]

private let invalidOrders: [InvalidOrder] = [
    InvalidOrder(.runs, ["metrics.rmse sideways"], "expected ASC or DESC after the key, found 'sideways'"),
    InvalidOrder(.runs, ["metrics.rmse DESC extra"], "unexpected 'extra' after the direction"),
    InvalidOrder(.runs, ["metrics.rmse DESC, params.x ASC"], "unexpected ', params.x ASC' after the direction"),
    InvalidOrder(.runs, [""], "An order_by term is empty: write a key and a direction, such as metrics.rmse DESC"),
    InvalidOrder(.runs, ["   "], "An order_by term is empty"),
    InvalidOrder(.runs, ["datasets.name"], "Runs cannot be ordered by datasets"),
    InvalidOrder(.runs, ["foo"], "Unknown attribute 'foo' in order_by for runs"),
    InvalidOrder(.runs, ["bar.x"], "Unknown prefix 'bar'"),
    InvalidOrder(.runs, ["metrics.`rmse DESC"], "Unterminated quoted key"),
    InvalidOrder(.runs, ["metrics.rmse", "metrics.rmse DESC"], "order_by names metrics.rmse twice"),
    InvalidOrder(.runs, ["created", "start_time DESC"], "order_by names start_time twice"),
    InvalidOrder(.experiments, ["tags.x"], "Experiments cannot be ordered by tags"),
    InvalidOrder(.experiments, ["timestamp"], "Unknown attribute 'timestamp' in order_by for experiments"),
    InvalidOrder(.registeredModels, ["timestamp", "last_updated_timestamp DESC"], "names last_updated_timestamp twice"),
    InvalidOrder(.registeredModels, ["tags.x"], "Registered models cannot be ordered by tags"),
    InvalidOrder(.modelVersions, ["run_id"], "Unknown attribute 'run_id' in order_by for model versions"),
    InvalidOrder(.loggedModels, ["params.x"], "Logged models cannot be ordered by params"),
]

@Suite struct SearchOrderTests {
    @Test(arguments: validOrders)
    func parsesWhatMLflowAccepts(_ order: ValidOrder) throws {
        #expect(try SearchOrder.parse(order.term, for: order.entity) == order.order)
        #expect(try SearchOrder.parse([order.term], for: order.entity) == [order.order])
    }

    @Test(arguments: invalidOrders)
    func refusesWithAReadableMessage(_ order: InvalidOrder) {
        let error = #expect(throws: SearchFilterError.self) { try SearchOrder.parse(order.terms, for: order.entity) }
        #expect(error?.message.contains(order.fragment) == true, "\(error?.message ?? "")")
    }

    @Test func keepsTheOrderOfTerms() throws {
        let orders = try SearchOrder.parse(["metrics.rmse DESC", "params.lr", "start_time DESC"], for: .runs)
        #expect(
            orders == [
                SearchOrder(kind: .metric, key: "rmse", ascending: false),
                SearchOrder(kind: .param, key: "lr"),
                SearchOrder(kind: .attribute, key: "start_time", ascending: false),
            ])
        #expect(try SearchOrder.parse([], for: .runs).isEmpty)
        // The same key under different kinds is not a duplicate.
        #expect(try SearchOrder.parse(["metrics.x", "params.x", "tags.x"], for: .runs).count == 3)
    }

    @Test func structuredLoggedModelOrders() throws {
        #expect(try SearchOrder.loggedModel(fieldName: "metrics.accuracy", ascending: false) == SearchOrder(kind: .metric, key: "accuracy", ascending: false))
        // Not quoted syntax: the rest is the key as it is.
        #expect(try SearchOrder.loggedModel(fieldName: "metrics.my metric") == SearchOrder(kind: .metric, key: "my metric"))
        #expect(try SearchOrder.loggedModel(fieldName: "creation_time") == SearchOrder(kind: .attribute, key: "creation_timestamp"))
        #expect(try SearchOrder.loggedModel(fieldName: " name ") == SearchOrder(kind: .attribute, key: "name"))
        for (field, fragment) in [
            ("params.x", "Cannot order logged models by 'params.x': use metrics.<key> or one of model_id, name"),
            ("metrics.", "names no metric"),
            ("foo", "Cannot order logged models by 'foo'"),
        ] {
            let error = #expect(throws: SearchFilterError.self) { try SearchOrder.loggedModel(fieldName: field) }
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
        }
    }

    @Test func documentedOrderAttributesPerEntity() {
        #expect(SearchFilter.Entity.registeredModels.orderAttributes == ["name", "creation_timestamp", "last_updated_timestamp"])
        #expect(SearchFilter.Entity.modelVersions.orderAttributes == ["name", "version_number", "creation_timestamp", "last_updated_timestamp"])
        #expect(SearchFilter.Entity.runs.orderAttributes == SearchFilter.Entity.runs.filterAttributes)
    }
}
