/// A check's enabled categories as bits, so a scanner's "is this one on?" is one AND.
struct CategorySet<Category: RawRepresentable<Int>>: Sendable {
    private var bits: UInt64 = 0

    init() {}

    init(_ categories: some Sequence<Category>) {
        for category in categories { insert(category) }
    }

    mutating func insert(_ category: Category) { bits |= 1 << UInt64(category.rawValue) }

    func contains(_ category: Category) -> Bool { bits & (1 << UInt64(category.rawValue)) != 0 }
}
