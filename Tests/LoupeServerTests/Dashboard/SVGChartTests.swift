import Testing

@testable import LoupeServer

/// Values to coordinates: scales, round axis tops, and the exact shapes each chart draws.
@Suite struct SVGChartTests {
    @Test func scaleMapsLinearly() {
        let scale = SVGChart.Scale(domain: (0, 10), range: (100, 0))
        #expect(scale(0) == 100 && scale(10) == 0 && scale(2.5) == 75)
        #expect(SVGChart.Scale(domain: (3, 3), range: (5, 9))(3) == 5)
    }

    @Test(arguments: [(0.0, 1.0), (7, 10), (0.0041, 0.005), (120, 200), (1, 1), (2.2, 2.5), (26, 50)])
    func niceCeiling(value: Double, expected: Double) {
        #expect(abs(SVGChart.niceCeiling(value) - expected) < 1e-12)
    }

    @Test func lineChartPlacesPoints() {
        let svg = SVGChart.line(
            [.init(x: 0, y: 0), .init(x: 1, y: 5), .init(x: 2, y: 10)], xTicks: [(x: 0, label: "a"), (x: 2, label: "c")],
            yFormat: { String(Int($0)) }, pointLabel: { "\($0.y)" }, width: 200, height: 100, label: "Requests"
        ).markup
        // x: 56…188 over 0…2; y: 76…10 over 0…10 (top is a round 10).
        #expect(svg.contains(#"<polyline points="56,76 122,43 188,10" class="line">"#))
        #expect(svg.contains(#"<path d="M56,76 L56,76 L122,43 L188,10 L188,76 Z" class="area">"#))
        #expect(svg.contains(#"<text x="50" y="10" class="ylabel">10</text>"#))
        #expect(svg.contains(#"<text x="188" y="94" class="xlabel">c</text>"#))
        #expect(svg.contains(#"aria-label="Requests""#))
    }

    @Test func barsScaleToTheLargest() {
        let svg = SVGChart.bars([("big", 4), ("small", 1)], format: { "$\(Int($0))" }, width: 660, label: "Spend").markup
        // 400 units of bar width after the 170 label and 90 value columns.
        #expect(svg.contains(#"<rect x="170" y="4" width="400" height="14" class="bar"><title>big: $4</title></rect>"#))
        #expect(svg.contains(#"<rect x="170" y="26" width="100" height="14" class="bar">"#))
        #expect(svg.contains(#"<text x="276" y="37" class="bvalue">$1</text>"#))
    }

    @Test func sameNumbersSameBytes() {
        let draw = { SVGChart.bars([("a", 0.3), ("b", 0.1)], format: { "\($0)" }, label: "x").markup }
        #expect(draw() == draw())
    }
}
