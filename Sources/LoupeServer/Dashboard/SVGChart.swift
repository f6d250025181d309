import Foundation

/// Charts drawn on the server as inline SVG: no script, the same bytes for the same numbers.
enum SVGChart {
    /// One point of a line chart.
    struct Point: Sendable, Hashable {
        var x: Double
        var y: Double
    }

    /// Maps a value from `domain` onto `range` linearly (a range may run downwards, as SVG's y does); a domain of
    /// one value maps to the range's start.
    struct Scale: Sendable {
        var domain: (from: Double, to: Double)
        var range: (from: Double, to: Double)

        func callAsFunction(_ value: Double) -> Double {
            let width = domain.to - domain.from
            guard width > 0 else { return range.from }
            return range.from + (value - domain.from) / width * (range.to - range.from)
        }
    }

    /// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value`: a round top for an axis.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1, 2, 2.5, 5, 10] where step * power >= value * (1 - 1e-12) {
            return step * power
        }
        return 10 * power
    }

    /// A line chart with the area under it shaded, a y axis from 0 (or the lowest value, when negative) to a round
    /// top with four grid lines, and x labels at `xTicks`. Each point has a tooltip (`<title>`), readable without script.
    static func line(
        _ points: [Point], xTicks: [(x: Double, label: String)], yFormat: (Double) -> String, pointLabel: (Point) -> String,
        width: Double = 560, height: Double = 180, label: String
    ) -> HTML {
        let left = 56.0, right = 12.0, top = 10.0, bottom = 24.0
        let xs = points.map(\.x) + xTicks.map(\.x)
        let xScale = Scale(domain: (xs.min() ?? 0, xs.max() ?? 1), range: (left, width - right))
        let lowest = min(0, points.map(\.y).min() ?? 0)
        let top_ = niceCeiling(points.map(\.y).max() ?? 0)
        let yScale = Scale(domain: (lowest, top_), range: (height - bottom, top))
        var parts: [HTML] = []
        for index in 0...4 {
            let value = lowest + (top_ - lowest) * Double(index) / 4
            let y = format(yScale(value))
            parts.append(.element("line", ["x1": format(left), "x2": format(width - right), "y1": y, "y2": y, "class": "grid"]))
            parts.append(.element("text", ["x": format(left - 6), "y": y, "class": "ylabel"], text: yFormat(value)))
        }
        for tick in xTicks {
            parts.append(.element("text", ["x": format(xScale(tick.x)), "y": format(height - 6), "class": "xlabel"], text: tick.label))
        }
        if !points.isEmpty {
            let coordinates = points.map { "\(format(xScale($0.x))),\(format(yScale($0.y)))" }
            let base = format(yScale(max(lowest, 0)))
            let area = "M\(format(xScale(points[0].x))),\(base) L" + coordinates.joined(separator: " L") + " L\(format(xScale(points[points.count - 1].x))),\(base) Z"
            parts.append(.element("path", ["d": area, "class": "area"]))
            parts.append(.element("polyline", ["points": coordinates.joined(separator: " "), "class": "line"]))
            for point in points {
                parts.append(.element(
                    "circle", ["cx": format(xScale(point.x)), "cy": format(yScale(point.y)), "r": "2.5", "class": "dot"],
                    .element("title", text: pointLabel(point))
                ))
            }
        }
        return .element(
            "svg", ["viewBox": "0 0 \(format(width)) \(format(height))", "class": "chart", "role": "img", "aria-label": label],
            parts
        )
    }

    /// A horizontal bar chart: one row per item, the label on the left, the value at the bar's end; bars scale to the largest.
    static func bars(_ items: [(label: String, value: Double)], format valueFormat: (Double) -> String, width: Double = 560, label: String) -> HTML {
        let rowHeight = 22.0, labelWidth = 170.0, valueWidth = 90.0
        let largest = items.map(\.value).max() ?? 0
        let scale = Scale(domain: (0, max(largest, 0)), range: (0, width - labelWidth - valueWidth))
        var parts: [HTML] = []
        for (index, item) in items.enumerated() {
            let y = Double(index) * rowHeight
            let length = max(scale(max(item.value, 0)), item.value > 0 ? 1 : 0)
            parts.append(.element("text", ["x": format(labelWidth - 8), "y": format(y + 15), "class": "blabel"], text: clip(item.label, 26)))
            parts.append(.element(
                "rect", ["x": format(labelWidth), "y": format(y + 4), "width": format(length), "height": format(rowHeight - 8), "class": "bar"],
                .element("title", text: "\(item.label): \(valueFormat(item.value))")
            ))
            parts.append(.element("text", ["x": format(labelWidth + length + 6), "y": format(y + 15), "class": "bvalue"], text: valueFormat(item.value)))
        }
        let height = max(Double(items.count) * rowHeight, rowHeight)
        return .element("svg", ["viewBox": "0 0 \(format(width)) \(format(height))", "class": "chart bars", "role": "img", "aria-label": label], parts)
    }

    /// A coordinate with one decimal, so the output is stable and small.
    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    static func clip(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
