/// A category of a check that scans for several kinds of thing, with the name config and traces use.
protocol NamedCategory: RawRepresentable<Int>, CaseIterable {
    var name: String { get }
}

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

extension CategorySet where Category: NamedCategory {
    /// The categories the `types` option lists, or all of them when it is absent; an empty list or an
    /// unknown name throws, naming the valid ones.
    init(types options: GuardrailOptions) throws(GuardrailOptionError) {
        let known = Category.allCases.map(\.name).joined(separator: ", ")
        guard let names = try options.strings("types") else {
            self.init(Category.allCases)
            return
        }
        guard !names.isEmpty else {
            throw GuardrailOptionError(key: "types", message: "empty; list some of: \(known), or leave it out for all")
        }
        self.init()
        for name in names {
            guard let category = Category.allCases.first(where: { $0.name == name }) else {
                throw GuardrailOptionError(key: "types", message: "unknown type '\(name)'; expected some of: \(known)")
            }
            insert(category)
        }
    }

    /// The enabled categories' names, in declaration order.
    var names: [String] { Category.allCases.filter(contains).map(\.name) }
}
