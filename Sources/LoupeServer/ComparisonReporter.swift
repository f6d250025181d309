import Foundation
import LoupeCore

/// Builds comparison reports from the store: the calls of each side, and the latest eval scores of their models.
public struct ComparisonReporter: Sendable {
    let store: any ComparisonStore
    let evals: EvalRunReader

    /// A reporter over `store`, whose eval runs give each side's scores.
    public init(store: any ComparisonStore & TrackingStore & EvalCaseStore) {
        self.store = store
        self.evals = EvalRunReader(store: store)
    }

    /// The report for `query`; each side reads at most `query.maxRows` calls, the newest.
    public func report(_ query: ComparisonQuery) async throws -> ComparisonReport {
        // One row more than the cap says whether the cap cut anything off.
        let limit = query.maxRows
        var sides: [ComparisonSide] = []
        var pairs: Int?
        var capped = false
        let evalModels: [[String]]
        switch query.mode {
        case .shadow(let model):
            let fetched = try await store.shadowPairs(shadowModel: model, since: query.since, until: query.until, limit: limit + 1)
            capped = fetched.count > limit
            let kept = fetched.prefix(limit)
            sides = [ComparisonSide(kept.lazy.map(\.primary)), ComparisonSide(kept.lazy.map(\.shadow))]
            pairs = kept.count
            evalModels = [sides[0].models, [model]]
        case .split, .models:
            for filter in query.sideFilters ?? [] {
                let facts = try await store.comparisonFacts(filter, limit: limit + 1)
                capped = capped || facts.count > limit
                sides.append(ComparisonSide(facts.prefix(limit)))
            }
            evalModels = zip(query.sideFilters ?? [], sides).map { filter, side in filter.model.map { [$0] } ?? side.models }
        }
        var scores: [[ComparisonReport.EvalScore]] = []
        for models in evalModels {
            var side: [ComparisonReport.EvalScore] = []
            for model in models {
                side += try await evals.latestCells(model: model).map { ComparisonReport.EvalScore(model: model, cell: $0) }
            }
            scores.append(side)
        }
        return ComparisonReport(query: query, sides: sides, pairs: pairs, capped: capped, evals: scores)
    }
}
