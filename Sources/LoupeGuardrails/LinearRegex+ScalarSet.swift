extension LinearRegex {
    /// A set of Unicode scalar values, kept as sorted, disjoint, non-adjacent ranges.
    struct ScalarSet: Equatable {
        private(set) var ranges: [ClosedRange<UInt32>]

        static let maxScalar: UInt32 = 0x10FFFF

        init() {
            ranges = []
        }

        init(scalar: Unicode.Scalar) {
            ranges = [scalar.value...scalar.value]
        }

        init(range: ClosedRange<UInt32>) {
            ranges = [range]
        }

        private init(normalizing ranges: [ClosedRange<UInt32>]) {
            self.ranges = []
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = self.ranges.last, range.lowerBound <= last.upperBound &+ 1 {
                    self.ranges[self.ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                } else {
                    self.ranges.append(range)
                }
            }
        }

        static let all = ScalarSet(range: 0...maxScalar)
        static let digits = ScalarSet(range: 0x30...0x39)
        /// `\w` is ASCII, as in RE2, so that it agrees with `\b`.
        static let wordCharacters = ScalarSet(normalizing: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
        /// `\s`: tab, newline, vertical tab, form feed, carriage return and space.
        static let whitespace = ScalarSet(normalizing: [0x09...0x0D, 0x20...0x20])

        /// The ASCII class `[:name:]`, or nil for an unknown name.
        static func posixClass(_ name: String) -> ScalarSet? {
            let ranges: [ClosedRange<UInt32>]? = switch name {
            case "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A]
            case "alpha": [0x41...0x5A, 0x61...0x7A]
            case "ascii": [0x00...0x7F]
            case "blank": [0x09...0x09, 0x20...0x20]
            case "cntrl": [0x00...0x1F, 0x7F...0x7F]
            case "digit": [0x30...0x39]
            case "graph": [0x21...0x7E]
            case "lower": [0x61...0x7A]
            case "print": [0x20...0x7E]
            case "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
            case "space": [0x09...0x0D, 0x20...0x20]
            case "upper": [0x41...0x5A]
            case "word": [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
            case "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66]
            default: nil
            }
            return ranges.map { ScalarSet(normalizing: $0) }
        }

        /// The one scalar in the set, if it holds exactly one.
        var single: Unicode.Scalar? {
            guard ranges.count == 1, ranges[0].lowerBound == ranges[0].upperBound else { return nil }
            return Unicode.Scalar(ranges[0].lowerBound)
        }

        var isEmpty: Bool { ranges.isEmpty }

        func contains(_ value: UInt32) -> Bool {
            ranges.contains { $0.contains(value) }
        }

        mutating func formUnion(_ other: ScalarSet) {
            self = ScalarSet(normalizing: ranges + other.ranges)
        }

        func inverted() -> ScalarSet {
            var result: [ClosedRange<UInt32>] = []
            var next: UInt32 = 0
            for range in ranges {
                if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
                next = range.upperBound + 1
            }
            if next <= Self.maxScalar { result.append(next...Self.maxScalar) }
            var set = ScalarSet()
            set.ranges = result
            return set
        }

        func subtracting(_ other: ScalarSet) -> ScalarSet {
            // A \ B = not (not A or B).
            var union = inverted()
            union.formUnion(other)
            return union.inverted()
        }

        /// The set closed under simple case mapping: `k` adds `K` and the Kelvin sign, `é` adds `É`.
        func caseFolded() -> ScalarSet {
            var added: [ClosedRange<UInt32>] = []
            func add(_ text: String) {
                // Only one-scalar mappings count: `ß` uppercases to `SS`, which one character cannot match.
                var iterator = text.unicodeScalars.makeIterator()
                if let scalar = iterator.next(), iterator.next() == nil { added.append(scalar.value...scalar.value) }
            }
            for range in ranges {
                // No scalar above U+1E943 (Adlam) has a case mapping.
                guard range.lowerBound <= 0x1E943 else { continue }
                for value in range.lowerBound...min(range.upperBound, 0x1E943) {
                    if value < 0x80 {
                        if (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) { added.append((value ^ 0x20)...(value ^ 0x20)) }
                        for extra in Self.foldVariants[value] ?? [] { added.append(extra...extra) }
                        continue
                    }
                    guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseMapped else { continue }
                    let properties = scalar.properties
                    add(properties.lowercaseMapping)
                    add(properties.uppercaseMapping)
                    add(properties.titlecaseMapping)
                    // Complete the orbit: final sigma ς uppercases to Σ, whose lowercase is σ.
                    if let upper = Unicode.Scalar(properties.uppercaseMapping) { add(upper.properties.lowercaseMapping) }
                    for extra in Self.foldVariants[value] ?? [] { added.append(extra...extra) }
                }
            }
            var result = self
            if !added.isEmpty { result.formUnion(ScalarSet(normalizing: added)) }
            return result
        }

        /// Letters with more than two case forms, which the mappings above do not link: the Kelvin sign
        /// lowercases to `k`, but `k` uppercases to `K`. From Unicode's CaseFolding.txt.
        private static let foldGroups: [[UInt32]] = [
            [0x4B, 0x6B, 0x212A], [0x53, 0x73, 0x17F], [0xC5, 0xE5, 0x212B], [0xDF, 0x1E9E],
            [0xB5, 0x39C, 0x3BC], [0x392, 0x3B2, 0x3D0], [0x395, 0x3B5, 0x3F5], [0x398, 0x3B8, 0x3D1, 0x3F4],
            [0x345, 0x399, 0x3B9, 0x1FBE], [0x39A, 0x3BA, 0x3F0], [0x3A0, 0x3C0, 0x3D6], [0x3A1, 0x3C1, 0x3F1],
            [0x3A3, 0x3C2, 0x3C3], [0x3A6, 0x3C6, 0x3D5], [0x3A9, 0x3C9, 0x2126],
            [0x412, 0x432, 0x1C80], [0x414, 0x434, 0x1C81], [0x41E, 0x43E, 0x1C82], [0x421, 0x441, 0x1C83],
            [0x422, 0x442, 0x1C84, 0x1C85], [0x42A, 0x44A, 0x1C86], [0x462, 0x463, 0x1C87], [0xA64A, 0xA64B, 0x1C88],
            [0x1E60, 0x1E61, 0x1E9B],
        ]

        private static let foldVariants: [UInt32: [UInt32]] = {
            var variants: [UInt32: [UInt32]] = [:]
            for group in foldGroups {
                for member in group { variants[member] = group }
            }
            return variants
        }()
    }
}
