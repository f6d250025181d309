/// Flags prompt-injection and jailbreak attempts with a scored heuristic: known override and jailbreak phrases,
/// role-play escapes and fake chat-turn markers, and instructions hidden in base64, hex, rot13 or invisible characters.
///
/// Every rule that matches adds its weight to its category once, however often it matches, and each category's part
/// is capped at 1, so the total runs from 0 to 4. A strong phrase ("ignore all previous instructions") weighs 0.6 and
/// is enough on its own at the default threshold of 0.5; a weak one ("you are now", "DAN", "developer mode") weighs
/// 0.15–0.45 and fires only together with another signal. The rules are in `InjectionCheck+Rules.swift`.
///
/// It is meant for text from users and tools, not for the developer's own system prompt: a persona prompt
/// ("stay in character", "from now on you will…") uses the same words as an attack.
///
/// Options:
/// - `threshold`: the total at which the text is flagged, from 0.05 to 4; default 0.5.
/// - `categories`: the categories that count, a subset of `override`, `jailbreak`, `role_play`, `encoded`; default all.
public struct InjectionCheck: GuardrailCheck {
    /// The kind of signal a rule detects; its raw value is the finding's category.
    public enum Category: String, CaseIterable, Sendable, Hashable {
        /// Attempts to replace or leak the instructions: "ignore previous instructions", "reveal your system prompt".
        case override
        /// Known jailbreak personas and demands to drop safeguards: "DAN", "without any ethical restrictions".
        case jailbreak
        /// Role-play escapes and fake turn markers: "pretend you are", "<|im_start|>system", "System:" at a line start.
        case rolePlay = "role_play"
        /// Instructions hidden in encodings or invisible characters.
        case encoded
    }

    /// The default value of the `threshold` option.
    public static let defaultThreshold = 0.5

    /// `injection`.
    public var name: String { "injection" }
    /// The total score at which a text is flagged.
    public let threshold: Double
    /// The categories whose rules count towards the score and the findings.
    public let categories: Set<Category>

    /// The rules compiled once per process: they do not depend on the options.
    static let matcher = PhraseMatcher(rules: rules)

    /// Builds the check from its `threshold` and `categories` options.
    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["threshold", "categories"])
        threshold = try options.double("threshold", in: 0.05...4) ?? Self.defaultThreshold
        if let names = try options.strings("categories") {
            var chosen = Set<Category>()
            for name in names {
                guard let category = Category(rawValue: name) else {
                    let known = Category.allCases.map(\.rawValue).joined(separator: ", ")
                    throw GuardrailOptionError(key: "categories", message: "unknown category '\(name)'; expected some of: \(known)")
                }
                chosen.insert(category)
            }
            guard !chosen.isEmpty else {
                throw GuardrailOptionError(key: "categories", message: "the list is empty; leave the option out to use every category")
            }
            categories = chosen
        } else {
            categories = Set(Category.allCases)
        }
    }

    /// Every span is masked alike, so a redacted text does not tell an attacker which rule caught it.
    public func mask(for category: String) -> String { "[INJECTION]" }

    /// Scores UTF-8 `text`; the score lists every match, even when the total stays under the threshold.
    public func score(in text: UnsafeBufferPointer<UInt8>) -> Score {
        let matcher = Self.matcher
        var hits: [PhraseMatcher.Hit] = []
        var runs: [PhraseMatcher.EncodedRun] = []
        matcher.scan(text, hits: &hits, encodedRuns: &runs)
        if !runs.isEmpty, categories.contains(.encoded) {
            inspect(runs, in: text, hits: &hits)
        }
        return Score(hits: hits, rules: matcher.rules, categories: categories, threshold: threshold)
    }

    /// Scores a Swift string.
    public func score(in text: String) -> Score {
        var text = text
        return text.withUTF8 { score(in: $0) }
    }

    /// One finding per matched span when the total reaches the threshold, in order of position. Overlapping spans
    /// of one category are joined (optional words make several rules match nearly the same words); spans of
    /// different categories may overlap. Each finding's detail names its rule and the score, never the text.
    public func findings(in text: UnsafeBufferPointer<UInt8>) -> [GuardrailFinding] {
        let score = score(in: text)
        guard score.isFlagged else { return [] }
        let summary = score.summary
        var findings: [GuardrailFinding] = []
        var lastOfCategory: [Int] = [-1, -1, -1, -1]  // index in `findings`, per category
        for match in score.matches {
            let slot = Category.allCases.firstIndex(of: match.category)!
            let last = lastOfCategory[slot]
            if last >= 0, let range = findings[last].range, match.range.lowerBound < range.upperBound {
                findings[last].range = range.lowerBound..<max(range.upperBound, match.range.upperBound)
                continue
            }
            lastOfCategory[slot] = findings.count
            findings.append(GuardrailFinding(category: match.category.rawValue, range: match.range,
                                             detail: "\(match.signal); \(summary)"))
        }
        return findings
    }

    /// Scans a Swift string; the check never throws.
    public func findings(in text: String) -> [GuardrailFinding] {
        var text = text
        return text.withUTF8 { findings(in: $0) }
    }
}

extension InjectionCheck {
    /// How strongly a text looks like an injection: the total and each category's part, with the matches behind them.
    public struct Score: Sendable, Hashable {
        /// A rule that matched a span of the text.
        public struct Match: Sendable, Hashable {
            /// The category of the rule.
            public var category: Category
            /// A short name of the rule, such as `ignore previous instructions`, for traces and debugging.
            public var signal: String
            /// What the rule adds to its category's part.
            public var weight: Double
            /// UTF-8 byte offsets into the scanned text.
            public var range: Range<Int>
        }

        /// The sum of the category parts, from 0 to 4.
        public var total: Double = 0
        /// The `override` part, from 0 to 1.
        public var override: Double = 0
        /// The `jailbreak` part, from 0 to 1.
        public var jailbreak: Double = 0
        /// The `role_play` part, from 0 to 1.
        public var rolePlay: Double = 0
        /// The `encoded` part, from 0 to 1.
        public var encoded: Double = 0
        /// Whether `total` reaches the check's threshold (and something matched).
        public var isFlagged = false
        /// Every match of the enabled categories, in order of position.
        public var matches: [Match] = []

        /// The part of one category.
        public func part(_ category: Category) -> Double {
            switch category {
            case .override: override
            case .jailbreak: jailbreak
            case .rolePlay: rolePlay
            case .encoded: encoded
            }
        }

        /// The total and the parts that are not zero, such as `score 1.10 (override 0.60, role_play 0.50)`.
        public var summary: String {
            let parts = Category.allCases.filter { part($0) > 0 }.map { "\($0.rawValue) \(Self.format(part($0)))" }
            return "score \(Self.format(total)) (\(parts.joined(separator: ", ")))"
        }

        /// Two decimals without Foundation.
        static func format(_ value: Double) -> String {
            let hundredths = Int((value * 100).rounded())
            let fraction = hundredths % 100
            return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
        }

        /// The parts keyed by category name, for a trace.
        public var parts: [String: Double] {
            Dictionary(uniqueKeysWithValues: Category.allCases.map { ($0.rawValue, part($0)) })
        }

        /// A category's part never exceeds this, so one long jailbreak cannot outweigh every other signal.
        static let categoryCap = 1.0

        init(hits: [PhraseMatcher.Hit], rules: [Rule], categories: Set<Category>, threshold: Double) {
            guard !hits.isEmpty else { return }
            var counted = [Bool](repeating: false, count: rules.count)
            matches.reserveCapacity(hits.count)
            for hit in hits {
                let rule = rules[hit.rule]
                guard categories.contains(rule.category) else { continue }
                matches.append(Match(category: rule.category, signal: rule.signal, weight: rule.weight, range: hit.range))
                guard !counted[hit.rule] else { continue }
                counted[hit.rule] = true
                switch rule.category {
                case .override: override += rule.weight
                case .jailbreak: jailbreak += rule.weight
                case .rolePlay: rolePlay += rule.weight
                case .encoded: encoded += rule.weight
                }
            }
            override = min(override, Self.categoryCap)
            jailbreak = min(jailbreak, Self.categoryCap)
            rolePlay = min(rolePlay, Self.categoryCap)
            encoded = min(encoded, Self.categoryCap)
            total = override + jailbreak + rolePlay + encoded
            // Hits of gap rules and of decoded runs arrive after the words they cover, so order them by position.
            matches.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
            // Tolerance for sums such as 0.3 + 0.2 that land a hair under 0.5.
            isFlagged = !matches.isEmpty && total + 1e-9 >= threshold
        }
    }
}
