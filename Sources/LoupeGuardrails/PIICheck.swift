/// `pii`: personal data — email addresses, phone numbers, payment card numbers, IBANs, US social security numbers
/// and IP addresses — masked as `[EMAIL]`, `[PHONE]`, `[CREDIT_CARD]`, `[IBAN]`, `[SSN]` and `[IP_ADDRESS]`.
///
/// Options:
/// - `types`: the categories to look for, a subset of ``PIICheck/categories`` (default all).
///
/// Each category is a hand-written byte scanner that checks the shape of the value (and the checksum of cards and
/// IBANs), so dates, versions, prices and order numbers pass. One pass stops only at bytes that can start a value
/// (digits, `@`, `+`, `(`) or sit at a known place in one (`:` of IPv6).
public struct PIICheck: GuardrailCheck {
    /// Every category the check knows, as written in config and on findings.
    public static let categories = Category.allCases.map(\.name)

    /// `pii`, as written in config.
    public let name = "pii"
    /// The categories this check looks for.
    public let types: [String]
    let enabled: CategorySet<Category>

    /// Reads the options; an unknown option or type throws, naming the valid ones.
    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["types"])
        enabled = try CategorySet(types: options)
        types = enabled.names
    }

    /// Every match in `text`, in order of position, each with the byte range to mask; never throws.
    public func findings(in text: UnsafeBufferPointer<UInt8>) -> [GuardrailFinding] {
        var scanner = Scanner(text: ByteText(text), enabled: enabled)
        scanner.run()
        return scanner.found
    }
}

extension PIICheck {
    /// A kind of personal data.
    enum Category: Int, NamedCategory {
        case email, phone, creditCard, iban, ssn, ipAddress

        var name: String {
            switch self {
            case .email: "email"
            case .phone: "phone"
            case .creditCard: "credit_card"
            case .iban: "iban"
            case .ssn: "ssn"
            case .ipAddress: "ip_address"
            }
        }
    }

    /// One scan of one text. Detectors live in `PIICheck+<Feature>.swift`; each takes a start position and returns
    /// the end of what it matched, or nil, and reads at most a bounded distance ahead (or skips what it read),
    /// so the scan stays linear.
    struct Scanner {
        let text: ByteText
        let enabled: CategorySet<Category>
        var found: [GuardrailFinding] = []
        /// IPv6 is tried from a `:`; after a failed try, the rest of that run of hex digits and colons is not retried.
        var ipv6TriedUntil = 0

        init(text: ByteText, enabled: CategorySet<Category>) {
            self.text = text
            self.enabled = enabled
        }

        /// Bytes that can start PII, or (`:`) sit at a known place in it.
        private static let triggers = ByteText.table(marking: "0123456789@+(:")

        mutating func run() {
            Self.triggers.withUnsafeBufferPointer { run(triggers: $0) }
        }

        private mutating func run(triggers: UnsafeBufferPointer<UInt8>) {
            var index = text.firstIndex(from: 0, markedIn: triggers)
            while index < text.count {
                let next: Int? =
                    switch text.bytes[index] {
                    case UInt8(ascii: "@"): email(at: index)
                    case UInt8(ascii: "+"): internationalPhone(at: index)
                    case UInt8(ascii: "("): parenthesizedPhone(at: index)
                    case UInt8(ascii: ":"): ipv6(colonAt: index)
                    default: digit(at: index)
                    }
                // A finding that started behind the trigger may also end before it ("::1:" found at its last colon).
                index = text.firstIndex(from: max(next ?? 0, index + 1), markedIn: triggers)
            }
        }

        /// A digit that starts a number token: an IBAN glued to its country code, or else a candidate for
        /// an IP address, SSN, card or phone number, tried from the most rigid shape to the loosest.
        mutating func digit(at index: Int) -> Int {
            let previous = text[index - 1]
            if ByteClass.isLetter(previous) {
                if enabled.contains(.iban), let next = iban(digitAt: index) { return next }
                return text.end(from: index, while: ByteClass.isAlnum)  // digits inside a word: a model name, a hash
            }
            let endOfDigits = index + text.digitRun(at: index)
            // A digit run that continues a token ("1.2.3.4.5", "COVID-19", "2024-01-15", "12:30", "1,234") belongs to
            // the token that started it, which was tried already. After a letter and a colon or comma it starts one
            // ("Phone:415-555-0132", "Doe,415-555-0132").
            switch previous {
            case UInt8(ascii: "_"):
                return endOfDigits
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"):
                if ByteClass.isAlnum(text[index - 2]) { return endOfDigits }
            case UInt8(ascii: ":"), UInt8(ascii: ","):
                if ByteClass.isDigit(text[index - 2]) { return endOfDigits }
            default:
                break
            }
            if enabled.contains(.ipAddress), let end = ipv4(at: index) { return record(.ipAddress, index..<end) }
            if enabled.contains(.ssn), let end = ssn(at: index) { return record(.ssn, index..<end) }
            if enabled.contains(.creditCard), let end = creditCard(at: index) { return record(.creditCard, index..<end) }
            if enabled.contains(.phone), let end = phone(at: index) { return record(.phone, index..<end) }
            return endOfDigits
        }

        /// Adds a finding and returns where scanning resumes. A detector that starts behind the scan position
        /// (an email found at its `@`) may overlap earlier findings: the one that starts first wins, then the longer.
        mutating func record(_ category: Category, _ range: Range<Int>) -> Int {
            while let last = found.last?.range, last.upperBound > range.lowerBound {
                if last.lowerBound < range.lowerBound || (last.lowerBound == range.lowerBound && last.upperBound >= range.upperBound) {
                    return max(range.upperBound, last.upperBound)
                }
                found.removeLast()
            }
            found.append(GuardrailFinding(category: category.name, range: range))
            return range.upperBound
        }

        /// `AAA-GG-SSSS` with the ranges the SSA never issues left out: area 000, 666 and 900–999, group 00, serial 0000.
        /// Structurally valid test values such as 123-45-6789 are flagged: they are what people type to try the guardrail.
        func ssn(at start: Int) -> Int? {
            guard text[start + 3] == UInt8(ascii: "-"), text[start + 6] == UInt8(ascii: "-"),
                text.digitRun(at: start) == 3, text.digitRun(at: start + 4) == 2, text.digitRun(at: start + 7) == 4
            else { return nil }
            let end = start + 11
            guard !ByteClass.isAlnum(text[end]), !(text[end] == UInt8(ascii: "-") && ByteClass.isDigit(text[end + 1])) else { return nil }
            let area = number(start, 3)
            let group = number(start + 4, 2)
            let serial = number(start + 7, 4)
            guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
            return end
        }

        /// The decimal value of `length` digits at `start` (which the caller has checked are digits).
        func number(_ start: Int, _ length: Int) -> Int {
            var value = 0
            for index in start..<start + length { value = value * 10 + Int(text[index] &- 0x30) }
            return value
        }
    }
}
