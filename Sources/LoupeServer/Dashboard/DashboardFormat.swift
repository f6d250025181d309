import Foundation

/// How the dashboard writes figures: exact dollars, grouped counts, milliseconds, percentages, UTC times.
enum DashboardFormat {
    /// The exact amount, as the store keeps it: `$0.0034`.
    static func dollars(_ amount: Decimal?) -> String {
        guard let amount else { return "—" }
        return "$" + "\(amount)"
    }

    /// A short amount for chart axes: `$0.012`, `$1.5`, `$1,200`.
    static func shortDollars(_ amount: Double) -> String {
        if amount == 0 { return "$0" }
        if amount >= 100 { return "$" + count(Int(amount.rounded())) }
        return "$" + String(format: amount >= 1 ? "%.2f" : "%.4g", amount)
    }

    /// A count with thousands separators: `12,345`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value else { return "—" }
        return value >= 10_000 ? String(format: "%.1f s", value / 1000) : String(format: "%.0f ms", value)
    }

    static func percent(_ fraction: Double) -> String {
        String(format: fraction > 0 && fraction < 0.001 ? "%.3f%%" : "%.1f%%", fraction * 100)
    }

    /// `2026-09-21 14:13:20` in UTC.
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// A bucket's label on a chart's x axis: `14:05` within a day, `09-21` for days.
    static func bucketLabel(_ date: Date, daily: Bool) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = daily ? "MM-dd" : "HH:mm"
        return formatter.string(from: date)
    }

    /// Milliseconds since 1970 as a UTC time.
    static func time(millis: Int64) -> String {
        time(Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
