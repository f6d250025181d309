import Foundation
import LoupeCore

extension MLflowController {
    func createRun(_ request: MLflowRequest) async throws -> JSONWriter {
        let experimentID = try request.string("experiment_id") ?? "0"
        let id = Self.newRunID()
        var tags: [String: String] = [:]
        for (key, value) in try request.keyValues("tags") { tags[key] = value }
        // The client names runs through the mlflow.runName tag as often as through run_name.
        let name = try request.string("run_name").flatMap { $0.isEmpty ? nil : $0 } ?? tags["mlflow.runName"] ?? Self.generatedName(id)
        tags["mlflow.runName"] = name
        let info = RunInfo(
            id: id, experimentID: experimentID, name: name,
            userID: try request.string("user_id") ?? tags["mlflow.user"] ?? "",
            status: .running, startTime: try request.int64("start_time") ?? Date().unixMillis,
            artifactURI: ""  // the store places it under the experiment's artifact location
        )
        return Self.runAnswer(try await store.createRun(info, tags: tags))
    }

    func getRun(_ request: MLflowRequest) async throws -> JSONWriter {
        let id = try request.runID()
        guard let run = try await store.run(id: id) else { throw MLflowError.notFound("Run '\(id)' not found") }
        return Self.runAnswer(run)
    }

    /// `{"run": …}`, the answer of runs/create and runs/get.
    static func runAnswer(_ run: TrackedRun) -> JSONWriter {
        var json = JSONWriter(capacity: 1024)
        json.beginObject()
        json.key("run")
        TrackingJSON.write(run, to: &json)
        json.endObject()
        return json
    }

    func updateRun(_ request: MLflowRequest) async throws -> JSONWriter {
        var status: RunStatus?
        if let text = try request.string("status") {
            guard let parsed = RunStatus(rawValue: text) else {
                throw MLflowError.invalidParameter("Invalid run status '\(text)': expected one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            status = parsed
        }
        let info = try await store.updateRun(
            id: try request.runID(), status: status, endTime: try request.int64("end_time"),
            name: try request.string("run_name").flatMap { $0.isEmpty ? nil : $0 }
        )
        var json = JSONWriter()
        json.beginObject()
        json.key("run_info")
        TrackingJSON.write(info, to: &json)
        json.endObject()
        return json
    }

    func setRunStage(_ request: MLflowRequest, _ stage: LifecycleStage) async throws -> JSONValue {
        try await store.setRunStage(id: try request.runID(), stage)
        return .object([:])
    }

    func logMetric(_ request: MLflowRequest) async throws -> JSONValue {
        try await store.logBatch(runID: try request.runID(), metrics: [try Self.metric(request)], params: [], tags: [])
        return .object([:])
    }

    func logParameter(_ request: MLflowRequest) async throws -> JSONValue {
        let key = try request.requiredString("key")
        try await store.logBatch(runID: try request.runID(), metrics: [], params: [(key, try request.string("value") ?? "")], tags: [])
        return .object([:])
    }

    func logBatch(_ request: MLflowRequest) async throws -> JSONValue {
        var metrics: [MetricPoint] = []
        if let value = request.fields["metrics"], value != .null {
            guard case .array(let items) = value else { throw MLflowError.invalidParameter("Invalid value for parameter 'metrics': expected a list.") }
            for item in items {
                guard case .object(let members) = item else { throw MLflowError.invalidParameter("Invalid value for parameter 'metrics': expected a list of metrics.") }
                metrics.append(try Self.metric(MLflowRequest(fields: members)))
            }
        }
        let params = try request.keyValues("params")
        let tags = try request.keyValues("tags")
        guard metrics.count <= Self.maxBatchMetrics, params.count <= Self.maxBatchParams, tags.count <= Self.maxBatchTags else {
            throw MLflowError.invalidParameter(
                "A batch logging request can contain at most \(Self.maxBatchMetrics) metrics, \(Self.maxBatchParams) params and \(Self.maxBatchTags) tags; "
                    + "this one has \(metrics.count), \(params.count) and \(tags.count)."
            )
        }
        // MLflow refuses a batch that logs one param twice with different values.
        var seen: [String: String] = [:]
        for (key, value) in params {
            if let earlier = seen[key], earlier != value {
                throw MLflowError.invalidParameter("Duplicate parameter keys have been submitted: '\(key)' with values '\(earlier)' and '\(value)'.")
            }
            seen[key] = value
        }
        try await store.logBatch(runID: try request.runID(), metrics: metrics, params: params, tags: tags)
        return .object([:])
    }

    func setTag(_ request: MLflowRequest) async throws -> JSONValue {
        let key = try request.requiredString("key")
        try await store.logBatch(runID: try request.runID(), metrics: [], params: [], tags: [(key, try request.string("value") ?? "")])
        return .object([:])
    }

    func deleteTag(_ request: MLflowRequest) async throws -> JSONValue {
        try await store.deleteRunTag(runID: try request.runID(), key: try request.requiredString("key"))
        return .object([:])
    }

    func logInputs(_ request: MLflowRequest) async throws -> JSONValue {
        var datasets: [JSONValue] = []
        if let value = request.fields["datasets"], value != .null {
            guard case .array(let items) = value else { throw MLflowError.invalidParameter("Invalid value for parameter 'datasets': expected a list.") }
            for item in items {
                guard case .object(let members) = item, case .object(let dataset)? = members["dataset"],
                      dataset["name"]?.stringValue != nil, dataset["digest"]?.stringValue != nil
                else { throw MLflowError.invalidParameter("Each dataset input needs a 'dataset' with a 'name' and a 'digest'.") }
                datasets.append(item)
            }
        }
        try await store.logInputs(runID: try request.runID(), datasets: datasets)
        return .object([:])
    }

    func searchRuns(_ request: MLflowRequest) async throws -> JSONWriter {
        var experiments = try request.strings("experiment_ids")
        if experiments.isEmpty { experiments = ["0"] }
        let page = try await store.searchRuns(
            experimentIDs: experiments, filter: try Self.filter(request, for: .runs), order: try Self.order(request, for: .runs),
            view: try request.viewType("run_view_type"),
            maxResults: try request.int("max_results", default: 1000, in: 1...50_000), pageToken: try request.string("page_token")
        )
        return TrackingJSON.page("runs", page, bytesPerItem: 1024, write: TrackingJSON.write)
    }

    func metricHistory(_ request: MLflowRequest) async throws -> JSONWriter {
        let page = try await store.metricHistory(
            runID: try request.runID(), key: try request.requiredString("metric_key"),
            maxResults: try request.int("max_results", default: 25_000, in: 1...25_000), pageToken: try request.string("page_token")
        )
        return TrackingJSON.page("metrics", page, bytesPerItem: 80, write: TrackingJSON.write)
    }

    static func metric(_ request: MLflowRequest) throws -> MetricPoint {
        guard let value = try request.double("value") else { throw MLflowError.invalidParameter("Missing value for required parameter 'value'.") }
        return MetricPoint(
            key: try request.requiredString("key"), value: value,
            timestamp: try request.int64("timestamp") ?? Date().unixMillis, step: try request.int64("step") ?? 0
        )
    }

    /// A random (version 4) UUID as 32 lowercase hex digits, as MLflow's `uuid4().hex`. Foundation's `UUID` opens
    /// `/dev/urandom` for each one, and taking the dashes out went through `NSString`: a tenth of a runs/create call.
    static func newRunID() -> String {
        let (first, second) = RandomBytes.shared.next128()
        // The version (4) and variant (10xx) bits, where a UUID keeps them.
        let high = first & ~0xF000 | 0x4000
        let low = second & ~(0xC << 60) | (0x8 << 60)
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { text in
            for index in 0..<16 {
                text[index] = digits[Int(high >> (60 - 4 * UInt64(index)) & 0xF)]
                text[16 + index] = digits[Int(low >> (60 - 4 * UInt64(index)) & 0xF)]
            }
            return 32
        }
    }

    /// A name for a run the client did not name, in MLflow's adjective-noun-number style.
    static func generatedName(_ id: String) -> String {
        let adjectives = ["bold", "calm", "eager", "fancy", "gentle", "brave", "quick", "quiet", "sunny", "witty"]
        let nouns = ["otter", "falcon", "maple", "comet", "harbor", "lynx", "cedar", "pebble", "heron", "willow"]
        let seed = id.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF }
        return "\(adjectives[seed % adjectives.count])-\(nouns[(seed / 10) % nouns.count])-\(seed % 1000)"
    }
}
