import LoupeCore
import PostgresNIO

/// Rollup totals as one array per `cost_rollups` column, in key order, for a statement to `unnest`.
struct PostgresRollupColumns {
    var dimensions: [String] = [], keyIsNull: [Bool] = [], keys: [String] = [], days: [Int64] = []
    var requests: [Int64] = [], inputTokens: [Int64] = [], outputTokens: [Int64] = [], pricedRequests: [Int64] = []
    var costMicros: [Int64] = [], costRemainderPicos: [Int64] = [], errors: [Int64] = []
    /// Each row's latency histogram in dense form (see `LatencyHistogram.dense`); its counts as an array literal,
    /// because a parameter cannot be a ragged array.
    var latencyZero: [Int64] = [], latencyFirst: [Int32?] = [], latencyCounts: [String] = []

    init(_ rollup: CostRollup) {
        // Keys are made storable as the traces' own text is (NUL becomes U+FFFD). Two keys that differ only by a
        // NUL would then meet: merged here, they make one row, which an upsert may touch only once.
        var storable = CostRollup()
        for (key, totals) in rollup.groups {
            storable.merge(totals, into: RollupKey(dimension: key.dimension, day: key.day, key: key.key.map(\.withoutNUL)))
        }
        func literal(_ values: [some BinaryInteger]) -> String { "{" + values.map { "\($0)" }.joined(separator: ",") + "}" }
        for key in storable.groups.keys.sorted() {
            let totals = storable.groups[key]!
            dimensions.append(key.dimension.rawValue)
            keyIsNull.append(key.key == nil)
            keys.append(key.key ?? "")
            days.append(key.day)
            requests.append(totals.requests)
            inputTokens.append(totals.inputTokens)
            outputTokens.append(totals.outputTokens)
            pricedRequests.append(totals.pricedRequests)
            costMicros.append(totals.costMicros)
            costRemainderPicos.append(totals.costRemainderPicos)
            errors.append(totals.errors)
            let histogram = totals.latency.dense
            latencyZero.append(histogram.zeroCount)
            latencyFirst.append(histogram.firstBucket)
            latencyCounts.append(literal(histogram.counts))
        }
    }
}

extension PostgresQuery.StringInterpolation {
    /// `SELECT` of `rows` as `cost_rollups` rows of `shard`, in the column order of `INSERT INTO cost_rollups (dimension,
    /// key_is_null, key, day, shard, …costTotalsColumns)`, with each column bound as one array parameter.
    mutating func appendInterpolation(rollupRows rows: PostgresRollupColumns, shard: Int16) {
        appendLiteral("SELECT dimension, key_is_null, key, day, ")
        appendInterpolation(shard)
        appendLiteral("""
            ::int2, requests, input_tokens, output_tokens, priced_requests, cost_micros, cost_remainder_picos, errors,
                   latency_zero, latency_first, latency_counts::int8[]
            FROM unnest(
            """)
        column(rows.dimensions, "text")
        column(rows.keyIsNull, "bool")
        column(rows.keys, "text")
        column(rows.days, "int8")
        column(rows.requests, "int8")
        column(rows.inputTokens, "int8")
        column(rows.outputTokens, "int8")
        column(rows.pricedRequests, "int8")
        column(rows.costMicros, "int8")
        column(rows.costRemainderPicos, "int8")
        column(rows.errors, "int8")
        column(rows.latencyZero, "int8")
        column(PostgresNullableArray(rows.latencyFirst), "int4")
        column(rows.latencyCounts, "text", last: true)
        appendLiteral("""
            ) AS u(dimension, key_is_null, key, day, requests, input_tokens, output_tokens, priced_requests, cost_micros,
                   cost_remainder_picos, errors, latency_zero, latency_first, latency_counts)
            """)
    }

    /// One array parameter cast to `type[]`, then a comma unless it is the `last`.
    private mutating func column(_ value: some PostgresDynamicTypeEncodable, _ type: String, last: Bool = false) {
        appendInterpolation(value)
        appendLiteral("::\(type)[]" + (last ? "" : ", "))
    }
}
