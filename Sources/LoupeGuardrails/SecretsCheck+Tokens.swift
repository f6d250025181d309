extension SecretsCheck.Scanner {
    /// The key with a known shape that starts exactly at `start`, for a value found after a key name
    /// (`"token": "eyJ…"`) or a scheme (`Bearer eyJ…`), so the specific category wins over `generic_secret`.
    func token(at start: Int) -> Match? {
        switch text[start] {
        case UInt8(ascii: "s"): openAIOrAnthropic(at: start)
        case UInt8(ascii: "A"): awsAccessKey(at: start)
        case UInt8(ascii: "g"): githubToken(at: start)
        case UInt8(ascii: "x"): slackToken(at: start)
        case UInt8(ascii: "e"): jwt(at: start)
        case UInt8(ascii: "-"): privateKey(at: start)
        case UInt8(ascii: "h"): slackWebhook(at: start)
        default: nil
        }
    }

    /// Shapes with a dash at a fixed place: `-----BEGIN`, `sk-`, `xoxb-`, `xapp-`.
    func dash(at index: Int) -> Match? {
        if text[index - 1] != UInt8(ascii: "-") && text[index + 1] == UInt8(ascii: "-") { return privateKey(at: index) }
        if text[index - 1] == UInt8(ascii: "k") && text[index - 2] == UInt8(ascii: "s") { return openAIOrAnthropic(at: index - 2) }
        if text[index - 4] == UInt8(ascii: "x") { return slackToken(at: index - 4) }
        return nil
    }

    /// Shapes with an underscore at a fixed place: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`.
    func underscore(at index: Int) -> Match? {
        if text[index - 3] == UInt8(ascii: "g") { return githubToken(at: index - 3) }
        if text[index - 6] == UInt8(ascii: "g") { return githubToken(at: index - 6) }
        return nil
    }

    /// `sk-ant-…` (Anthropic) or `sk-…`, `sk-proj-…`, `sk-svcacct-…`, `sk-admin-…` (OpenAI): at least 20 characters of
    /// `[A-Za-z0-9_-]` after the prefix, so `sk-learn` and `sk-...` are not keys.
    func openAIOrAnthropic(at start: Int) -> Match? {
        guard text.hasPrefix("sk-", at: start), !ByteClass.isToken(text[start - 1]) else { return nil }
        var bodyStart = start + 3
        let category: SecretsCheck.Category
        if text.hasPrefix("ant-", at: bodyStart) {
            category = .anthropicKey
            bodyStart += 4
        } else {
            category = .openaiKey
            if text.hasPrefix("proj-", at: bodyStart) {
                bodyStart += 5
            } else if text.hasPrefix("svcacct-", at: bodyStart) {
                bodyStart += 8
            } else if text.hasPrefix("admin-", at: bodyStart) {
                bodyStart += 6
            }
        }
        guard enabled.contains(category) else { return nil }
        let end = text.end(from: bodyStart, while: ByteClass.isToken)
        guard end - bodyStart >= 20, !isPlaceholder(bodyStart, end) else { return nil }
        return Match(category: category, range: start..<end)
    }

    /// An AWS access key ID: a four-letter prefix naming the kind of principal and 16 uppercase letters or digits,
    /// standing alone. AWS's documented example `AKIAIOSFODNN7EXAMPLE` has the shape, so it is flagged.
    func awsAccessKey(at start: Int) -> Match? {
        guard enabled.contains(.awsAccessKey), text[start] == UInt8(ascii: "A"), text[start + 3] == UInt8(ascii: "A"),
            !ByteClass.isAlnum(text[start - 1])
        else { return nil }
        switch (text[start + 1], text[start + 2]) {
        // AKIA ASIA AGPA AIDA AROA AIPA ANPA ANVA APKA ABIA ACCA
        case (0x4B, 0x49), (0x53, 0x49), (0x47, 0x50), (0x49, 0x44), (0x52, 0x4F), (0x49, 0x50), (0x4E, 0x50), (0x4E, 0x56),
            (0x50, 0x4B), (0x42, 0x49), (0x43, 0x43):
            break
        default:
            return nil
        }
        for index in start + 4..<start + 20 where !(ByteClass.isUpper(text[index]) || ByteClass.isDigit(text[index])) { return nil }
        guard !ByteClass.isAlnum(text[start + 20]), !isPlaceholder(start + 4, start + 20) else { return nil }
        return Match(category: .awsAccessKey, range: start..<start + 20)
    }

    /// `ghp_`, `gho_`, `ghu_`, `ghs_` or `ghr_` and at least 36 letters or digits; or `github_pat_` and at least 22.
    func githubToken(at start: Int) -> Match? {
        guard enabled.contains(.githubToken), !ByteClass.isToken(text[start - 1]) else { return nil }
        if text.hasPrefix("github_pat_", at: start) {
            let end = text.end(from: start + 11, while: ByteClass.isWord)
            guard end - start - 11 >= 22, !isPlaceholder(start + 11, end) else { return nil }
            return Match(category: .githubToken, range: start..<end)
        }
        guard text.hasPrefix("gh", at: start), text[start + 3] == UInt8(ascii: "_") else { return nil }
        switch text[start + 2] {
        case UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r"): break
        default: return nil
        }
        let end = text.end(from: start + 4, while: ByteClass.isAlnum)
        guard end - start - 4 >= 36, !ByteClass.isToken(text[end]), !isPlaceholder(start + 4, end) else { return nil }
        return Match(category: .githubToken, range: start..<end)
    }

    /// `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-` or `xapp-` and at least 20 more token characters.
    func slackToken(at start: Int) -> Match? {
        guard enabled.contains(.slackToken), text[start + 4] == UInt8(ascii: "-"), !ByteClass.isToken(text[start - 1]) else { return nil }
        if text.hasPrefix("xox", at: start) {
            switch text[start + 3] {
            case UInt8(ascii: "b"), UInt8(ascii: "p"), UInt8(ascii: "a"), UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "e"): break
            default: return nil
            }
        } else if !text.hasPrefix("xapp", at: start) {
            return nil
        }
        let end = text.end(from: start + 5, while: ByteClass.isToken)
        guard end - start - 5 >= 20, !isPlaceholder(start + 5, end) else { return nil }
        return Match(category: .slackToken, range: start..<end)
    }

    /// A Slack incoming webhook, found at the `/` after its host.
    func slackWebhook(slashAt slash: Int) -> Match? {
        let host = slash - 15
        guard text.hasPrefix("hooks.slack.com", at: host) else { return nil }
        if text.hasPrefix("https://", at: host - 8) { return slackWebhook(at: host - 8) }
        if text.hasPrefix("http://", at: host - 7) { return slackWebhook(at: host - 7) }
        return slackWebhook(at: host)
    }

    /// `https://hooks.slack.com/services/T…/B…/…`, masked whole: the URL is the credential.
    func slackWebhook(at start: Int) -> Match? {
        guard enabled.contains(.slackToken), !ByteClass.isWord(text[start - 1]), text[start - 1] != UInt8(ascii: ".") else { return nil }
        var index = start
        if text.hasPrefix("https://", at: index) {
            index += 8
        } else if text.hasPrefix("http://", at: index) {
            index += 7
        }
        guard text.hasPrefix("hooks.slack.com/services/T", at: index) else { return nil }
        index += 25
        let team = text.end(from: index, while: ByteClass.isAlnum)
        guard team - index >= 8, text[team] == UInt8(ascii: "/"), text[team + 1] == UInt8(ascii: "B") else { return nil }
        index = team + 1
        let channel = text.end(from: index, while: ByteClass.isAlnum)
        guard channel - index >= 8, text[channel] == UInt8(ascii: "/") else { return nil }
        index = channel + 1
        let end = text.end(from: index, while: ByteClass.isAlnum)
        guard end - index >= 16, !isPlaceholder(index, end) else { return nil }
        return Match(category: .slackToken, range: start..<end)
    }

    /// A JSON Web Token: three base64url parts split by dots, the first two JSON objects (`eyJ`), with lengths a real
    /// header, payload and signature have. Unsigned tokens (empty signature) are not flagged.
    func jwt(at start: Int) -> Match? {
        guard enabled.contains(.jwt), text.hasPrefix("eyJ", at: start), !ByteClass.isToken(text[start - 1]),
            text[start - 1] != UInt8(ascii: ".")
        else { return nil }
        let header = text.end(from: start, while: ByteClass.isToken)
        guard header - start >= 16, text[header] == UInt8(ascii: "."), text.hasPrefix("eyJ", at: header + 1) else { return nil }
        let payload = text.end(from: header + 1, while: ByteClass.isToken)
        guard payload - header - 1 >= 10, text[payload] == UInt8(ascii: ".") else { return nil }
        let end = text.end(from: payload + 1, while: ByteClass.isToken)
        guard end - payload - 1 >= 16, !(text[end] == UInt8(ascii: ".") && ByteClass.isToken(text[end + 1])) else { return nil }
        return Match(category: .jwt, range: start..<end)
    }

    /// A PEM or OpenPGP private key block, `-----BEGIN … PRIVATE KEY-----` through its `-----END … PRIVATE KEY-----`,
    /// or to the end of the text when the end line is missing (a truncated key is still a leaked key).
    /// The search for the end line reads each byte once and the scan resumes after the block.
    func privateKey(at start: Int) -> Match? {
        guard enabled.contains(.privateKey), text.hasPrefix("-----BEGIN ", at: start) else { return nil }
        guard let headerEnd = privateKeyLabelEnd(at: start + 11) else { return nil }
        var index = headerEnd
        while index < text.count {
            guard let dash = text.bytes[index...].firstIndex(of: UInt8(ascii: "-")) else { break }
            if text.hasPrefix("-----END ", at: dash), let end = privateKeyLabelEnd(at: dash + 9) {
                return Match(category: .privateKey, range: start..<end)
            }
            index = dash + 1
        }
        return Match(category: .privateKey, range: start..<text.count)
    }

    private static let privateKeyKinds: [StaticString] = ["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", "PGP "]

    /// The end of `[RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP ]PRIVATE KEY[ BLOCK]-----`, or nil.
    private func privateKeyLabelEnd(at start: Int) -> Int? {
        var index = start
        for kind in Self.privateKeyKinds where text.hasPrefix(kind, at: index) {
            index += kind.utf8CodeUnitCount
            break
        }
        guard text.hasPrefix("PRIVATE KEY", at: index) else { return nil }
        index += 11
        if text.hasPrefix(" BLOCK", at: index) { index += 6 }
        guard text.hasPrefix("-----", at: index) else { return nil }
        return index + 5
    }

    /// A documentation stand-in rather than a key: fewer than six distinct characters (`xxxx…`, `0000…`),
    /// or neither a digit nor a capital (`your-api-key-goes-here`). A random key of 16 or more characters
    /// fails both tests with vanishing odds.
    func isPlaceholder(_ start: Int, _ end: Int) -> Bool {
        var seen = (UInt64(0), UInt64(0))
        var hasDigit = false
        var hasUpper = false
        for index in start..<end {
            let byte = text[index]
            if byte < 64 { seen.0 |= 1 << UInt64(byte) } else if byte < 128 { seen.1 |= 1 << UInt64(byte &- 64) }
            hasDigit = hasDigit || ByteClass.isDigit(byte)
            hasUpper = hasUpper || ByteClass.isUpper(byte)
        }
        return seen.0.nonzeroBitCount + seen.1.nonzeroBitCount < 6 || !(hasDigit || hasUpper)
    }
}
