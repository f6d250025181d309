/// `secrets`: API keys, tokens, private keys and passwords, each masked as `[SECRET]`.
///
/// Options:
/// - `types`: the categories to look for, a subset of ``SecretsCheck/categories`` (default all).
/// - `entropy_threshold`: the least Shannon entropy, in bits per character (0–8, default 3.5), of a value that is
///   recognised by its key name rather than its shape (`generic_secret`, `aws_secret_key`).
///
/// Keys with a known shape (`sk-…`, `AKIA…`, `ghp_…`, `xoxb-…`, JWTs, PEM private keys) are found wherever they are;
/// other secrets only after a key name that says so (`api_key=`, `"password": "`, `Bearer `), and then only the value
/// is masked, so `api_key=[SECRET]` keeps its key. Placeholders (`sk-...`, `<your-key>`, `xxxx…`, `${TOKEN}`) pass.
/// One pass stops only at the bytes `-`, `_`, `A`, `J`, `:`, `=`, `/`, `b` and `B`, each at a fixed place in some shape.
public struct SecretsCheck: GuardrailCheck {
    /// Every category the check knows, as written in config and on findings.
    public static let categories = Category.allCases.map(\.name)

    /// `secrets`, as written in config.
    public let name = "secrets"
    /// The categories this check looks for.
    public let types: [String]
    /// The least entropy, in bits per character, of a secret found by its key name.
    public let entropyThreshold: Double
    let enabled: CategorySet<Category>

    /// Reads the options; an unknown option or type throws, naming the valid ones.
    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["types", "entropy_threshold"])
        enabled = try CategorySet(types: options)
        types = enabled.names
        self.entropyThreshold = try options.double("entropy_threshold", in: 0...8) ?? 3.5
    }

    /// Every secret is masked the same way, so the mask does not say what kind of key leaked.
    public func mask(for category: String) -> String { "[SECRET]" }

    /// Every match in `text`, in order of position, each with the byte range to mask; never throws.
    public func findings(in text: UnsafeBufferPointer<UInt8>) -> [GuardrailFinding] {
        var scanner = Scanner(text: ByteText(text), enabled: enabled, entropyThreshold: entropyThreshold)
        scanner.run()
        return scanner.found
    }
}

extension SecretsCheck {
    /// A kind of secret.
    enum Category: Int, NamedCategory {
        case openaiKey, anthropicKey, awsAccessKey, awsSecretKey, githubToken, slackToken, privateKey, jwt, genericSecret

        var name: String {
            switch self {
            case .openaiKey: "openai_key"
            case .anthropicKey: "anthropic_key"
            case .awsAccessKey: "aws_access_key"
            case .awsSecretKey: "aws_secret_key"
            case .githubToken: "github_token"
            case .slackToken: "slack_token"
            case .privateKey: "private_key"
            case .jwt: "jwt"
            case .genericSecret: "generic_secret"
            }
        }
    }

    /// One scan of one text. Detectors live in `SecretsCheck+Tokens.swift` (known shapes) and
    /// `SecretsCheck+Assignments.swift` (values after key names); each returns a match or nil and reads a bounded
    /// distance, or else a span the scan then skips, so the scan stays linear.
    struct Scanner {
        /// A detector's answer: what it found and where.
        struct Match {
            var category: Category
            var range: Range<Int>
        }

        let text: ByteText
        let enabled: CategorySet<Category>
        let entropyThreshold: Double
        var found: [GuardrailFinding] = []
        /// Set by a detector that read a span and found nothing in it, so the scan does not read it again.
        var resumeAt = 0

        /// Bytes at which some secret can be recognised: every shape has one of them at a fixed offset from its start.
        private static let triggers = ByteText.table(marking: "-_AJ:=/bB")

        init(text: ByteText, enabled: CategorySet<Category>, entropyThreshold: Double) {
            self.text = text
            self.enabled = enabled
            self.entropyThreshold = entropyThreshold
        }

        mutating func run() {
            Self.triggers.withUnsafeBufferPointer { run(triggers: $0) }
        }

        private mutating func run(triggers: UnsafeBufferPointer<UInt8>) {
            var index = text.firstIndex(from: 0, markedIn: triggers)
            while index < text.count {
                let match: Match? =
                    switch text.bytes[index] {
                    case UInt8(ascii: "-"): dash(at: index)
                    case UInt8(ascii: "_"): underscore(at: index)
                    case UInt8(ascii: "A"): awsAccessKey(at: index)
                    case UInt8(ascii: "J"): jwt(at: index - 2)  // the J of "eyJ"
                    case UInt8(ascii: ":"), UInt8(ascii: "="): assignment(at: index)
                    case UInt8(ascii: "/"): slackWebhook(slashAt: index)
                    default: bearer(at: index)
                    }
                index = text.firstIndex(from: max(match.map { record($0) } ?? 0, index + 1, resumeAt), markedIn: triggers)
            }
        }

        /// Adds a finding and returns where scanning resumes; of overlapping findings, the one that starts first wins,
        /// then the longer.
        mutating func record(_ match: Match) -> Int {
            let range = match.range
            while let last = found.last?.range, last.upperBound > range.lowerBound {
                if last.lowerBound < range.lowerBound || (last.lowerBound == range.lowerBound && last.upperBound >= range.upperBound) {
                    return max(range.upperBound, last.upperBound)
                }
                found.removeLast()
            }
            found.append(GuardrailFinding(category: match.category.name, range: range))
            return range.upperBound
        }
    }
}
