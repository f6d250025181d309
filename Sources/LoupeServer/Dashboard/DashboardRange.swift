import Foundation

/// The time ranges the dashboard's picker offers, with the width of one chart bucket for each.
enum DashboardRange: String, Sendable, CaseIterable {
    case hour = "1h", day = "24h", week = "7d", month = "30d"

    /// The range a `?range=` value names; 24 h when absent or unknown.
    init(_ text: Substring?) {
        self = text.flatMap { DashboardRange(rawValue: String($0)) } ?? .day
    }

    var seconds: TimeInterval {
        switch self {
        case .hour: 3600
        case .day: 86_400
        case .week: 7 * 86_400
        case .month: 30 * 86_400
        }
    }

    /// Short ranges are bucketed from the traces themselves; long ones read the daily rollups.
    var usesDailyRollups: Bool { self == .week || self == .month }

    /// One chart bucket: 5 minutes for an hour, an hour for a day, a day otherwise.
    var bucketSeconds: TimeInterval {
        switch self {
        case .hour: 300
        case .day: 3600
        case .week, .month: 86_400
        }
    }

    var title: String {
        switch self {
        case .hour: "1 h"
        case .day: "24 h"
        case .week: "7 d"
        case .month: "30 d"
        }
    }
}
